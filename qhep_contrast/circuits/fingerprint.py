"""A content hash of a circuit that is the same in every Python process.

QPY bytes are not stable: QPY stores each ``Parameter``'s random UUID, so building the same circuit twice
gives different files (tested). The fingerprint hashes a canonical text instead, which names parameters
by name only::

    qregs q:8
    cregs meas:1
    global_phase 0.0
    layout initial=... final=...          (only when the circuit has a layout)
    ry x[0] | q0                          (one line per instruction: name, parameters, qubits, clbits)
    cx | q0 q1
    measure | q0 | c0

Angles print with ``repr`` (floats) or ``str`` (``ParameterExpression``, e.g. ``ew[0]*x[0] + eb[0]``), so two
circuits with the same gates, angles and layout have the same fingerprint, and a QPY round trip keeps it.
"""

from __future__ import annotations

import hashlib

import numpy as np
from qiskit.circuit import QuantumCircuit

__all__ = ["canonical_text", "circuit_fingerprint"]


def _param_text(param: object) -> str:
    """A stable text for one instruction parameter."""
    if isinstance(param, float):
        return repr(param)
    if isinstance(param, np.ndarray):
        return repr(np.round(param, 12).tolist())
    return str(param)


def canonical_text(circuit: QuantumCircuit) -> str:
    """The canonical text form described in the module docstring (registers, phase, layout, instructions)."""
    lines = [
        "qregs " + " ".join(f"{reg.name}:{reg.size}" for reg in circuit.qregs),
        "cregs " + " ".join(f"{reg.name}:{reg.size}" for reg in circuit.cregs),
        f"global_phase {_param_text(circuit.global_phase)}",
    ]
    if circuit.layout is not None:
        initial = circuit.layout.initial_index_layout(filter_ancillas=True)
        final = circuit.layout.final_index_layout(filter_ancillas=True)
        lines.append(f"layout initial={initial} final={final}")
    for instruction in circuit.data:
        params = " ".join(_param_text(p) for p in instruction.operation.params)
        qubits = " ".join(f"q{circuit.find_bit(q).index}" for q in instruction.qubits)
        clbits = " ".join(f"c{circuit.find_bit(c).index}" for c in instruction.clbits)
        head = f"{instruction.operation.name} {params}".rstrip()
        lines.append(f"{head} | {qubits}" + (f" | {clbits}" if clbits else ""))
    return "\n".join(lines) + "\n"


def circuit_fingerprint(circuit: QuantumCircuit) -> str:
    """``sha256`` (hex) of :func:`canonical_text`: stable across runs and processes for the same circuit."""
    return hashlib.sha256(canonical_text(circuit).encode("utf-8")).hexdigest()
