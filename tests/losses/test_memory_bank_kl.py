"""MemoryBankKLLoss: loop reference, closed forms, bank update, gradcheck, errors."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, InputValueError, ShapeError
from qhep_contrast.losses import MemoryBankKLLoss


def _kl_loop(p: list[float], q: list[float], eps: float) -> float:
    return sum(pc * (math.log(max(pc, eps)) - math.log(max(qc, eps))) for pc, qc in zip(p, q))


def _loop(p1: torch.Tensor, p2: torch.Tensor, idx: torch.Tensor, bank: torch.Tensor, gamma: float,
          eps: float) -> float:
    rows, n, m = bank.tolist(), len(p1), len(bank)
    positive = negative = 0.0
    for view in (p1.tolist(), p2.tolist()):
        for i in range(n):
            k = int(idx[i])
            positive += _kl_loop(view[i], rows[k], eps) / n
            others = [math.exp(-_kl_loop(view[i], rows[j], eps)) for j in range(m) if j != k]
            negative += sum(others) / (m - 1) / n
    return gamma * positive + (1 - gamma) * negative


def _probs(n: int, k: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(n, k, generator=gen, dtype=torch.float64), dim=1)


def _loss(m: int = 7, k: int = 3, **kwargs: float) -> MemoryBankKLLoss:
    loss = MemoryBankKLLoss(m, k, **kwargs).double()
    loss.reset(_probs(m, k, 100))
    return loss


@pytest.mark.parametrize("gamma", [0.0, 0.4, 1.0])
def test_matches_loop_reference(gamma: float) -> None:
    loss = _loss(gamma=gamma, eps=1e-6)
    p1, p2 = _probs(4, 3, 1), _probs(4, 3, 2)
    idx = torch.tensor([5, 0, 2, 5])
    expected = _loop(p1, p2, idx, loss.bank, gamma, 1e-6)
    assert loss(p1, p2, idx).item() == pytest.approx(expected, abs=1e-10)


def test_zero_probabilities_use_the_eps_floor() -> None:
    loss = _loss(gamma=0.5, eps=1e-3)
    loss.bank[1] = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    p = torch.tensor([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], dtype=torch.float64)
    idx = torch.tensor([1, 3])
    assert loss(p, p, idx).item() == pytest.approx(_loop(p, p, idx, loss.bank, 0.5, 1e-3), abs=1e-10)


@pytest.mark.parametrize("gamma", [0.0, 0.3])
def test_all_uniform_closed_form(gamma: float) -> None:
    """Uniform bank and predictions: every KL is 0, every agreement 1, so L = 2 (1 - gamma)."""
    loss = MemoryBankKLLoss(5, 4, gamma=gamma).double()
    p = torch.full((3, 4), 0.25, dtype=torch.float64)
    assert loss(p, p, torch.tensor([0, 1, 2])).item() == pytest.approx(2 * (1 - gamma), abs=1e-12)


def test_predictions_on_own_entries_have_zero_positive_term() -> None:
    loss = _loss(gamma=1.0)
    idx = torch.tensor([6, 1, 3])
    assert loss(loss.bank[idx], loss.bank[idx], idx).item() == pytest.approx(0.0, abs=1e-12)


def test_negative_term_pushes_away() -> None:
    """gamma = 0: a prediction far from the other entries costs less than one sitting on them."""
    loss = MemoryBankKLLoss(3, 2, gamma=0.0).double()
    loss.reset(torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.2, 0.8]], dtype=torch.float64))
    idx = torch.tensor([0])
    near = torch.tensor([[0.2, 0.8]], dtype=torch.float64)
    far = torch.tensor([[0.95, 0.05]], dtype=torch.float64)
    assert loss(far, far, idx).item() < loss(near, near, idx).item()
    logits = torch.tensor([[-0.5, 0.5]], dtype=torch.float64, requires_grad=True)  # p_0 = 0.27 > 0.2
    probs = torch.softmax(logits, dim=1)
    loss(probs, probs, idx).backward()
    assert logits.grad[0, 0] < 0 < logits.grad[0, 1]  # descent raises p_0, away from entries 1 and 2


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_update_is_momentum_average(momentum: float) -> None:
    loss = _loss(momentum=momentum)
    before = loss.bank.clone()
    idx, new = torch.tensor([4, 0]), _probs(2, 3, 3)
    loss.update(idx, new)
    expected = momentum * before[idx] + (1 - momentum) * new
    assert torch.allclose(loss.bank[idx], expected, atol=1e-12)
    untouched = [j for j in range(7) if j not in (0, 4)]
    assert torch.equal(loss.bank[untouched], before[untouched])


def test_reset_to_uniform_and_gradient_only_to_predictions() -> None:
    loss = _loss()
    p = _probs(2, 3, 4).requires_grad_()
    loss(p, p, torch.tensor([0, 1])).backward()
    assert p.grad is not None and not loss.bank.requires_grad
    loss.reset()
    assert torch.allclose(loss.bank, torch.full((7, 3), 1 / 3, dtype=torch.float64))


def test_gradcheck() -> None:
    loss = _loss(gamma=0.3)
    p1, p2 = (t.requires_grad_() for t in (_probs(3, 3, 5), _probs(3, 3, 6)))
    assert torch.autograd.gradcheck(lambda a, b: loss(a, b, torch.tensor([2, 2, 4])), (p1, p2))


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"num_entries": 1}, "num_entries"), ({"num_classes": 1}, "num_classes"), ({"num_entries": 2.0}, "num_entries"),
    ({"gamma": 1.5}, "gamma"), ({"momentum": 1.0}, "momentum"), ({"momentum": -0.1}, "momentum"),
    ({"eps": 0.0}, "eps"),
])
def test_bad_parameters(kwargs: dict, name: str) -> None:
    args = {"num_entries": 4, "num_classes": 2} | kwargs
    with pytest.raises(ConfigError, match=name):
        MemoryBankKLLoss(**args)


def test_bad_inputs() -> None:
    loss = _loss()
    p, idx = _probs(2, 3, 7), torch.tensor([0, 1])
    with pytest.raises(ShapeError, match=r"\(N, 3\)"):
        loss(_probs(2, 4, 7), _probs(2, 4, 7), idx)
    with pytest.raises(ShapeError, match="integer"):
        loss(p, p, idx.double())
    with pytest.raises(ShapeError, match=r"shape \(2,\)"):
        loss(p, p, torch.tensor([0, 1, 2]))
    with pytest.raises(InputValueError, match=r"\[0, 6\]"):
        loss(p, p, torch.tensor([0, 7]))
    with pytest.raises(InputValueError, match="log-probabilities"):
        loss(p.log(), p.log(), idx)
    with pytest.raises(InputValueError, match="unique"):
        loss.update(torch.tensor([3, 3]), p)
    with pytest.raises(ShapeError, match=r"\(7, 3\)"):
        loss.reset(p)
