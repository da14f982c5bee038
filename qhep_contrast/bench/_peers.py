"""Optional peer frameworks for the W1 comparison (the ``bench`` extra); skipped when not installed."""

from __future__ import annotations


import torch

from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["pennylane_w1"]


def pennylane_w1(spec: CircuitSpec, num_layers: int, batch: int) -> tuple | str:
    """PennyLane ``default.qubit`` (torch interface, backprop, parameter broadcasting) running W1.

    Returns ``(step, forward, x, w)`` or, when PennyLane is missing, the reason it was skipped.
    Wire ``i`` is Qiskit qubit ``i``; the output is <Z_i> per wire, so no reordering is needed.
    """
    try:
        import pennylane as qml
    except ImportError:
        return "PennyLane not installed (pip install 'qhep-contrast[bench]')"
    n = spec.num_qubits
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def circuit(x: torch.Tensor, w: torch.Tensor):
        for i in range(n):
            qml.RY(x[:, i], wires=i)
        for layer in range(num_layers):
            for i in range(n):
                qml.RY(w[2 * n * layer + i], wires=i)
            for i in range(n):
                qml.RZ(w[2 * n * layer + n + i], wires=i)
            for i in range(n):
                qml.CNOT(wires=[i, (i + 1) % n])
        return [qml.expval(qml.PauliZ(i)) for i in range(n)]

    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, n, generator=gen).requires_grad_(True)
    w = torch.rand(spec.num_weights, generator=gen).requires_grad_(True)

    def forward() -> torch.Tensor:
        return torch.stack(circuit(x, w), dim=-1)

    def step() -> None:
        x.grad = w.grad = None
        forward().sum().backward()

    return step, forward, x, w
