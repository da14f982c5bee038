"""The fused whole-circuit node (one autograd node, hand-written adjoint) against Statevector, against the
stage-by-stage evaluation, and against finite differences (gradcheck)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.circuits import w1_spec, w2_spec
from qhep_contrast.execution.exact import compile, fidelity
from tests.execution.conftest import reference_states
from tests.execution.random_circuits import random_circuit

#: gates whose stages all have a fused adjoint (no dense multi-qubit or per-sample non-rotation stages)
FUSED_GATES = frozenset({"id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p",
                         "cx", "cy", "cz", "swap", "cp", "crz", "rzz", "ccx", "cswap", "barrier"})
_COMPLEX = {torch.float32: torch.complex64, torch.float64: torch.complex128}


def _fused_circuit(seed: int, num_qubits: int | None = None, num_gates: int | None = None):
    qc, inputs, weights = random_circuit(seed, num_qubits, num_gates, gates=FUSED_GATES)
    ec = compile(qc, inputs, weights)
    assert ec._fused is not None, "the fused gate set must compile to a fused program"
    return qc, inputs, weights, ec


def _values(seed: int, n_in: int, n_w: int, batch: int, dtype: torch.dtype):
    g = torch.Generator().manual_seed(seed)
    x = ((torch.rand(batch, n_in, generator=g, dtype=torch.float64) * 2 - 1) * np.pi).to(dtype)
    w = ((torch.rand(n_w, generator=g, dtype=torch.float64) * 2 - 1) * np.pi).to(dtype)
    return x.requires_grad_(True), w.requires_grad_(True)


@pytest.mark.parametrize("seed", range(40))
def test_fused_states_match_statevector(seed: int) -> None:
    qc, inputs, weights, ec = _fused_circuit(3000 + seed)
    x, w = _values(seed, len(inputs), len(weights), 3, torch.float64)
    ref = reference_states(qc, inputs, weights, x.detach(), w.detach())
    np.testing.assert_allclose(ec.statevector(x, w).detach().numpy(), ref, atol=1e-10, rtol=0)
    np.testing.assert_allclose(ec.statevector(x.float(), w.float()).detach().numpy(), ref, atol=1e-5, rtol=0)


def _loss_and_grads(ec, spec_obs, x, w, fused: bool):
    """A loss touching the states, a Z read-out and fidelities, and its gradients, by either path."""
    x.grad = w.grad = None
    if fused:
        psi = ec.statevector(x, w)
        z = ec.expectation(x, w, spec_obs)
    else:
        psi = ec._statevector_stages(x, w, _COMPLEX[x.dtype])
        z = ec.observable_program(spec_obs)(psi)
    phases = torch.linspace(-1, 1, psi.shape[1], dtype=x.dtype)
    loss = (psi.real * phases).sum() + (psi.imag * phases.flip(0)).sum() + (z * z).sum()
    loss = loss + fidelity(psi[:1].expand(psi.shape[0] - 1, -1), psi[1:]).sum()
    loss.backward()
    grads = [torch.zeros_like(t) if t.grad is None else t.grad for t in (x, w)]  # unused inputs: no gradient
    return [t.detach().clone() for t in (psi, z, *grads)]


@pytest.mark.parametrize("seed", range(30))
def test_fused_gradients_equal_stage_by_stage(seed: int) -> None:
    from qhep_contrast.circuits import z_observables

    qc, inputs, weights, ec = _fused_circuit(4000 + seed)
    obs = z_observables(qc.num_qubits)
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, 2e-4)):
        x, w = _values(seed, len(inputs), len(weights), 4, dtype)
        fused = _loss_and_grads(ec, obs, x, w, True)
        staged = _loss_and_grads(ec, obs, x, w, False)
        for a, b in zip(fused, staged):
            torch.testing.assert_close(a, b, atol=tol, rtol=0)


@pytest.mark.parametrize("seed", range(10))
def test_fused_gradcheck(seed: int) -> None:
    from qhep_contrast.circuits import z_observables

    qc, inputs, weights, ec = _fused_circuit(5000 + seed, num_qubits=int(1 + seed % 4), num_gates=14)
    obs = z_observables(qc.num_qubits)
    x, w = _values(seed, len(inputs), len(weights), 3, torch.float64)
    assert torch.autograd.gradcheck(lambda a, b: ec.expectation(a, b, obs), (x, w), atol=1e-7)
    assert torch.autograd.gradcheck(lambda a, b: torch.view_as_real(ec.statevector(a, b)), (x, w), atol=1e-7)


@pytest.mark.parametrize("make", [lambda: w1_spec(5, 2), lambda: w2_spec(5, 2)])
def test_workloads_are_fused_and_gradcheck(make) -> None:
    spec = make()
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    assert ec._fused is not None
    x, w = _values(1, spec.num_inputs, spec.num_weights, 4, torch.float64)
    assert torch.autograd.gradcheck(lambda a, b: ec.expectation(a, b, spec.observables), (x, w), atol=1e-7)
    assert torch.autograd.gradcheck(
        lambda a, b: fidelity(ec.statevector(a[:2], b), ec.statevector(a[2:], b)), (x, w), atol=1e-7)


def test_no_grad_and_single_input_gradients() -> None:
    spec = w1_spec(4, 2)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    x, w = _values(2, spec.num_inputs, spec.num_weights, 5, torch.float64)
    with torch.no_grad():
        ref = ec.expectation(x, w, spec.observables)
    ec.expectation(x.detach(), w, spec.observables).sum().backward()
    gw = w.grad.clone()
    w.grad = None
    ec.expectation(x, w.detach(), spec.observables).sum().backward()
    assert x.grad is not None and w.grad is None
    out = ec.expectation(x, w, spec.observables)
    torch.testing.assert_close(out.detach(), ref)
    out.sum().backward()
    torch.testing.assert_close(w.grad, gw)


def test_small_states_run_single_threaded_and_restore_the_thread_count() -> None:
    from qhep_contrast.execution.exact import _fused

    spec = w1_spec(4, 2)
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    x, w = _values(3, spec.num_inputs, spec.num_weights, 2, torch.float32)
    before = torch.get_num_threads()
    seen = []
    original = _fused._Fused._backward

    def spy(ctx, g):
        seen.append(torch.get_num_threads())
        return original(ctx, g)

    torch.set_num_threads(2)
    try:
        _fused._Fused._backward = staticmethod(spy)
        ec.expectation(x, w, spec.observables).sum().backward()
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        _fused._Fused._backward = staticmethod(original)
        torch.set_num_threads(before)
