"""Gradients of the exact engine w.r.t. inputs and weights: finite differences and gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.execution.exact import compile, fidelity
from tests.execution.conftest import bind
from tests.execution.random_circuits import random_circuit


def _observables(n: int, seed: int) -> list[SparsePauliOp]:
    rng = np.random.default_rng(seed)
    labels = ["".join(rng.choice(list("IXYZ"), size=n)) for _ in range(3)]
    return [SparsePauliOp(labels[:2], [0.7, -0.4]), SparsePauliOp(labels[2]),
            SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], n)]


@pytest.mark.parametrize("seed", range(12))
def test_gradcheck_expectation(seed: int) -> None:
    qc, inputs, weights = random_circuit(500 + seed, num_qubits=int(1 + seed % 4), num_gates=12)
    ec = compile(qc, inputs, weights)
    obs = _observables(qc.num_qubits, seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(2, len(inputs), dtype=torch.float64, generator=g).requires_grad_(True)
    w = torch.rand(len(weights), dtype=torch.float64, generator=g).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a, b: ec.expectation(a, b, obs), (x, w), atol=1e-7)


@pytest.mark.parametrize("seed", range(8))
def test_gradcheck_statevector_and_fidelity(seed: int) -> None:
    qc, inputs, weights = random_circuit(600 + seed, num_qubits=int(2 + seed % 3), num_gates=10)
    ec = compile(qc, inputs, weights)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(4, len(inputs), dtype=torch.float64, generator=g).requires_grad_(True)
    w = torch.rand(len(weights), dtype=torch.float64, generator=g).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a, b: torch.view_as_real(ec.statevector(a, b)), (x, w), atol=1e-7)
    assert torch.autograd.gradcheck(
        lambda a, b: fidelity(ec.statevector(a[:2], b), ec.statevector(a[2:], b)), (x, w), atol=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_central_finite_differences(seed: int) -> None:
    """d<O>/d(param) from autograd equals (f(p+h) - f(p-h)) / 2h evaluated by Qiskit Statevector."""
    from qiskit.quantum_info import Statevector

    qc, inputs, weights = random_circuit(700 + seed, num_qubits=3, num_gates=15)
    ec = compile(qc, inputs, weights)
    obs = _observables(3, seed)[0]
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1, len(inputs), dtype=torch.float64, generator=g).requires_grad_(True)
    w = torch.rand(len(weights), dtype=torch.float64, generator=g).requires_grad_(True)
    ec.expectation(x, w, [obs]).sum().backward()
    zeros = lambda t: torch.zeros_like(t)  # noqa: E731 - an unused input gets no gradient at all
    auto = np.concatenate([(x.grad if x.grad is not None else zeros(x))[0].numpy(),
                           (w.grad if w.grad is not None else zeros(w)).numpy()])

    def f(xv, wv) -> float:
        sv = Statevector(qc.assign_parameters(bind(inputs, weights, xv, wv), strict=False))
        return float(sv.expectation_value(obs).real)

    base = np.concatenate([x.detach()[0].numpy(), w.detach().numpy()])
    h = 1e-5
    fd = []
    for i in range(base.size):
        up, dn = base.copy(), base.copy()
        up[i] += h
        dn[i] -= h
        nx = len(inputs)
        fd.append((f(up[:nx], up[nx:]) - f(dn[:nx], dn[nx:])) / (2 * h))
    np.testing.assert_allclose(auto, fd, atol=1e-7)


def test_gradients_flow_in_float32() -> None:
    qc, inputs, weights = next(c for c in (random_circuit(s, num_qubits=5) for s in range(40, 99)) if c[1] and c[2])
    ec = compile(qc, inputs, weights)
    x = torch.rand(3, len(inputs), requires_grad=True)
    w = torch.rand(len(weights), requires_grad=True)
    out = ec.expectation(x, w, _observables(5, 0))
    assert out.dtype == torch.float32
    out.sum().backward()
    assert x.grad is not None and w.grad is not None
    assert torch.isfinite(w.grad).all()
