"""HybridEncoder: shapes per output mode, gradients through the quantum layer, the U(w)V(x) guard, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.losses import FidelityInfoNCELoss
from qhep_contrast.models import HybridEncoder, build_hybrid_encoder, core_shape
from qhep_contrast.qnn import QuantumLayer

SMALL = {"conv_channels": (4, 8), "dense_units": 16}


def _images(batch: int = 3, seed: int = 0) -> torch.Tensor:
    return torch.rand(batch, 2, 10, 10, generator=torch.Generator().manual_seed(seed))


def _build(circuits: dict, name: str = "reuploading", **kwargs: object) -> HybridEncoder:
    return build_hybrid_encoder(2, 10, circuits[name](3), seed=1, **SMALL | kwargs)


@pytest.mark.parametrize(("output", "head_units", "shape", "complex_out"), [
    ("expectation", None, (3, 3), False), ("expectation", (5, 2), (3, 2), False),
    ("probabilities", (), (3, 8), False), ("state", None, (3, 8), True),
])
def test_output_shapes(output: str, head_units: tuple | None, shape: tuple, complex_out: bool,
                       circuits: dict) -> None:
    encoder = _build(circuits, output=output, head_units=head_units)
    out = encoder(_images())
    assert out.shape == shape and out.is_complex() == complex_out
    assert encoder.representation_size == shape[1]


def test_head_is_dense_relu_of_qubit_width(circuits: dict) -> None:
    encoder = _build(circuits)
    assert [type(m) for m in encoder.head] == [nn.Linear, nn.ReLU]
    assert encoder.head[0].in_features == 3 and encoder.head[0].out_features == 3


def test_gradients_reach_front_end_through_quantum_layer(circuits: dict) -> None:
    encoder = _build(circuits, head_units=())
    encoder(_images()).square().sum().backward()
    assert encoder.front_end.first_conv.weight.grad.abs().sum() > 0
    assert encoder.core.weight.grad.abs().sum() > 0


def test_same_seed_same_encoder(circuits: dict) -> None:
    a, b = _build(circuits), _build(circuits)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def _fidelity_weight_grad(layer: nn.Module) -> torch.Tensor:
    gen = torch.Generator().manual_seed(2)
    x1, x2 = torch.rand(4, 3, generator=gen) * 3, torch.rand(4, 3, generator=gen) * 3
    FidelityInfoNCELoss(0.5)(layer(x1), layer(x2)).backward()
    return layer.weight.grad


def test_fidelity_gradient_vanishes_for_weights_after_encoding(circuits: dict) -> None:
    """DESIGN: |psi(x)> = U(w)V(x)|0> makes every fidelity independent of w."""
    grad = _fidelity_weight_grad(QuantumLayer(circuits["u_after_v"](3), output="state", seed=0))
    assert grad.abs().max() < 1e-5


def test_fidelity_gradient_reaches_reuploading_weights(circuits: dict) -> None:
    grad = _fidelity_weight_grad(QuantumLayer(circuits["reuploading"](3), output="state", seed=0))
    assert grad.abs().max() > 1e-3


def test_state_mode_refuses_weights_after_encoding(circuits: dict) -> None:
    with pytest.raises(ConfigError, match="zero gradient"):
        _build(circuits, "u_after_v", output="state")
    _build(circuits, "u_after_v", output="expectation")  # fine for non-fidelity losses


def test_config_errors(circuits: dict) -> None:
    with pytest.raises(ConfigError, match="no head"):
        _build(circuits, output="state", head_units=(4,))
    with pytest.raises(ConfigError, match="output"):
        _build(circuits, output="amplitudes")
    layer = QuantumLayer(circuits["reuploading"](3), seed=0)
    with pytest.raises(ConfigError, match="out_features=3"):
        HybridEncoder(nn.Linear(4, 5), layer)
    with pytest.raises(ConfigError, match="num_inputs and num_outputs"):
        HybridEncoder(nn.Identity(), nn.Tanh())
    with pytest.raises(ConfigError, match="CircuitSpec"):
        build_hybrid_encoder(2, 10, lambda: "not a spec")


def test_circuit_factory_is_accepted(circuits: dict) -> None:
    encoder = build_hybrid_encoder(2, 10, lambda: circuits["reuploading"](3, 1),
                                   seed=0, **SMALL)
    assert encoder.core.spec.name == "tiny_reuploading" and encoder.core_in == 3


def test_core_output_must_match_encoder_output(circuits: dict) -> None:
    layer = QuantumLayer(circuits["reuploading"](3), output="probabilities", seed=0)
    with pytest.raises(ConfigError, match="same output"):
        HybridEncoder(nn.Identity(), layer, output="expectation")


@pytest.mark.parametrize(("output", "width"), [("expectation", 3), ("probabilities", 8), ("state", 8)])
def test_core_shape_of_quantum_layer(output: str, width: int, circuits: dict) -> None:
    layer = QuantumLayer(circuits["reuploading"](3), output=output, seed=0)
    assert core_shape(layer, output) == (3, width)
