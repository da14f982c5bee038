"""``qssl_classifier`` against an independent numpy simulation of the gate list it documents."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import qssl_classifier
from qhep_contrast.exceptions import CircuitError


def _rx(theta: float) -> np.ndarray:
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def _apply_1q(psi: np.ndarray, gate: np.ndarray, qubit: int) -> np.ndarray:
    return np.moveaxis(np.tensordot(gate, psi, axes=([1], [qubit])), 0, qubit)


def _apply_cx(psi: np.ndarray, control: int, target: int) -> np.ndarray:
    out = psi.copy()
    index = [slice(None)] * psi.ndim
    index[control] = 1
    sub = out[tuple(index)]
    axis = target if target < control else target - 1
    out[tuple(index)] = np.flip(sub, axis=axis)
    return out


def _reference_qubit4(x: np.ndarray, w: np.ndarray, layers: int) -> np.ndarray:
    psi = np.zeros((2,) * 5, dtype=complex)  # axis q is qubit q
    psi[(0,) * 5] = 1.0
    for q in range(4):
        psi = _apply_1q(psi, _rx(x[q]), q)
    for p, (a, b) in enumerate(((0, 1), (2, 3), (1, 2))):
        for layer in range(layers):
            psi = _apply_1q(psi, _rx(w[(p * layers + layer) * 2]), a)
            psi = _apply_1q(psi, _rx(w[(p * layers + layer) * 2 + 1]), b)
            psi = _apply_cx(psi, a, b)
    for q in range(4):
        psi = _apply_cx(psi, q, 4)
    probs = np.abs(psi) ** 2
    return np.array([probs[..., 0].sum(), probs[..., 1].sum()])


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_qssl_classifier_matches_numpy(layers: int) -> None:
    spec = qssl_classifier(layers)
    assert spec.num_qubits == 5 and spec.num_inputs == 4 and spec.num_weights == 6 * layers
    rng = np.random.default_rng(layers)
    for _ in range(3):
        x, w = rng.uniform(-np.pi, np.pi, 4), rng.uniform(-np.pi, np.pi, spec.num_weights)
        bound = spec.circuit.assign_parameters(dict(zip([*spec.inputs, *spec.weights], [*x, *w])))
        np.testing.assert_allclose(Statevector(bound).probabilities([4]), _reference_qubit4(x, w, layers),
                                   atol=1e-12)


def test_qssl_classifier_rejects_zero_layers() -> None:
    with pytest.raises(CircuitError, match="num_layers"):
        qssl_classifier(0)
