"""Optional peer frameworks for the W1/W2 comparisons (the ``bench`` extra); skipped when not installed.

Each factory returns ``(step, forward, x, w)`` (``forward()`` gives ``<Z_i>`` as a numpy-convertible array,
``step()`` one forward + backward of the summed output w.r.t. inputs and weights) or, when the framework is
missing, the reason it was skipped. The caller checks ``forward()`` against ``Statevector`` before timing.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["pennylane_w1", "lightning_w1", "tensorcircuit_w1", "tensorcircuit_w2"]

_HINT = "pip install 'qhep-contrast[bench]'"


def pennylane_w1(spec: CircuitSpec, num_layers: int, batch: int, device: str = "default.qubit",
                 diff_method: str = "backprop") -> tuple | str:
    """PennyLane (torch interface, parameter broadcasting) running W1: ``default.qubit`` with backprop by
    default, or e.g. ``device="lightning.qubit", diff_method="adjoint"`` (its C++ adjoint gradients).

    Returns ``(step, forward, x, w)`` or, when PennyLane (or the device) is missing, the reason it was skipped.
    Wire ``i`` is Qiskit qubit ``i``; the output is <Z_i> per wire, so no reordering is needed.
    """
    try:
        import pennylane as qml
    except ImportError:
        return f"PennyLane not installed ({_HINT})"
    n = spec.num_qubits
    try:
        dev = qml.device(device, wires=n)
    except Exception as err:  # noqa: BLE001 - a missing plugin raises PennyLane's own error types
        return f"PennyLane device {device!r} unavailable ({type(err).__name__})"

    @qml.qnode(dev, interface="torch", diff_method=diff_method)
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


def lightning_w1(spec: CircuitSpec, num_layers: int, batch: int) -> tuple | str:
    """PennyLane ``lightning.qubit`` with its adjoint gradients (C++, one sample at a time) running W1."""
    return pennylane_w1(spec, num_layers, batch, "lightning.qubit", "adjoint")


def _tensorcircuit():
    """``(tc, jax, jnp)`` with the jax backend in complex64, or the reason they are unavailable."""
    try:
        import jax
        import jax.numpy as jnp
        import tensorcircuit as tc
    except ImportError:
        return f"TensorCircuit-NG / jax not installed ({_HINT})"
    tc.set_backend("jax")
    tc.set_dtype("complex64")
    return tc, jax, jnp


def _tc_layers(tc, c, w, n: int, num_layers: int, reupload=None) -> None:
    """W1/W2 trainable layers on a TensorCircuit circuit (``reupload``: inputs applied before each layer)."""
    for layer in range(num_layers):
        if reupload is not None:
            for i in range(n):
                c.ry(i, theta=reupload[i])
        for i in range(n):
            c.ry(i, theta=w[2 * n * layer + i])
        for i in range(n):
            c.rz(i, theta=w[2 * n * layer + n + i])
        for i in range(n):
            c.cnot(i, (i + 1) % n)


def _jax_step(jax, jnp, fn, in_axes: tuple, args: list) -> tuple:
    """``(step, forward)`` of ``fn`` vmapped over ``in_axes``: ``forward()`` its batched values as numpy,
    ``step()`` one jitted gradient of their sum w.r.t. every argument, waited for."""
    batched = jax.jit(jax.vmap(fn, in_axes=in_axes))
    grad = jax.jit(jax.grad(lambda *a: jnp.sum(jax.vmap(fn, in_axes=in_axes)(*a)), argnums=tuple(range(len(args)))))

    def forward() -> np.ndarray:
        return np.asarray(batched(*args))

    def step() -> None:
        jax.block_until_ready(grad(*args))

    return step, forward


def _random_args(jnp, seed: int, shapes: list[tuple[int, ...]]) -> list:
    gen = np.random.default_rng(seed)
    return [jnp.asarray(gen.random(shape, dtype=np.float32)) for shape in shapes]


def _as_torch(arrays: list) -> list[torch.Tensor]:
    return [torch.from_numpy(np.array(a)) for a in arrays]


def tensorcircuit_w1(spec: CircuitSpec, num_layers: int, batch: int, device: str = "cpu") -> tuple | str:
    """TensorCircuit-NG (jax backend, complex64) running W1, ``jit(grad(sum(vmap(circuit))))``.

    TensorCircuit's qubit ``i`` is wired as Qiskit qubit ``i`` (gates and ``<Z_i>`` name qubits, so its
    big-endian state ordering does not matter). ``device="cuda"`` puts the arrays on JAX's first GPU (JAX is
    told not to pre-allocate the GPU memory torch shares). Returns ``(step, forward, x, w)`` or why it was
    skipped.
    """
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    mods = _tensorcircuit()
    if isinstance(mods, str):
        return mods
    tc, jax, jnp = mods
    n = spec.num_qubits

    def one(x, w):
        c = tc.Circuit(n)
        for i in range(n):
            c.ry(i, theta=x[i])
        _tc_layers(tc, c, w, n, num_layers)
        return jnp.stack([jnp.real(c.expectation_ps(z=[i])) for i in range(n)])

    args = _random_args(jnp, 0, [(batch, n), (spec.num_weights,)])
    if device != "cpu":
        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        if not gpus:
            return "JAX sees no GPU (CPU-only jaxlib?)"
        args = [jax.device_put(a, gpus[0]) for a in args]
    step, forward = _jax_step(jax, jnp, one, (0, None), args)
    return (step, forward, *_as_torch(args))


def tensorcircuit_w2(spec: CircuitSpec, num_layers: int, batch: int) -> tuple | str:
    """TensorCircuit-NG running W2: ``F = |<psi(x1)|psi(x2)>|^2`` for ``batch`` pairs, grad w.r.t. x1, x2, w.

    Returns ``(step, fidelities, x1, x2, w)`` with ``fidelities()`` the ``(batch,)`` forward values, or why it
    was skipped. States are compared with ``Statevector`` by the caller through the fidelities.
    """
    mods = _tensorcircuit()
    if isinstance(mods, str):
        return mods
    tc, jax, jnp = mods
    n = spec.num_qubits

    def state(x, w):
        c = tc.Circuit(n)
        _tc_layers(tc, c, w, n, num_layers, reupload=x)
        return c.state()

    def fid(x1, x2, w):
        return jnp.abs(jnp.vdot(state(x1, w), state(x2, w))) ** 2

    args = _random_args(jnp, 1, [(batch, n), (batch, n), (spec.num_weights,)])
    step, forward = _jax_step(jax, jnp, fid, (0, 0, None), args)
    return (step, forward, *_as_torch(args))
