"""`CircuitSpec`: a parametrized circuit together with the roles of its parameters.

Every builder in :mod:`qhep_contrast.circuits` returns a :class:`CircuitSpec`. The same object feeds the
exact engine (:func:`qhep_contrast.execution.exact.compile`), the primitive executors and the exporters,
so a circuit is defined once and run everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.exceptions import CircuitError

__all__ = ["CircuitSpec", "z_observables"]


def z_observables(num_qubits: int, qubits: Sequence[int] | None = None) -> tuple[SparsePauliOp, ...]:
    """Single-qubit ``Z_i`` observables, one per qubit in ``qubits`` (default: every qubit).

    Args:
        num_qubits: width of the circuit the observables act on.
        qubits: which qubits to read; ``Z_i`` acts on qubit ``i`` (Qiskit's little-endian labels).

    Returns:
        Tuple of ``SparsePauliOp`` such as ``IIIZ`` (qubit 0) for ``num_qubits=4``.
    """
    chosen = range(num_qubits) if qubits is None else qubits
    return tuple(SparsePauliOp.from_sparse_list([("Z", [q], 1.0)], num_qubits) for q in chosen)


@dataclass(frozen=True)
class CircuitSpec:
    """A parametrized circuit with named input and weight parameters and default observables.

    Attributes:
        circuit: the parametrized ``QuantumCircuit``.
        inputs: parameters bound per sample (data), in the order of the input tensor's columns.
        weights: trainable parameters, in the order of the weight vector.
        observables: default observables read by a ``QuantumLayer`` (may be empty).
        name: short identifier used in file names and tables.
        metadata: builder name and arguments (recorded in exports and run folders).
    """

    circuit: QuantumCircuit
    inputs: tuple[Parameter, ...]
    weights: tuple[Parameter, ...]
    observables: tuple[SparsePauliOp, ...] = ()
    name: str = "circuit"
    metadata: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "weights", tuple(self.weights))
        object.__setattr__(self, "observables", tuple(self.observables))
        declared = set(self.inputs) | set(self.weights)
        if len(declared) != len(self.inputs) + len(self.weights):
            raise CircuitError(
                f"CircuitSpec {self.name!r}: a parameter is listed twice among inputs and weights; "
                "each parameter must have exactly one role."
            )
        unbound = set(self.circuit.parameters) - declared
        if unbound:
            names = sorted(p.name for p in unbound)
            raise CircuitError(
                f"CircuitSpec {self.name!r}: circuit parameters {names} are neither inputs nor weights; "
                "list them in `inputs` or `weights`, or bind them with `assign_parameters` first."
            )
        for obs in self.observables:
            if obs.num_qubits != self.circuit.num_qubits:
                raise CircuitError(
                    f"CircuitSpec {self.name!r}: observable on {obs.num_qubits} qubits for a circuit of "
                    f"{self.circuit.num_qubits} qubits; build observables with num_qubits="
                    f"{self.circuit.num_qubits}."
                )

    @property
    def num_qubits(self) -> int:
        """Number of qubits of the circuit."""
        return self.circuit.num_qubits

    @property
    def num_inputs(self) -> int:
        """Number of per-sample input parameters."""
        return len(self.inputs)

    @property
    def num_weights(self) -> int:
        """Number of trainable weight parameters."""
        return len(self.weights)
