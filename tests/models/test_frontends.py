"""ConvFrontEnd and AngleScaling: shapes, flatten-size formula, seeding, errors."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.models import AngleScaling, ConvFrontEnd, conv_feature_shape


@pytest.mark.parametrize(("channels", "size", "convs"), [(2, 32, (32, 64)), (3, (22, 19), (4, 8, 8)), (1, 8, (4,))])
def test_flatten_size_formula_matches_dummy_forward(channels: int, size: int | tuple, convs: tuple) -> None:
    front = ConvFrontEnd(channels, size, 5, conv_channels=convs, dense_units=7, seed=0)
    image_size = (size, size) if isinstance(size, int) else size
    features = front.net[:-3](torch.zeros(2, channels, *image_size))  # up to and including Flatten
    assert features.shape == (2, front.flat_features)
    assert front(torch.zeros(2, channels, *image_size)).shape == (2, 5)


def test_seed_project_layout() -> None:
    front = ConvFrontEnd(2, 32, 8, seed=0)
    kinds = [type(m).__name__ for m in front.net]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "Flatten", "Linear", "ReLU", "Linear"]
    assert conv_feature_shape((32, 32), 2, 3, 2) == (13, 13)  # 32 -> 30 -> 15 -> 13
    assert front.flat_features == 64 * 13 * 13
    assert front.first_conv.out_channels == 32 and front.net[-1].out_features == 8


def test_same_seed_same_weights() -> None:
    a, b = ConvFrontEnd(1, 8, 3, conv_channels=(4,), seed=5), ConvFrontEnd(1, 8, 3, conv_channels=(4,), seed=5)
    c = ConvFrontEnd(1, 8, 3, conv_channels=(4,), seed=6)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.first_conv.weight, c.first_conv.weight)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"in_channels": 0}, "in_channels"), ({"image_size": 5}, "too small"), ({"conv_channels": ()}, "conv_channels"),
    ({"kernel_size": 0}, "kernel_size"), ({"out_features": -1}, "out_features"),
    ({"image_size": (8, 8, 8)}, "image_size"),
])
def test_bad_config(kwargs: dict, name: str) -> None:
    args = {"in_channels": 1, "image_size": 8, "out_features": 3} | kwargs
    with pytest.raises(ConfigError, match=name):
        ConvFrontEnd(**args)


def test_bad_input_shape_hints_channels_last() -> None:
    front = ConvFrontEnd(2, 10, 3, conv_channels=(4,))
    with pytest.raises(ShapeError, match=r"permute\(0, 3, 1, 2\)"):
        front(torch.zeros(1, 10, 10, 2))
    with pytest.raises(ShapeError, match=r"\(B, 2, 10, 10\)"):
        front(torch.zeros(2, 10, 10))


def test_angle_scaling_formulas() -> None:
    x = torch.linspace(-5, 5, 11, dtype=torch.float64)
    assert torch.allclose(AngleScaling()(x), math.pi * torch.tanh(x))
    assert torch.allclose(AngleScaling("sigmoid", 2.0)(x), 2.0 * torch.sigmoid(x))
    assert torch.equal(AngleScaling("identity")(x), x)
    assert AngleScaling()(torch.tensor([1e3], dtype=torch.float64)).item() <= math.pi


@pytest.mark.parametrize(("kwargs", "name"), [({"mode": "relu"}, "mode"), ({"scale": 0.0}, "scale")])
def test_angle_scaling_bad_config(kwargs: dict, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        AngleScaling(**kwargs)
