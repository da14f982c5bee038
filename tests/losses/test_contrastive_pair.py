"""ContrastivePairLoss against a loop transcription, hinge cases, gradcheck and errors."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, InputValueError, ShapeError
from qhep_contrast.losses import ContrastivePairLoss


def _loop(z1: torch.Tensor, z2: torch.Tensor, y: torch.Tensor, margin: float) -> float:
    total = 0.0
    for a, b, label in zip(z1.tolist(), z2.tolist(), y.tolist()):
        d = math.sqrt(sum((u - v) ** 2 for u, v in zip(a, b)))
        total += label * d**2 + (1 - label) * max(0.0, margin - d) ** 2
    return total / (2 * len(z1))


@pytest.mark.parametrize("margin", [0.5, 1.0, 3.0])
def test_matches_loop_reference(margin: float) -> None:
    gen = torch.Generator().manual_seed(1)
    z1 = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    z2 = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 2, (9,), generator=gen).to(torch.float64)
    loss = ContrastivePairLoss(margin)(z1, z2, y)
    assert loss.item() == pytest.approx(_loop(z1, z2, y, margin), abs=1e-10)


def test_similar_pair_costs_half_squared_distance() -> None:
    z1 = torch.tensor([[0.0, 0.0]], dtype=torch.float64)
    z2 = torch.tensor([[3.0, 4.0]], dtype=torch.float64)
    assert ContrastivePairLoss(1.0)(z1, z2, torch.ones(1)).item() == pytest.approx(12.5, abs=1e-12)


def test_dissimilar_hinge_active_and_inactive() -> None:
    z1 = torch.zeros(2, 2, dtype=torch.float64)
    z2 = torch.tensor([[0.6, 0.8], [3.0, 4.0]], dtype=torch.float64)  # distances 1 and 5
    loss = ContrastivePairLoss(margin=2.0)
    assert loss(z1[:1], z2[:1], torch.zeros(1)).item() == pytest.approx(0.5 * 1.0**2, abs=1e-12)
    assert loss(z1[1:], z2[1:], torch.zeros(1)).item() == 0.0


def test_gradcheck() -> None:
    gen = torch.Generator().manual_seed(2)
    z1 = torch.randn(5, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(5, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a, b: ContrastivePairLoss(4.0)(a, b, y), (z1, z2))


@pytest.mark.parametrize("margin", [0.0, -1.0, float("inf"), float("nan"), "1", True])
def test_bad_margin(margin: object) -> None:
    with pytest.raises(ConfigError, match="margin"):
        ContrastivePairLoss(margin)  # type: ignore[arg-type]


def test_bad_shapes_and_labels() -> None:
    loss = ContrastivePairLoss()
    z = torch.zeros(3, 2)
    with pytest.raises(ShapeError, match="same shape"):
        loss(z, torch.zeros(3, 3), torch.ones(3))
    with pytest.raises(ShapeError, match=r"\(N, D\)"):
        loss(torch.zeros(3), torch.zeros(3), torch.ones(3))
    with pytest.raises(ShapeError, match=r"shape \(3,\)"):
        loss(z, z, torch.ones(4))
    with pytest.raises(InputValueError, match=r"\[0, 1\]"):
        loss(z, z, torch.tensor([0.0, 2.0, 1.0]))
