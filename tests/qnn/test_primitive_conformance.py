"""One conformance suite for every executor: forward values and gradients against the exact engine.

Exact executors must agree to round-off. Sampled ones must agree within 5 standard deviations, where the
deviations are bounded from the shot count: a binding's estimate of ``sum_o v_o <O_o>`` has variance at most
``(sum_o |v_o|)**2 / shots`` (each shot contributes a value in ``[-sum|v|, sum|v|]``), and a parameter-shift
gradient entry adds independent bindings with the coefficients ``C @ J`` of :mod:`qhep_contrast.qnn.param_shift`.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit_machine_learning.connectors import TorchConnector

from qhep_contrast.qnn import QuantumLayer
from tests.qnn.conftest import EXECUTORS, SHOTS, CallCounter, shift_variance_factors, toy_spec


@pytest.fixture(params=list(EXECUTORS), scope="module")
def executor(request):
    return request.param, EXECUTORS[request.param]


def _reference(spec, x: torch.Tensor, v: torch.Tensor, output: str):
    exact = QuantumLayer(spec, output=output, seed=5).double()
    xr = x.clone().requires_grad_(True)
    out = exact(xr)
    (out * v).sum().backward()
    return exact, out.detach(), xr.grad, exact.weight.grad


def _run(layer: QuantumLayer, x: torch.Tensor, v: torch.Tensor):
    xr = x.clone().requires_grad_(True)
    out = layer(xr)
    (out * v).sum().backward()
    return out.detach(), xr.grad, layer.weight.grad


def _tolerances(spec, x, w, v, per_binding_bound, shots, sampled, margin):
    if not sampled:
        return 1e-8, 1e-8, 1e-8
    bound = per_binding_bound(v)  # (B,) bound on |per-shot value|
    fx, fw = shift_variance_factors(spec, x, w)
    sx = bound[:, None] * np.sqrt(fx / shots)
    sw = np.sqrt((bound[:, None] ** 2 * fw).sum(axis=0) / shots)
    return 5 / np.sqrt(shots), torch.as_tensor(5 * margin * sx), torch.as_tensor(5 * margin * sw)


def test_expectations_and_gradients(executor) -> None:
    name, cfg = executor
    spec = toy_spec()
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, spec.num_inputs, generator=g, dtype=torch.float64) * 3 - 1.5
    v = torch.rand(3, len(spec.observables), generator=g, dtype=torch.float64) * 2 - 1
    exact, ref, gx_ref, gw_ref = _reference(spec, x, v, "expectation")
    layer = QuantumLayer(spec, execution=cfg).double()
    layer.load_state_dict(exact.state_dict())
    out, gx, gw = _run(layer, x, v)
    tol_f, tol_x, tol_w = _tolerances(spec, x, exact.weight.detach(), v, lambda v: v.abs().sum(1).numpy(), SHOTS,
                                      cfg.shots is not None, 2.0 if cfg.kind == "ibm" else 1.0)
    assert out.shape == ref.shape and out.dtype == torch.float64
    assert (out - ref).abs().max() <= tol_f
    assert ((gx - gx_ref).abs() <= tol_x).all(), (gx - gx_ref, tol_x)
    assert ((gw - gw_ref).abs() <= tol_w).all(), (gw - gw_ref, tol_w)
    assert list(layer.state_dict()) == ["weight"]


@pytest.mark.parametrize("name", ["aer-shots", "ibm-local"])
def test_probabilities_and_gradients(name: str) -> None:
    cfg = EXECUTORS[name]
    spec = toy_spec(2)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(2, spec.num_inputs, generator=g, dtype=torch.float64) * 3 - 1.5
    v = torch.rand(2, 4, generator=g, dtype=torch.float64) * 2 - 1
    exact, ref, gx_ref, gw_ref = _reference(spec, x, v, "probabilities")
    layer = QuantumLayer(spec, output="probabilities", execution=cfg).double()
    layer.load_state_dict(exact.state_dict())
    out, gx, gw = _run(layer, x, v)
    tol_f, tol_x, tol_w = _tolerances(spec, x, exact.weight.detach(), v, lambda v: v.abs().max(1).values.numpy(),
                                      SHOTS, True, 2.0 if cfg.kind == "ibm" else 1.0)
    torch.testing.assert_close(out.sum(1), torch.ones(2, dtype=torch.float64))
    assert (out - ref).abs().max() <= tol_f
    assert ((gx - gx_ref).abs() <= tol_x).all(), (gx - gx_ref, tol_x)
    assert ((gw - gw_ref).abs() <= tol_w).all(), (gw - gw_ref, tol_w)


@pytest.mark.parametrize("name", ["aer", "aer-shots", "ibm-local"])
@pytest.mark.parametrize("output", ["expectation", "probabilities"])
def test_one_job_forward_one_job_backward(name: str, output: str, monkeypatch) -> None:
    """A training step (forward, backward of a loss, optimizer step) costs 1 + 1 primitive runs."""
    if name == "aer" and output == "probabilities":
        pytest.skip("probabilities are sampled: aer needs shots")
    spec = toy_spec(3)
    cfg = EXECUTORS[name]
    cfg = cfg if cfg.shots is None else cfg.replace(shots=256)  # counting jobs, not checking values
    layer = QuantumLayer(spec, output=output, execution=cfg, seed=0)
    front = torch.nn.Linear(4, spec.num_inputs)
    optimizer = torch.optim.SGD([*front.parameters(), *layer.parameters()], lr=0.1)
    counter = CallCounter(monkeypatch, layer._runner.primitive)
    connector = layer._runner.connector
    assert isinstance(connector, TorchConnector) and connector.neural_network is layer._runner.qnn
    x = torch.rand(5, 4, generator=torch.Generator().manual_seed(2))
    out = layer(front(x))
    assert counter.calls == 1 and counter.pubs == [1]  # one broadcast PUB, all observables merged
    out.square().mean().backward()
    optimizer.step()
    assert counter.calls == 2
    assert front.weight.grad is not None and front.weight.grad.abs().sum() > 0  # gradients reach earlier layers
    assert layer.weight.grad.abs().sum() > 0


def test_connector_alone_uses_its_own_weight() -> None:
    """``LayerConnector(qnn)(x)`` is a plain ``TorchConnector``: it evaluates at (and trains) its own weight."""
    spec = toy_spec(2)
    layer = QuantumLayer(spec, execution=EXECUTORS["aer"], seed=4).double()
    connector = layer._runner.connector
    with torch.no_grad():
        connector.weight.copy_(layer.weight)
    x = torch.rand(3, spec.num_inputs, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    out = connector(x)
    torch.testing.assert_close(out, layer(x), atol=1e-12, rtol=0)
    out.sum().backward()
    assert connector.weight.grad is not None and connector.weight.grad.abs().sum() > 0


def test_weights_move_between_executors() -> None:
    spec = toy_spec(2)
    aer = QuantumLayer(spec, execution=EXECUTORS["aer"], seed=1)
    exact = QuantumLayer(spec, seed=2)
    exact.load_state_dict(aer.state_dict())
    x = torch.rand(4, spec.num_inputs, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(exact(x), aer(x), atol=1e-5, rtol=0)
    assert aer(x).dtype == torch.float32
