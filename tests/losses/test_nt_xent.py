"""NTXentLoss against a loop transcription, closed forms, gradcheck and errors."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.losses import NTXentLoss


def _cosine(u: list[float], v: list[float]) -> float:
    dot = sum(a * b for a, b in zip(u, v))
    return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v)))


@pytest.mark.parametrize("temperature", [0.1, 0.5, 2.0])
def test_matches_loop_reference(temperature: float, info_nce_loop: Callable) -> None:
    gen = torch.Generator().manual_seed(5)
    z1 = torch.randn(7, 4, generator=gen, dtype=torch.float64)
    z2 = torch.randn(7, 4, generator=gen, dtype=torch.float64)
    rows = torch.cat([z1, z2]).tolist()
    expected = info_nce_loop(lambda i, k: _cosine(rows[i], rows[k]), 7, temperature)
    assert NTXentLoss(temperature)(z1, z2).item() == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_equal_similarities_give_log_2n_minus_1(n: int) -> None:
    """Perfectly correlated views, all embeddings equal: loss = -log(1/(2N-1))."""
    z = torch.full((n, 3), 0.7, dtype=torch.float64)
    assert NTXentLoss(0.3)(z, z.clone()).item() == pytest.approx(math.log(2 * n - 1), abs=1e-12)


@pytest.mark.parametrize("c", [0.0, 0.25, 0.9])
@pytest.mark.parametrize("temperature", [0.2, 1.0])
def test_positive_one_negatives_equal_closed_form(c: float, temperature: float) -> None:
    """Views identical; distinct samples at cosine c: loss = log(1 + (2N-2) exp((c-1)/tau))."""
    n = 4
    basis = torch.eye(n + 1, dtype=torch.float64)
    z = math.sqrt(c) * basis[n] + math.sqrt(1 - c) * basis[:n]  # unit vectors, pairwise cosine c
    expected = math.log(1 + (2 * n - 2) * math.exp((c - 1) / temperature))
    assert NTXentLoss(temperature)(z, 3.0 * z).item() == pytest.approx(expected, abs=1e-12)


def test_gradcheck() -> None:
    gen = torch.Generator().manual_seed(6)
    z1 = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(NTXentLoss(0.5), (z1, z2))


@pytest.mark.parametrize("temperature", [0.0, -0.5, float("inf"), "0.5"])
def test_bad_temperature(temperature: object) -> None:
    with pytest.raises(ConfigError, match="temperature"):
        NTXentLoss(temperature)  # type: ignore[arg-type]


def test_bad_shapes() -> None:
    with pytest.raises(ShapeError, match="same shape"):
        NTXentLoss()(torch.zeros(4, 2), torch.zeros(5, 2))
    with pytest.raises(ShapeError, match="z1"):
        NTXentLoss()(torch.zeros(4), torch.zeros(4))
    with pytest.raises(ShapeError, match="floating-point"):
        NTXentLoss()(torch.zeros(4, 2, dtype=torch.long), torch.zeros(4, 2, dtype=torch.long))
