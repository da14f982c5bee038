"""A tiny, obviously-correct dense numpy simulator for checking the builders.

Full ``2**n x 2**n`` matrices built with ``np.kron`` (qubit 0 is the rightmost factor, Qiskit's order)
and controlled gates as ``|0><0|_c (x) I + |1><1|_c (x) G_t``. Only for a handful of qubits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import CircuitSpec

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
H = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2)
P0 = np.diag([1.0, 0.0]).astype(complex)
P1 = np.diag([0.0, 1.0]).astype(complex)


def rx(theta: float) -> np.ndarray:
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def ry(theta: float) -> np.ndarray:
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def rz(theta: float) -> np.ndarray:
    return np.diag([np.exp(-0.5j * theta), np.exp(0.5j * theta)])


def u3(theta: float, phi: float, lam: float) -> np.ndarray:
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array([[c, -np.exp(1j * lam) * s], [np.exp(1j * phi) * s, np.exp(1j * (phi + lam)) * c]])


ROT = {"rx": rx, "ry": ry, "rz": rz}


def embed(n: int, factors: dict[int, np.ndarray]) -> np.ndarray:
    """``(x)_q factors.get(q, I)`` with qubit ``n-1`` leftmost."""
    out = np.eye(1, dtype=complex)
    for q in reversed(range(n)):
        out = np.kron(out, factors.get(q, I2))
    return out


def controlled(n: int, control: int, target: int, gate: np.ndarray) -> np.ndarray:
    return embed(n, {control: P0}) + embed(n, {control: P1, target: gate})


def cx(n: int, control: int, target: int) -> np.ndarray:
    return controlled(n, control, target, X)


def cz(n: int, control: int, target: int) -> np.ndarray:
    return controlled(n, control, target, Z)


def run(n: int, ops: Sequence[np.ndarray]) -> np.ndarray:
    """Apply the full matrices ``ops`` in order to ``|0...0>``."""
    state = np.zeros(2**n, dtype=complex)
    state[0] = 1.0
    for op in ops:
        state = op @ state
    return state


def statevector(spec: CircuitSpec, inputs: Sequence[float] = (), weights: Sequence[float] = ()) -> np.ndarray:
    """Qiskit ``Statevector`` of ``spec`` bound to ``inputs`` and ``weights`` (in the spec's orders)."""
    values = dict(zip(spec.inputs, inputs, strict=True)) | dict(zip(spec.weights, weights, strict=True))
    return Statevector(spec.circuit.assign_parameters(values)).data
