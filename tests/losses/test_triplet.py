"""TripletLoss against a loop transcription, hinge cases, gradcheck and errors."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.losses import TripletLoss


def _loop(a: torch.Tensor, p: torch.Tensor, n: torch.Tensor, margin: float, squared: bool) -> float:
    def dist(u: list[float], v: list[float]) -> float:
        sq = sum((x - y) ** 2 for x, y in zip(u, v))
        return sq if squared else math.sqrt(sq)

    terms = [max(0.0, dist(x, y) - dist(x, z) + margin) for x, y, z in zip(a.tolist(), p.tolist(), n.tolist())]
    return sum(terms) / len(terms)


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("margin", [0.0, 0.7, 2.0])
def test_matches_loop_reference(margin: float, squared: bool) -> None:
    gen = torch.Generator().manual_seed(3)
    a, p, n = (torch.randn(11, 5, generator=gen, dtype=torch.float64) for _ in range(3))
    loss = TripletLoss(margin, squared=squared)(a, p, n)
    assert loss.item() == pytest.approx(_loop(a, p, n, margin, squared), abs=1e-10)


def test_hinge_active_and_inactive() -> None:
    a = torch.zeros(1, 2, dtype=torch.float64)
    p = torch.tensor([[1.0, 0.0]], dtype=torch.float64)  # d(a, p) = 1
    far = torch.tensor([[0.0, 3.0]], dtype=torch.float64)  # d(a, n) = 3
    loss = TripletLoss(margin=1.5)
    assert loss(a, p, far).item() == 0.0  # 1 - 3 + 1.5 < 0
    assert loss(a, far, p).item() == pytest.approx(3.5, abs=1e-12)  # 3 - 1 + 1.5
    assert TripletLoss(1.5, squared=True)(a, far, p).item() == pytest.approx(9.5, abs=1e-12)


def test_gradcheck() -> None:
    gen = torch.Generator().manual_seed(4)
    inputs = tuple(torch.randn(6, 3, generator=gen, dtype=torch.float64, requires_grad=True) for _ in range(3))
    assert torch.autograd.gradcheck(TripletLoss(margin=3.0), inputs)


@pytest.mark.parametrize("margin", [-0.1, float("inf"), None])
def test_bad_margin(margin: object) -> None:
    with pytest.raises(ConfigError, match="margin"):
        TripletLoss(margin)  # type: ignore[arg-type]


def test_bad_shapes() -> None:
    z = torch.zeros(4, 2)
    with pytest.raises(ShapeError, match="negative"):
        TripletLoss()(z, z, torch.zeros(4, 3))
    with pytest.raises(ShapeError, match="anchor"):
        TripletLoss()(torch.zeros(4, 2, 1), z, z)
