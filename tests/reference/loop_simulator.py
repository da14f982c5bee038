"""A tiny, obviously-correct statevector simulator: a second opinion for the exact engine.

Gate matrices are written out here from their textbook formulas (Qiskit's conventions, little-endian:
qubit 0 is bit 0 of the basis index) instead of asking Qiskit for them, and every gate is applied by an
explicit loop over basis states. Slow by design; use it on a few qubits only.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

__all__ = ["gate_matrix", "simulate", "SUPPORTED"]


def _rx(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return [[c, -1j * s], [-1j * s, c]]


def _ry(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return [[c, -s], [s, c]]


def _rz(t):
    return [[cmath.exp(-0.5j * t), 0], [0, cmath.exp(0.5j * t)]]


def _u(t, p, lam):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return [[c, -cmath.exp(1j * lam) * s], [cmath.exp(1j * p) * s, cmath.exp(1j * (p + lam)) * c]]


_R2 = 1 / math.sqrt(2)
_FIXED_1Q = {
    "id": [[1, 0], [0, 1]],
    "x": [[0, 1], [1, 0]],
    "y": [[0, -1j], [1j, 0]],
    "z": [[1, 0], [0, -1]],
    "h": [[_R2, _R2], [_R2, -_R2]],
    "s": [[1, 0], [0, 1j]],
    "sdg": [[1, 0], [0, -1j]],
    "t": [[1, 0], [0, cmath.exp(0.25j * math.pi)]],
    "tdg": [[1, 0], [0, cmath.exp(-0.25j * math.pi)]],
    "sx": [[0.5 + 0.5j, 0.5 - 0.5j], [0.5 - 0.5j, 0.5 + 0.5j]],
}
_PARAM_1Q = {
    "rx": _rx,
    "ry": _ry,
    "rz": _rz,
    "p": lambda t: [[1, 0], [0, cmath.exp(1j * t)]],
    "u": _u,
}
_X, _Y, _Z = _FIXED_1Q["x"], _FIXED_1Q["y"], _FIXED_1Q["z"]


def _controlled(m):
    """Two-qubit matrix, control = qubit 0 (local bit 0), target = qubit 1 (local bit 1)."""
    out = np.eye(4, dtype=complex)
    for t_out in range(2):
        for t_in in range(2):
            out[1 + 2 * t_out, 1 + 2 * t_in] = m[t_out][t_in]
    return out


def _pauli_rot(p1, p0, t):
    """exp(-i t/2 P1 (x) P0): P0 acts on local bit 0 (the gate's first qubit)."""
    kron = np.kron(np.array(p1, dtype=complex), np.array(p0, dtype=complex))
    return math.cos(t / 2) * np.eye(4) - 1j * math.sin(t / 2) * kron


def gate_matrix(name: str, params: list[float]) -> np.ndarray:
    """Matrix of a gate in the local little-endian ordering of its qubit list."""
    if name in _FIXED_1Q:
        return np.array(_FIXED_1Q[name], dtype=complex)
    if name in _PARAM_1Q:
        return np.array(_PARAM_1Q[name](*params), dtype=complex)
    if name in ("cx", "cy", "cz", "ch"):
        return _controlled(_FIXED_1Q[name[1:]])
    if name in ("crx", "cry", "crz", "cp"):
        return _controlled(_PARAM_1Q[name[1:]](*params))
    if name == "swap":
        return np.eye(4)[[0, 2, 1, 3]].astype(complex)
    if name == "rxx":
        return _pauli_rot(_X, _X, params[0])
    if name == "ryy":
        return _pauli_rot(_Y, _Y, params[0])
    if name == "rzz":
        return _pauli_rot(_Z, _Z, params[0])
    if name == "rzx":  # Qiskit: Z on the first qubit, X on the second -> X (x) Z in little-endian kron
        return _pauli_rot(_X, _Z, params[0])
    if name == "ccx":
        m = np.eye(8, dtype=complex)
        m[[3, 7]] = m[[7, 3]]
        return m
    if name == "cswap":
        m = np.eye(8, dtype=complex)
        m[[3, 5]] = m[[5, 3]]
        return m
    raise KeyError(name)


SUPPORTED = sorted(set(_FIXED_1Q) | set(_PARAM_1Q) | {
    "cx", "cy", "cz", "ch", "crx", "cry", "crz", "cp", "swap", "rxx", "ryy", "rzz", "rzx", "ccx", "cswap"})


def simulate(num_qubits: int, gates: list[tuple[str, list[int], list[float]]], global_phase: float = 0.0) -> np.ndarray:
    """Apply ``gates`` (name, qubits, numeric params) to |0...0> with explicit loops over basis states."""
    dim = 2**num_qubits
    psi = [0j] * dim
    psi[0] = 1.0
    for name, qubits, params in gates:
        m = gate_matrix(name, params)
        k = len(qubits)
        out = [0j] * dim
        for idx in range(dim):
            amp = psi[idx]
            if amp == 0:
                continue
            col = sum(((idx >> q) & 1) << j for j, q in enumerate(qubits))
            base = idx
            for q in qubits:
                base &= ~(1 << q)
            for row in range(2**k):
                target = base | sum(((row >> j) & 1) << q for j, q in enumerate(qubits))
                out[target] += m[row, col] * amp
        psi = out
    return np.array(psi) * cmath.exp(1j * global_phase)
