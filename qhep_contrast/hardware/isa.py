"""Transpile a parametrized circuit to an ISA circuit for one backend, reproducibly.

Always transpile the parametrized circuit and bind afterwards: binding first lets the optimiser simplify
with the particular values (binding ``x1 = x2`` in compute-uncompute made level 3 cancel the whole circuit).
Parametrized ``u``/``p``/``cp`` are first rewritten up to a global phase
(:func:`~qhep_contrast.circuits.phase_free.without_parametric_phases`) to avoid Qiskit's super-linear
parametric global-phase bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence

from qiskit.circuit import QuantumCircuit
from qiskit.providers import BackendV2
from qiskit.transpiler import generate_preset_pass_manager

from qhep_contrast.circuits.phase_free import without_parametric_phases
from qhep_contrast.exceptions import CircuitError, ConfigError

__all__ = ["to_isa"]


def to_isa(
    circuit: QuantumCircuit,
    backend: BackendV2,
    optimization_level: int,
    seed: int,
    initial_layout: Sequence[int] | None = None,
) -> QuantumCircuit:
    """``generate_preset_pass_manager(optimization_level, backend, seed_transpiler=seed).run(circuit)``.

    Args:
        circuit: the logical circuit, parametrized (not bound).
        backend: the target backend (its ``target`` defines the ISA).
        optimization_level: 0 to 3.
        seed: ``seed_transpiler``; the same seed gives the same ISA circuit.
        initial_layout: physical qubit of each virtual qubit, or ``None`` for the pass manager's choice.

    Returns:
        The ISA circuit, with ``layout`` set (physical qubit ``i`` is circuit qubit ``i``).

    Raises:
        ConfigError: ``optimization_level`` is not 0-3.
        CircuitError: the circuit has more qubits than the backend, or ``initial_layout`` has the wrong length.
    """
    if optimization_level not in (0, 1, 2, 3):
        raise ConfigError(f"optimization_level must be 0, 1, 2 or 3; got {optimization_level!r}.")
    if circuit.num_qubits > backend.num_qubits:
        raise CircuitError(
            f"circuit {circuit.name!r} has {circuit.num_qubits} qubits but backend {backend.name!r} has "
            f"{backend.num_qubits}; choose a larger backend or a smaller circuit."
        )
    if initial_layout is not None and len(initial_layout) != circuit.num_qubits:
        raise CircuitError(
            f"initial_layout has {len(initial_layout)} physical qubits for a circuit of {circuit.num_qubits} "
            "qubits; give one physical qubit per virtual qubit."
        )
    manager = generate_preset_pass_manager(
        optimization_level=optimization_level,
        backend=backend,
        seed_transpiler=seed,
        initial_layout=None if initial_layout is None else list(initial_layout),
    )
    return manager.run(without_parametric_phases(circuit))
