"""Gate-layer helpers shared by the builders: rotation layers and entangling patterns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from qiskit.circuit import ParameterExpression, QuantumCircuit

ROTATIONS = ("rx", "ry", "rz")
ENTANGLERS = ("cx", "cz")
ENTANGLEMENTS = ("linear", "ring", "full")

Angle: TypeAlias = ParameterExpression | float


def entangling_pairs(num_qubits: int, entanglement: str) -> list[tuple[int, int]]:
    """(control, target) pairs of an entangling layer, in application order.

    - ``linear``: ``(i, i+1)`` for ``i = 0 .. n-2``.
    - ``ring``: ``(i, (i+1) % n)`` for ``i = 0 .. n-1``. For ``n = 2`` the closing pair ``(1, 0)`` would act
      on the same two qubits again, so ring equals linear there; for ``n = 1`` there are no pairs.
    - ``full``: every ``(i, j)`` with ``i < j``, in lexicographic order.
    """
    if entanglement == "full":
        return [(i, j) for i in range(num_qubits) for j in range(i + 1, num_qubits)]
    pairs = [(i, i + 1) for i in range(num_qubits - 1)]
    if entanglement == "ring" and num_qubits > 2:
        pairs.append((num_qubits - 1, 0))
    return pairs


def apply_rotation(circuit: QuantumCircuit, rotation: str, angle: Angle, qubit: int) -> None:
    """Append ``rotation`` (``"rx"``, ``"ry"`` or ``"rz"``) by ``angle`` on ``qubit``."""
    getattr(circuit, rotation)(angle, qubit)


def apply_entangler(circuit: QuantumCircuit, entangler: str, pairs: Sequence[tuple[int, int]]) -> None:
    """Append the two-qubit gate ``entangler`` (``"cx"`` or ``"cz"``) on each (control, target) pair."""
    for control, target in pairs:
        getattr(circuit, entangler)(control, target)
