"""Cost figures of a transpiled (ISA) circuit: depths, gate counts, duration, layout, success estimate.

One pass over the instructions computes both depths (the same rule as ``QuantumCircuit.depth``: an
instruction not counted by the filter still synchronises the levels of its qubits and clbits), the gate
counts and the active qubits; the success estimate is :func:`~qhep_contrast.hardware.success.error_budget`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from qiskit.circuit import CircuitInstruction, QuantumCircuit
from qiskit.transpiler import Target

from qhep_contrast.hardware.success import estimated_success_probability

__all__ = ["CircuitMetrics", "circuit_metrics", "is_two_qubit_gate"]


@dataclass(frozen=True)
class CircuitMetrics:
    """What a transpiled circuit costs on one backend.

    Attributes:
        num_qubits: qubits of the logical circuit (virtual qubits, ancillas excluded).
        active_qubits: physical qubits touched by any gate or measurement (routing ancillas included).
        depth: circuit depth (``QuantumCircuit.depth()``: barriers excluded).
        two_qubit_depth: depth counting only two-qubit gates.
        two_qubit_count: number of two-qubit gates.
        gate_counts: instruction name -> count (as ``QuantumCircuit.count_ops``, barriers included).
        duration_s: ``circuit.estimate_duration(target, unit="s")``; NaN when the target has no durations.
        success_probability: :func:`~qhep_contrast.hardware.success.estimated_success_probability`.
        initial_layout: physical qubit of each virtual qubit before routing (``()`` without a layout).
        final_layout: physical qubit holding each virtual qubit at the end, after routing permutations.
    """

    num_qubits: int
    active_qubits: int
    depth: int
    two_qubit_depth: int
    two_qubit_count: int
    gate_counts: dict[str, int]
    duration_s: float
    success_probability: float
    initial_layout: tuple[int, ...]
    final_layout: tuple[int, ...]


def _is_directive(instruction: CircuitInstruction) -> bool:
    return bool(getattr(instruction.operation, "_directive", False))


def is_two_qubit_gate(instruction: CircuitInstruction) -> bool:
    """True for an operation on exactly two qubits that is not a directive (a 2-qubit barrier is not a gate)."""
    return len(instruction.qubits) == 2 and not _is_directive(instruction) and instruction.operation.name != "delay"


def _depths(circuit: QuantumCircuit) -> tuple[int, int, int, set[int]]:
    """``(depth, two_qubit_depth, two_qubit_count, active qubit indices)`` in one pass."""
    index = {bit: i for i, bit in enumerate((*circuit.qubits, *circuit.clbits))}
    all_levels = [0] * len(index)
    two_levels = [0] * len(index)
    two_count = 0
    active: set[int] = set()
    for instruction in circuit.data:
        bits = [index[bit] for bit in (*instruction.qubits, *instruction.clbits)]
        if not bits:
            continue
        directive = _is_directive(instruction)
        two = is_two_qubit_gate(instruction)
        two_count += two
        if not directive and instruction.operation.name != "delay":
            active.update(bits[: len(instruction.qubits)])
        level = max(all_levels[b] for b in bits) + (not directive)
        two_level = max(two_levels[b] for b in bits) + two
        for b in bits:
            all_levels[b] = level
            two_levels[b] = two_level
    return max(all_levels, default=0), max(two_levels, default=0), two_count, active


def circuit_metrics(isa: QuantumCircuit, target: Target) -> CircuitMetrics:
    """Measure an ISA circuit on ``target``.

    Args:
        isa: the transpiled circuit (qubit ``i`` is physical qubit ``i``); may be parametrized.
        target: the target it was transpiled for.

    Returns:
        The :class:`CircuitMetrics`.
    """
    layout = isa.layout
    initial = tuple(layout.initial_index_layout(filter_ancillas=True)) if layout is not None else ()
    final = tuple(layout.final_index_layout(filter_ancillas=True)) if layout is not None else ()
    depth, two_qubit_depth, two_qubit_count, active = _depths(isa)
    return CircuitMetrics(
        num_qubits=len(initial) if layout is not None else isa.num_qubits,
        active_qubits=len(active),
        depth=depth,
        two_qubit_depth=two_qubit_depth,
        two_qubit_count=two_qubit_count,
        gate_counts=dict(Counter(instruction.operation.name for instruction in isa.data).most_common()),
        duration_s=_duration(isa, target),
        success_probability=estimated_success_probability(isa, target),
        initial_layout=initial,
        final_layout=final,
    )


def _duration(isa: QuantumCircuit, target: Target) -> float:
    """``isa.estimate_duration(target, unit="s")``, or NaN when some instruction has no duration."""
    from qiskit.exceptions import QiskitError

    try:
        return float(isa.estimate_duration(target, unit="s"))
    except QiskitError:
        return math.nan
