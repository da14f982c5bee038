"""Expectation values and probabilities vs Statevector, for arbitrary Pauli sums."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp, Statevector

from qhep_contrast.execution.exact import compile, fidelity, overlap
from tests.execution.conftest import bind, reference_states
from tests.execution.random_circuits import random_circuit


def _random_pauli_sum(rng: np.random.Generator, n: int) -> SparsePauliOp:
    terms = int(rng.integers(1, 5))
    labels = ["".join(rng.choice(list("IXYZ"), size=n)) for _ in range(terms)]
    return SparsePauliOp(labels, rng.normal(size=terms)).simplify()


@pytest.mark.parametrize("seed", range(30))
def test_expectation_matches_statevector(seed: int) -> None:
    rng = np.random.default_rng(seed)
    qc, inputs, weights = random_circuit(300 + seed, num_qubits=int(1 + seed % 6))
    ec = compile(qc, inputs, weights)
    obs = [_random_pauli_sum(rng, qc.num_qubits) for _ in range(4)]
    x = torch.rand(3, len(inputs), dtype=torch.float64)
    w = torch.rand(len(weights), dtype=torch.float64)
    got = ec.expectation(x, w, obs)
    assert got.shape == (3, 4)
    for b in range(3):
        sv = Statevector(qc.assign_parameters(bind(inputs, weights, x[b], w), strict=False))
        ref = [sv.expectation_value(o).real for o in obs]
        np.testing.assert_allclose(got[b].numpy(), ref, atol=1e-10)


def test_pauli_phase_labels() -> None:
    """Labels with an explicit phase (-iXY style) and complex coefficients keep their sign conventions."""
    from qiskit.quantum_info import Pauli

    qc, inputs, weights = random_circuit(11, num_qubits=2)
    ec = compile(qc, inputs, weights)
    x = torch.rand(2, len(inputs), dtype=torch.float64)
    w = torch.rand(len(weights), dtype=torch.float64)
    obs = [SparsePauliOp(Pauli("-XY")), SparsePauliOp(["YY", "ZX"], [1j, -1j]) + SparsePauliOp(["ZX", "YY"], [1j, -1j])]
    got = ec.expectation(x, w, obs)
    for b in range(2):
        sv = Statevector(qc.assign_parameters(bind(inputs, weights, x[b], w), strict=False))
        np.testing.assert_allclose(got[b].numpy(), [sv.expectation_value(o).real for o in obs], atol=1e-10)


def test_probabilities_and_fidelity() -> None:
    qc, inputs, weights = random_circuit(21, num_qubits=4)
    ec = compile(qc, inputs, weights)
    x = torch.rand(6, len(inputs), dtype=torch.float64)
    w = torch.rand(len(weights), dtype=torch.float64)
    ref = reference_states(qc, inputs, weights, x, w)
    np.testing.assert_allclose(ec.probabilities(x, w).numpy(), np.abs(ref) ** 2, atol=1e-12)
    psi = ec.statevector(x, w)
    f = fidelity(psi[:3], psi[3:])
    expected = np.abs(np.einsum("bi,bi->b", ref[:3].conj(), ref[3:])) ** 2
    np.testing.assert_allclose(f.numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(fidelity(psi, psi).numpy(), 1.0, atol=1e-12)
    np.testing.assert_allclose(overlap(psi[:3], psi[3:]).numpy(), np.einsum("bi,bi->b", ref[:3].conj(), ref[3:]),
                               atol=1e-12)
