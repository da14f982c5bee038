"""Gate table of the exact engine: how each supported instruction is represented.

Four representations cover the standard gate set:

* **single-qubit** gates become ``exp(i*gamma) U(theta, phi, lam)`` with each of the four derived angles an
  affine function of one gate parameter (``rx, ry, rz, p, u, u1, u2, u3, r``) or a constant matrix;
* **constant** multi-qubit gates keep their matrix (``Operator(gate).data``); permutation-with-phase
  matrices (``cx, cy, cz, swap, ccx, cswap, ...``) are applied as index gathers;
* **trig-form** rotations ``M(t) = A + cos(t/2) B_c + sin(t/2) B_s`` (``crx, cry, rxx, ryy, rzx``), with
  ``A, B_c, B_s`` solved from Qiskit's own matrices so the qubit ordering is Qiskit's by construction;
* **diagonal** rotations ``diag(exp(i (a_l t + b_l)))`` (``rzz, crz, cp, cu1``).

Gates outside the table are expanded through their Qiskit ``definition``; instructions that are not unitary
gates (measure, reset, control flow) raise :class:`UnsupportedInstructionError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import Gate, Instruction, ParameterExpression
from qiskit.circuit.library import (
    CPhaseGate,
    CRXGate,
    CRYGate,
    CRZGate,
    RXXGate,
    RYYGate,
    RZXGate,
    RZZGate,
)
from qiskit.quantum_info import Operator

__all__ = [
    "SKIP",
    "U_FORM",
    "TRIG_FORM",
    "DIAG_FORM",
    "SUPPORTED_GATES",
    "has_free_parameters",
    "constant_matrix",
    "trig_components",
    "diag_components",
    "TrigComponents",
]

SKIP = frozenset({"id", "barrier", "delay", "global_phase"})

_HALF_PI = math.pi / 2
# name -> rows (const, coef, param index) for the derived angles (theta, phi, lam, gamma)
U_FORM: dict[str, tuple[tuple[float, float, int], ...]] = {
    "rx": ((0, 1, 0), (-_HALF_PI, 0, 0), (_HALF_PI, 0, 0), (0, 0, 0)),
    "ry": ((0, 1, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)),
    "rz": ((0, 0, 0), (0, 0, 0), (0, 1, 0), (0, -0.5, 0)),
    "p": ((0, 0, 0), (0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "u1": ((0, 0, 0), (0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "u": ((0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 0, 0)),
    "u3": ((0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 0, 0)),
    "u2": ((_HALF_PI, 0, 0), (0, 1, 0), (0, 1, 1), (0, 0, 0)),
    "r": ((0, 1, 0), (-_HALF_PI, 1, 1), (_HALF_PI, -1, 1), (0, 0, 0)),
}

_TRIG_CLASSES = {"crx": CRXGate, "cry": CRYGate, "rxx": RXXGate, "ryy": RYYGate, "rzx": RZXGate}
_DIAG_CLASSES = {"rzz": RZZGate, "crz": CRZGate, "cp": CPhaseGate, "cu1": CPhaseGate}
TRIG_FORM = frozenset(_TRIG_CLASSES)
DIAG_FORM = frozenset(_DIAG_CLASSES)

#: Gates the engine runs natively (others with a Qiskit definition are expanded).
SUPPORTED_GATES = frozenset(
    {"x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "cx", "cy", "cz", "ch", "swap", "ccx",
     "cswap", "iswap", "ecr", "dcx", "unitary"}
    | set(U_FORM) | TRIG_FORM | DIAG_FORM | SKIP
)


def has_free_parameters(op: Instruction) -> bool:
    """True when any parameter of ``op`` is a symbolic ``ParameterExpression``."""
    return any(isinstance(p, ParameterExpression) and p.parameters for p in op.params)


def constant_matrix(op: Gate) -> np.ndarray:
    """Matrix of a gate without free parameters, in Qiskit's little-endian ordering of its qubits."""
    return np.asarray(Operator(op).data, dtype=np.complex128)


@dataclass(frozen=True)
class TrigComponents:
    """``M(t) = A + cos(t/2) B_c + sin(t/2) B_s`` for a one-parameter rotation gate."""

    a: np.ndarray
    b_cos: np.ndarray
    b_sin: np.ndarray


def trig_components(name: str) -> TrigComponents:
    """Solve ``A, B_c, B_s`` from the gate's matrices at t = 0, pi, -pi, 2 pi."""
    cls = _TRIG_CLASSES[name]
    m = {t: Operator(cls(t)).data for t in (0.0, math.pi, -math.pi, 2 * math.pi)}
    a = (m[0.0] + m[2 * math.pi]) / 2
    return TrigComponents(a=a, b_cos=m[0.0] - a, b_sin=(m[math.pi] - m[-math.pi]) / 2)


def diag_components(name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` with diagonal ``exp(i (a t + b))`` for a one-parameter diagonal gate."""
    cls = _DIAG_CLASSES[name]
    d0 = np.diag(Operator(cls(0.0)).data)
    dh = np.diag(Operator(cls(0.5)).data)
    b = np.angle(d0)
    a = np.angle(dh / d0) / 0.5
    return a, b
