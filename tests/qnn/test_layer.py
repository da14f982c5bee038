"""QuantumLayer on the exact executor: values, gradients, initialisation, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector

from qhep_contrast.circuits import CircuitSpec, z_observables
from qhep_contrast.exceptions import ConfigError, QHEPError, ShapeError
from qhep_contrast.qnn import QuantumLayer


def _spec(n: int = 3) -> CircuitSpec:
    x = ParameterVector("x", n)
    w = ParameterVector("w", 2 * n)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
    for i in range(n):
        qc.rx(w[i], i)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    for i in range(n):
        qc.ry(w[n + i] * x[i], i)
    return CircuitSpec(qc, list(x), list(w), z_observables(n), name="toy")


def test_forward_matches_statevector() -> None:
    spec = _spec()
    layer = QuantumLayer(spec, seed=0).double()
    x = torch.rand(4, 3, dtype=torch.float64)
    out = layer(x)
    assert out.shape == (4, 3) and out.dtype == torch.float64
    for b in range(4):
        bind = dict(zip(spec.inputs + spec.weights, [*x[b].tolist(), *layer.weight.detach().tolist()]))
        sv = Statevector(spec.circuit.assign_parameters(bind))
        ref = [sv.expectation_value(o).real for o in spec.observables]
        np.testing.assert_allclose(out[b].detach().numpy(), ref, atol=1e-10)


def test_float32_default_and_outputs() -> None:
    layer = QuantumLayer(_spec(), seed=1)
    x = torch.rand(5, 3)
    assert layer(x).dtype == torch.float32
    probs = QuantumLayer(_spec(), output="probabilities", seed=1)(x)
    assert probs.shape == (5, 8)
    torch.testing.assert_close(probs.sum(-1), torch.ones(5))
    state = QuantumLayer(_spec(), output="state", seed=1)(x)
    assert state.shape == (5, 8) and state.dtype == torch.complex64
    torch.testing.assert_close(state.abs().square(), probs)


def test_gradients_reach_inputs_and_weights() -> None:
    layer = QuantumLayer(_spec(), seed=2).double()
    x = torch.rand(2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a: layer(a), (x,))
    layer(x).sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_initialisation_is_seeded_and_documented() -> None:
    a = QuantumLayer(_spec(), seed=7).weight.detach()
    b = QuantumLayer(_spec(), seed=7).weight.detach()
    c = QuantumLayer(_spec(), seed=8).weight.detach()
    torch.testing.assert_close(a, b)
    assert not torch.equal(a, c)
    assert a.abs().max() <= math.pi and a.shape == (6,) and a.dtype == torch.float32
    assert torch.count_nonzero(QuantumLayer(_spec(), init="zeros").weight) == 0
    normal = QuantumLayer(_spec(6), init="normal", init_scale=0.01, seed=0).weight
    assert normal.abs().max() < 0.1


def test_state_dict_is_one_weight_tensor() -> None:
    layer = QuantumLayer(_spec(), seed=3)
    assert list(layer.state_dict()) == ["weight"]
    other = QuantumLayer(_spec(), seed=4)
    other.load_state_dict(layer.state_dict())
    x = torch.rand(2, 3)
    torch.testing.assert_close(other(x), layer(x))


@pytest.mark.parametrize("bad", [torch.zeros(3), torch.zeros(2, 4), torch.zeros(2, 3, dtype=torch.int64)])
def test_bad_inputs(bad) -> None:
    with pytest.raises(ShapeError, match="QuantumLayer"):
        QuantumLayer(_spec(), seed=0)(bad)


def test_configuration_errors() -> None:
    spec = _spec()
    with pytest.raises(ConfigError, match="output"):
        QuantumLayer(spec, output="amplitudes")
    with pytest.raises(ConfigError, match="init must be"):
        QuantumLayer(spec, init="xavier")
    with pytest.raises(ConfigError, match="init_scale"):
        QuantumLayer(spec, init_scale=-1.0)
    with pytest.raises(ConfigError, match="CircuitSpec"):
        QuantumLayer(spec.circuit)
    no_obs = CircuitSpec(spec.circuit, spec.inputs, spec.weights)
    with pytest.raises(ConfigError, match="observables"):
        QuantumLayer(no_obs)
    with pytest.raises(ConfigError, match="execution"):
        QuantumLayer(spec, execution="gpu-please")
    assert issubclass(ConfigError, QHEPError) and issubclass(ConfigError, ValueError)


def test_custom_observables() -> None:
    spec = _spec()
    obs = [SparsePauliOp(["XXI", "IYZ"], [0.5, 0.5])]
    layer = QuantumLayer(spec, obs, seed=0)
    assert layer(torch.rand(3, 3)).shape == (3, 1)
    assert layer.num_outputs == 1
