"""The dressed edge circuit of the Lie-equivariant quantum graph network (QLieGEB).

Suda Neto et al., "Lie-Equivariant Quantum Graph Neural Networks" (2024): a Hadamard on every qubit, one
``RY`` data rotation per qubit, then ``depth`` times CNOTs on the even neighbour pairs ``(0,1), (2,3), ...``,
CNOTs on the odd pairs ``(1,2), (3,4), ...`` and one trainable ``RY`` per qubit; readout ``<Z_i>`` on every
qubit. The data angles are ``tanh(a) * pi / 2`` of the classical features ``a`` (applied by the model,
outside the circuit, so the circuit's inputs are the angles themselves).
"""

from __future__ import annotations

from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits._checks import check_int
from qhep_contrast.circuits.spec import CircuitSpec, z_observables

__all__ = ["dressed_circuit"]


def dressed_circuit(num_qubits: int = 10, depth: int = 2) -> CircuitSpec:
    """The dressed circuit (``n = 4``, one layer shown)::

        q0: ─H─RY(x0)─■─────RY(w0)─
        q1: ─H─RY(x1)─X──■──RY(w1)─
        q2: ─H─RY(x2)─■──X──RY(w2)─
        q3: ─H─RY(x3)─X─────RY(w3)─

    Parameters: ``n`` inputs ``x``, ``depth * n`` weights ``w[k * n + i]`` (layer ``k``, qubit ``i``).
    Observables: ``Z_i`` on every qubit.

    Args:
        num_qubits: ``n``, at least 1 (one qubit: no CNOTs).
        depth: trainable layers, at least 1.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_qubits", num_qubits, 1)
    check_int("depth", depth, 1)
    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", depth * num_qubits)
    circuit = QuantumCircuit(num_qubits, name="dressed")
    for q in range(num_qubits):
        circuit.h(q)
        circuit.ry(x[q], q)
    for k in range(depth):
        for start in (0, 1):
            for q in range(start, num_qubits - 1, 2):
                circuit.cx(q, q + 1)
        for q in range(num_qubits):
            circuit.ry(w[k * num_qubits + q], q)
    return CircuitSpec(circuit=circuit, inputs=tuple(x), weights=tuple(w), observables=z_observables(num_qubits),
                       name=f"dressed_{num_qubits}q_{depth}d",
                       metadata={"builder": "dressed_circuit", "num_qubits": num_qubits, "depth": depth})
