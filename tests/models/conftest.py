"""Fixtures for model tests: tiny circuits built directly with Qiskit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits.spec import CircuitSpec, z_observables


def tiny_encoder_then_ansatz(num_qubits: int = 3) -> CircuitSpec:
    """``RY(x_i)`` on every qubit, then ``RY(w_i)`` and a CX chain: ``U(w) V(x)`` (weights after encoding)."""
    x, w = ParameterVector("x", num_qubits), ParameterVector("w", num_qubits)
    qc = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        qc.ry(x[q], q)
    for q in range(num_qubits):
        qc.ry(w[q], q)
    for q in range(num_qubits - 1):
        qc.cx(q, q + 1)
    return CircuitSpec(qc, tuple(x), tuple(w), z_observables(num_qubits), name="tiny_u_after_v")


def tiny_reuploading(num_qubits: int = 3, num_layers: int = 2) -> CircuitSpec:
    """``num_layers`` x [``RY(x_i)``, ``RY(w)``, ``RZ(w)``, CX chain]: trainable gates between encodings."""
    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", 2 * num_qubits * num_layers)
    qc = QuantumCircuit(num_qubits)
    k = 0
    for _ in range(num_layers):
        for q in range(num_qubits):
            qc.ry(x[q], q)
        for q in range(num_qubits):
            qc.ry(w[k], q)
            qc.rz(w[k + 1], q)
            k += 2
        for q in range(num_qubits - 1):
            qc.cx(q, q + 1)
    return CircuitSpec(qc, tuple(x), tuple(w), z_observables(num_qubits), name="tiny_reuploading")


@pytest.fixture
def circuits() -> dict[str, Callable[..., CircuitSpec]]:
    """Tiny circuit builders: ``"u_after_v"`` (weights after encoding) and ``"reuploading"``."""
    return {"u_after_v": tiny_encoder_then_ansatz, "reuploading": tiny_reuploading}
