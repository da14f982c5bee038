"""``output="marginals"``: the distribution of selected qubits on every executor."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.execution.marginals import marginal_probabilities
from qhep_contrast.qnn import QuantumLayer
from tests.execution.random_circuits import random_circuit
from tests.qnn.conftest import EXECUTORS, SHOTS, toy_spec


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("qubits", [(4,), (0,), (3, 1), (4, 0, 2)])
def test_exact_marginals_equal_statevector_probabilities(seed: int, qubits: tuple[int, ...]) -> None:
    circuit, inputs, weights = random_circuit(seed, num_qubits=5, num_gates=30)
    spec = CircuitSpec(circuit, list(inputs), list(weights), name="random")
    layer = QuantumLayer(spec, output="marginals", readout_qubits=qubits, seed=seed).double()
    x = torch.rand(3, spec.num_inputs, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 4 - 2
    out = layer(x)
    assert out.shape == (3, 2 ** len(qubits)) and layer.num_outputs == 2 ** len(qubits)
    for b in range(3):
        values = [*x[b].tolist(), *layer.weight.detach().tolist()]
        bound = circuit.assign_parameters(dict(zip([*spec.inputs, *spec.weights], values)))
        ref = Statevector(bound).probabilities(list(qubits))
        np.testing.assert_allclose(out[b].detach().numpy(), ref, atol=1e-10)


def test_marginals_are_differentiable_sums_of_probabilities() -> None:
    spec = toy_spec(3)
    full = QuantumLayer(spec, output="probabilities", seed=3).double()
    marg = QuantumLayer(spec, output="marginals", readout_qubits=(2,), seed=3).double()
    x = torch.rand(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    p = full(x).detach()
    torch.testing.assert_close(marg(x).detach(), torch.stack([p[:, :4].sum(1), p[:, 4:].sum(1)], dim=1))
    marg(x)[:, 1].sum().backward()
    assert marg.weight.grad is not None and marg.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("name", ["aer-shots", "ibm-local"])
def test_sampled_marginals_within_shot_noise(name: str) -> None:
    spec = toy_spec(3)
    exact = QuantumLayer(spec, output="marginals", readout_qubits=(2, 0), seed=4).double()
    layer = QuantumLayer(spec, output="marginals", readout_qubits=(2, 0), execution=EXECUTORS[name]).double()
    layer.load_state_dict(exact.state_dict())
    x = torch.rand(3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 3 - 1.5
    ref, out = exact(x).detach(), layer(x).detach()
    assert out.shape == (3, 4)
    torch.testing.assert_close(out.sum(1), torch.ones(3, dtype=torch.float64))
    sigma = np.sqrt(np.clip(ref.numpy() * (1 - ref.numpy()), 1e-4, None) / SHOTS)  # binomial std per outcome
    margin = 2.0 if EXECUTORS[name].kind == "ibm" else 1.0
    assert (np.abs(out.numpy() - ref.numpy()) <= 5 * margin * sigma + 1e-3).all(), (out, ref)


def test_marginals_function_and_bad_qubits() -> None:
    probs = torch.tensor([[0.1, 0.2, 0.3, 0.4]])
    torch.testing.assert_close(marginal_probabilities(probs, (0,), 2), torch.tensor([[0.4, 0.6]]))
    torch.testing.assert_close(marginal_probabilities(probs, (1,), 2), torch.tensor([[0.3, 0.7]]))
    torch.testing.assert_close(marginal_probabilities(probs, (1, 0), 2), torch.tensor([[0.1, 0.3, 0.2, 0.4]]))
    with pytest.raises(ShapeError, match=r"\(B, 8\)"):
        marginal_probabilities(probs, (0,), 3)
    for bad in [(), (3,), (1, 1), (-1,)]:
        with pytest.raises(ConfigError, match="readout_qubits"):
            QuantumLayer(toy_spec(3), output="marginals", readout_qubits=bad)


@pytest.mark.parametrize("name", ["aer-shots", "ibm-local"])
def test_sampled_marginal_gradients_within_shot_noise(name: str) -> None:
    from tests.qnn.test_primitive_conformance import _run, _tolerances

    cfg = EXECUTORS[name]
    spec = toy_spec(3)
    g = torch.Generator().manual_seed(2)
    x = torch.rand(2, 3, generator=g, dtype=torch.float64) * 3 - 1.5
    v = torch.rand(2, 2, generator=g, dtype=torch.float64) * 2 - 1
    exact = QuantumLayer(spec, output="marginals", readout_qubits=(1,), seed=5).double()
    xr = x.clone().requires_grad_(True)
    ref = exact(xr)
    (ref * v).sum().backward()
    layer = QuantumLayer(spec, output="marginals", readout_qubits=(1,), execution=cfg).double()
    layer.load_state_dict(exact.state_dict())
    out, gx, gw = _run(layer, x, v)
    _, tol_x, tol_w = _tolerances(spec, x, exact.weight.detach(), v, lambda v: v.abs().max(1).values.numpy(),
                                  SHOTS, True, 2.0 if cfg.kind == "ibm" else 1.0)
    assert ((gx - xr.grad).abs() <= tol_x).all(), (gx - xr.grad, tol_x)
    assert ((gw - exact.weight.grad).abs() <= tol_w).all(), (gw - exact.weight.grad, tol_w)
