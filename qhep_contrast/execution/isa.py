"""ISA transpilation for a target backend, observable layout, and compaction to the qubits in use.

IBM Runtime primitives accept only ISA circuits (native gates on physical qubits). The parametrised
circuit is transpiled **once** with ``generate_preset_pass_manager`` (binding first would let the optimiser
simplify per sample) under a fixed, recorded ``seed_transpiler``, and observables are mapped with the full
layout (``apply_layout(isa.layout)``, which includes the final routing permutation).

For noisy Aer simulation :func:`compact` keeps only the physical qubits the ISA circuit touches, so the
simulated width stays that of the logical circuit (plus routing ancillas) instead of 127-156 qubits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qiskit.circuit import QuantumCircuit
from qiskit.providers import BackendV2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

__all__ = ["IsaCircuit", "to_isa", "compact"]


@dataclass(frozen=True)
class IsaCircuit:
    """A circuit transpiled for one backend, with its observables laid out.

    Attributes:
        circuit: the ISA circuit (parameters unchanged, ``num_qubits`` = the device's width).
        observables: the logical observables mapped onto the physical qubits.
        logical_qubits: width of the circuit before transpilation.
        physical_qubits: physical qubit holding logical qubit ``i`` at the end of the circuit.
        record: what to store with a run: backend, level, seed, layout, gate counts.
    """

    circuit: QuantumCircuit
    observables: tuple[SparsePauliOp, ...]
    logical_qubits: int
    physical_qubits: tuple[int, ...]
    record: dict = field(compare=False)


def to_isa(circuit: QuantumCircuit, observables: Sequence[SparsePauliOp], backend: BackendV2,
           optimization_level: int, seed_transpiler: int) -> IsaCircuit:
    """Transpile ``circuit`` (parametrised) for ``backend`` and lay out ``observables``.

    Args:
        circuit: logical circuit; measurements, if any, keep their classical bits.
        observables: logical observables on ``circuit.num_qubits`` qubits.
        backend: target backend (fake or real ``BackendV2``).
        optimization_level: preset level 0..3.
        seed_transpiler: seed of the stochastic passes (layout, routing).

    Returns:
        The :class:`IsaCircuit`.
    """
    pm = generate_preset_pass_manager(optimization_level=optimization_level, backend=backend,
                                      seed_transpiler=seed_transpiler)
    isa = pm.run(circuit)
    mapped = tuple(op.apply_layout(isa.layout) for op in observables)
    final = tuple(int(q) for q in isa.layout.final_index_layout(filter_ancillas=True))
    ops = isa.count_ops()
    two_qubit = sum(1 for inst in isa.data if inst.operation.num_qubits == 2)
    record = {
        "backend": backend.name,
        "optimization_level": optimization_level,
        "seed_transpiler": seed_transpiler,
        "physical_qubits": list(final),
        "two_qubit_gates": two_qubit,
        "depth": isa.depth(),
        "ops": {str(k): int(v) for k, v in ops.items()},
    }
    return IsaCircuit(isa, mapped, circuit.num_qubits, final, record)


def _active_qubits(isa: IsaCircuit) -> list[int]:
    circuit = isa.circuit
    used = {circuit.find_bit(q).index for inst in circuit.data if inst.operation.name != "barrier"
            for q in inst.qubits}
    return sorted(used | set(isa.physical_qubits))


def compact(isa: IsaCircuit) -> tuple[QuantumCircuit, tuple[SparsePauliOp, ...], list[int]]:
    """Drop idle physical qubits: relabel the qubits in use to ``0..k-1``.

    Returns:
        ``(circuit, observables, qubits)``: the ``k``-qubit circuit (same gates, parameters and classical
        bits), the observables restricted to those qubits, and the physical qubit of each new index.
    """
    qubits = _active_qubits(isa)
    index = {q: i for i, q in enumerate(qubits)}
    src = isa.circuit
    out = QuantumCircuit(len(qubits), name=src.name, global_phase=src.global_phase)
    for creg in src.cregs:
        out.add_register(creg)
    for inst in src.data:
        physical = [src.find_bit(q).index for q in inst.qubits]
        if inst.operation.name == "barrier":
            kept = [out.qubits[index[p]] for p in physical if p in index]
            if kept:
                out.barrier(kept)
            continue
        out.append(inst.operation, [out.qubits[index[p]] for p in physical], inst.clbits)
    observables = tuple(
        SparsePauliOp.from_sparse_list([(label, [index[q] for q in qs], coeff)
                                        for label, qs, coeff in op.to_sparse_list()], len(qubits))
        for op in isa.observables
    )
    return out, observables, qubits
