"""Optional peer frameworks for the W1 comparison (the ``bench`` extra); skipped when not installed."""

from __future__ import annotations

import os

import numpy as np
import torch

from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["pennylane_w1", "tensorcircuit_w1"]


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


def tensorcircuit_w1(spec: CircuitSpec, num_layers: int, batch: int, device: str = "cpu") -> tuple | str:
    """TensorCircuit-NG on JAX (complex64, ``jit`` of ``vmap`` over the batch) running W1.

    One step is ``jax.value_and_grad`` of the summed <Z_i> with respect to inputs and weights, the same
    work as the package's step. ``device="cuda"`` places the arrays on JAX's first GPU (JAX is told not to
    pre-allocate most of the GPU memory, which torch shares).

    Returns ``(step, forward, x, w)`` (``forward`` gives a numpy ``(B, n)``, ``x``/``w`` are CPU torch
    tensors of the same values) or, when TensorCircuit-NG, JAX or a JAX GPU is missing, the reason.
    Circuit qubit ``i`` is Qiskit qubit ``i``; <Z_i> per qubit does not depend on the bit order.
    """
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    try:
        import jax
        import jax.numpy as jnp
        import tensorcircuit as tc
    except ImportError as exc:
        return f"TensorCircuit-NG or JAX not installed ({exc})"
    try:
        jdev = jax.devices("gpu" if device == "cuda" else "cpu")[0]
    except RuntimeError as exc:
        return f"JAX has no {'GPU' if device == 'cuda' else 'CPU'} device ({exc})"
    tc.set_backend("jax")
    tc.set_dtype("complex64")
    n = spec.num_qubits

    def expectations(x_row, w):
        c = tc.Circuit(n)
        for i in range(n):
            c.ry(i, theta=x_row[i])
        for layer in range(num_layers):
            for i in range(n):
                c.ry(i, theta=w[2 * n * layer + i])
            for i in range(n):
                c.rz(i, theta=w[2 * n * layer + n + i])
            for i in range(n):
                c.cnot(i, (i + 1) % n)
        return jnp.stack([jnp.real(c.expectation_ps(z=[i])) for i in range(n)])

    batched = jax.jit(jax.vmap(expectations, in_axes=(0, None)))
    grad = jax.jit(jax.value_and_grad(lambda x, w: jnp.sum(jax.vmap(expectations, in_axes=(0, None))(x, w)),
                                      argnums=(0, 1)))
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, n, generator=gen)
    w = torch.rand(spec.num_weights, generator=gen)
    jx = jax.device_put(jnp.asarray(x.numpy()), jdev)
    jw = jax.device_put(jnp.asarray(w.numpy()), jdev)

    def forward() -> np.ndarray:
        return np.asarray(batched(jx, jw))

    def step() -> None:
        _, (gx, gw) = grad(jx, jw)
        gx.block_until_ready()
        gw.block_until_ready()

    return step, forward, x, w
