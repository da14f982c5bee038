"""The gate set every builder in :mod:`qhep_contrast.circuits` restricts itself to.

The exact torch engine (:mod:`qhep_contrast.execution.exact`) simulates exactly these instructions, so a
circuit built here runs on every executor. ``measure`` appears only in the sampler variants of the fidelity
circuits (``measure=True``), which the exact engine does not run.
"""

from __future__ import annotations

from qiskit.circuit import QuantumCircuit

__all__ = ["ENGINE_GATES", "unsupported_instructions"]

ENGINE_GATES: frozenset[str] = frozenset(
    {
        "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p", "u",
        "cx", "cy", "cz", "ch", "swap", "cp", "crx", "cry", "crz", "rxx", "ryy", "rzz", "rzx",
        "ccx", "cswap", "barrier",
    }
)  # fmt: skip


def unsupported_instructions(circuit: QuantumCircuit, allowed: frozenset[str] = ENGINE_GATES) -> list[str]:
    """Names of the instructions of ``circuit`` outside ``allowed``, sorted and without repeats.

    Args:
        circuit: the circuit to inspect (not decomposed: a composite gate counts under its own name).
        allowed: permitted instruction names; default :data:`ENGINE_GATES`.

    Returns:
        An empty list when every instruction is allowed.
    """
    return sorted({instruction.operation.name for instruction in circuit.data} - allowed)
