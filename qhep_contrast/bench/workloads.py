"""Benchmark workloads of ../shared/BENCHMARKS.md as circuits (W1 hybrid layer, W2 re-uploading fidelity)."""

from __future__ import annotations

from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits.spec import CircuitSpec, z_observables

__all__ = ["w1_spec", "w2_spec"]


def _layers(qc: QuantumCircuit, x: ParameterVector, w: ParameterVector, n: int, layers: int, reupload: bool) -> None:
    for layer in range(layers):
        if reupload or layer == 0:
            for i in range(n):
                qc.ry(x[i], i)
        for i in range(n):
            qc.ry(w[2 * n * layer + i], i)
        for i in range(n):
            qc.rz(w[2 * n * layer + n + i], i)
        for i in range(n):
            qc.cx(i, (i + 1) % n)


def w1_spec(num_qubits: int = 8, num_layers: int = 3) -> CircuitSpec:
    """W1: RY(x_i) encoding, then ``num_layers`` x (RY(w) all, RZ(w) all, CX(i, i+1 mod n)); reads <Z_i>.

    Weights: ``2 * num_qubits * num_layers`` (48 at 8 x 3).
    """
    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", 2 * num_qubits * num_layers)
    qc = QuantumCircuit(num_qubits, name=f"W1_{num_qubits}q")
    _layers(qc, x, w, num_qubits, num_layers, reupload=False)
    return CircuitSpec(qc, list(x), list(w), z_observables(num_qubits), name=qc.name)


def w2_spec(num_qubits: int = 8, num_layers: int = 3) -> CircuitSpec:
    """W2: ``num_layers`` x (RY(x_i), RY(w) all, RZ(w) all, CX ring): data re-uploading, 48 weights at 8 x 3."""
    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", 2 * num_qubits * num_layers)
    qc = QuantumCircuit(num_qubits, name=f"W2_{num_qubits}q")
    _layers(qc, x, w, num_qubits, num_layers, reupload=True)
    return CircuitSpec(qc, list(x), list(w), z_observables(num_qubits), name=qc.name)
