"""The adjoint gradient path of the exact engine against the fused node, the stage-by-stage autograd path
and the parameter-shift rule; its bounded memory; the choice of path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.circuits import w1_spec
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.exact import circuit as circuit_module
from qhep_contrast.execution.exact import compile
from tests.execution.random_circuits import random_circuit

_COMPLEX = {torch.float32: torch.complex64, torch.float64: torch.complex128}


def _observables(rng: np.random.Generator, n: int, count: int) -> list[SparsePauliOp]:
    """Random Hermitian observables: one or two Pauli strings with real coefficients, and Z on qubit 0."""
    obs = []
    for _ in range(count):
        labels = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(int(rng.integers(1, 3)))]
        obs.append(SparsePauliOp(labels, coeffs=rng.normal(size=len(labels))))
    return [*obs, SparsePauliOp("I" * (n - 1) + "Z")]


def _grads(ec, x, w, obs, upstream, gradient: str | None, chunk_bytes: int | None = None):
    """``<O>`` and the gradients of ``sum(upstream * <O>)`` w.r.t. ``x`` and ``w`` by one gradient path
    (``None``: the stage-by-stage autograd reference)."""
    x = x.detach().clone().requires_grad_(True)
    w = w.detach().clone().requires_grad_(True)
    saved = ec.chunk_bytes
    if chunk_bytes is not None:
        ec.chunk_bytes = chunk_bytes
    try:
        if gradient is None:
            values = ec.observable_program(obs)(ec._statevector_stages(x, w, _COMPLEX[x.dtype]))
        else:
            values = ec.expectation(x, w, obs, gradient=gradient)
    finally:
        ec.chunk_bytes = saved
    if values.requires_grad:
        (values * upstream).sum().backward()
    zero = lambda t: torch.zeros_like(t) if t.grad is None else t.grad  # noqa: E731
    return values.detach(), zero(x), zero(w)


def _random_case(seed: int, dtype: torch.dtype, batch: int = 5):
    qc, inputs, weights = random_circuit(7000 + seed)
    ec = compile(qc, inputs, weights)
    rng = np.random.default_rng(seed)
    obs = _observables(rng, qc.num_qubits, 3)
    g = torch.Generator().manual_seed(seed)
    x = ((torch.rand(batch, len(inputs), generator=g, dtype=torch.float64) * 2 - 1) * np.pi).to(dtype)
    w = ((torch.rand(len(weights), generator=g, dtype=torch.float64) * 2 - 1) * np.pi).to(dtype)
    upstream = torch.randn(batch, len(obs), generator=g, dtype=torch.float64).to(dtype)
    return qc, ec, obs, x, w, upstream


@pytest.mark.parametrize("seed", range(40))
def test_adjoint_matches_autograd_on_random_circuits(seed: int) -> None:
    """Every gate kind, several (non-diagonal) observables, a random upstream gradient, chunks of 2 samples."""
    qc, ec, obs, x, w, upstream = _random_case(seed, torch.float64)
    ref = _grads(ec, x, w, obs, upstream, None)
    got = _grads(ec, x, w, obs, upstream, "adjoint", chunk_bytes=2 * 16 << qc.num_qubits)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-10, rtol=0)


@pytest.mark.parametrize("seed", range(12))
def test_adjoint_matches_fused_complex64(seed: int) -> None:
    """complex64: the adjoint and fused paths agree to 1e-5 (Z observables, which the fused node reads)."""
    qc, inputs, weights = random_circuit(7100 + seed, gates=frozenset({"rx", "ry", "rz", "h", "cx", "cz", "rzz",
                                                                       "crz", "swap", "p", "u"}))
    ec = compile(qc, inputs, weights)
    n = qc.num_qubits
    obs = [SparsePauliOp("I" * (n - 1 - q) + "Z" + "I" * q) for q in range(n)]
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(6, len(inputs), generator=g) * 2 - 1) * np.pi
    w = (torch.rand(len(weights), generator=g) * 2 - 1) * np.pi
    upstream = torch.randn(6, n, generator=g)
    ref = _grads(ec, x, w, obs, upstream, "fused")
    got = _grads(ec, x, w, obs, upstream, "adjoint", chunk_bytes=4 * 8 << n)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, rtol=0)


def _parameter_shift(ec, x: torch.Tensor, w: torch.Tensor, obs, upstream: torch.Tensor):
    """Gradients of ``sum(upstream * <O>)`` by the parameter-shift rule (every angle of W1 is one rotation
    angle with coefficient 1: ``d<O>/dt = (<O>(t + pi/2) - <O>(t - pi/2)) / 2``), per sample for inputs."""
    def loss(xv, wv):
        with torch.no_grad():
            return (ec.expectation(xv, wv, obs, gradient="fused") * upstream).sum(1)  # (B,)

    s = np.pi / 2
    gx = torch.zeros_like(x)
    for i in range(x.shape[1]):
        e = torch.zeros_like(x)
        e[:, i] = s
        gx[:, i] = (loss(x + e, w) - loss(x - e, w)) / 2
    gw = torch.zeros_like(w)
    for j in range(w.shape[0]):
        e = torch.zeros_like(w)
        e[j] = s
        gw[j] = ((loss(x, w + e) - loss(x, w - e)) / 2).sum()
    return gx, gw


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_adjoint_matches_parameter_shift(dtype: torch.dtype, tol: float) -> None:
    spec = w1_spec(5, 2)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    obs = [*spec.observables, SparsePauliOp(["XXIIY", "ZIZIZ"], coeffs=[0.7, -1.3])]
    g = torch.Generator().manual_seed(3)
    x = (torch.rand(4, spec.num_inputs, generator=g, dtype=torch.float64) * 2 * np.pi).to(dtype)
    w = (torch.rand(spec.num_weights, generator=g, dtype=torch.float64) * 2 * np.pi).to(dtype)
    upstream = torch.randn(4, len(obs), generator=g, dtype=torch.float64).to(dtype)
    _, gx, gw = _grads(ec, x, w, obs, upstream, "adjoint", chunk_bytes=1)  # one sample per chunk
    px, pw = _parameter_shift(ec, x.double(), w.double(), obs, upstream.double())
    assert gx.abs().max() > 0.1 and gw.abs().max() > 0.1  # the input-angle gradients are there
    np.testing.assert_allclose(gx.double().numpy(), px.numpy(), atol=tol * 10, rtol=0)
    np.testing.assert_allclose(gw.double().numpy(), pw.numpy(), atol=tol * 10 * x.shape[0], rtol=0)


def test_adjoint_keeps_no_state_per_stage() -> None:
    """Between forward and backward the adjoint path (batch in 4 chunks) keeps only the small tables, while
    the stage-by-stage autograd path keeps states of the whole batch (measured by the same hooks)."""
    spec = w1_spec(12, 3)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    x = torch.rand(32, spec.num_inputs, requires_grad=True)
    w = torch.rand(spec.num_weights, requires_grad=True)
    obs = ec.observable_program(spec.observables)
    state_bytes = x.shape[0] * 8 << spec.num_qubits

    def saved_bytes(adjoint: bool) -> int:
        total = 0

        def pack(t: torch.Tensor) -> torch.Tensor:
            nonlocal total
            total += t.numel() * t.element_size()
            return t

        saved = ec.chunk_bytes
        ec.chunk_bytes = 8 * 8 << spec.num_qubits
        try:
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                out = (ec.expectation(x, w, obs, gradient="adjoint") if adjoint
                       else obs(ec._statevector_stages(x, w, torch.complex64)))
        finally:
            ec.chunk_bytes = saved
        out.sum().backward()
        return total

    assert saved_bytes(False) > 2 * state_bytes
    assert saved_bytes(True) < state_bytes // 4


def test_gradient_choice() -> None:
    spec = w1_spec(4, 1)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    assert not ec.uses_adjoint() and not ec.uses_adjoint("fused") and ec.uses_adjoint("adjoint")
    with pytest.raises(ConfigError, match="gradient must be one of"):
        ec.uses_adjoint("backprop")
    big = circuit_module.ADJOINT_FROM_BYTES // 8 >> 4  # samples whose complex64 states fill the threshold
    assert ec.uses_adjoint(batch=big) and not ec.uses_adjoint(batch=big - 1)
    assert ec.uses_adjoint(batch=big // 2, dtype=torch.complex128) and not ec.uses_adjoint("fused", batch=big)
    old = circuit_module.ADJOINT_FROM_QUBITS
    circuit_module.ADJOINT_FROM_QUBITS = 4
    try:
        assert ec.uses_adjoint() and ec.uses_adjoint("auto") and not ec.uses_adjoint("fused")
    finally:
        circuit_module.ADJOINT_FROM_QUBITS = old


def test_adjoint_without_gradients_is_the_forward() -> None:
    spec = w1_spec(6, 2)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    x = torch.rand(7, spec.num_inputs)
    w = torch.rand(spec.num_weights)
    saved = ec.chunk_bytes
    ec.chunk_bytes = 3 * 8 << 6
    try:
        got = ec.expectation(x, w, spec.observables, gradient="adjoint")
    finally:
        ec.chunk_bytes = saved
    np.testing.assert_allclose(got.numpy(), ec.expectation(x, w, spec.observables, gradient="fused").numpy(),
                               atol=1e-6)
