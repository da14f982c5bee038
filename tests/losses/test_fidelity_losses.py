"""FidelityInfoNCELoss and CombinedFidelityLoss: loop references, closed forms, gradcheck, errors."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch

from qhep_contrast.exceptions import ConfigError, InputValueError, ShapeError
from qhep_contrast.losses import CombinedFidelityLoss, FidelityInfoNCELoss

MODES = ("fidelity", "log_fidelity")


def _fidelity_loop(states: list[list[complex]], i: int, k: int) -> float:
    overlap = sum(a.conjugate() * b for a, b in zip(states[i], states[k]))
    return abs(overlap) ** 2


def _similarity(mode: str, eps: float) -> Callable[[float], float]:
    return (lambda f: f) if mode == "fidelity" else (lambda f: math.log(f + eps))


def _basis_states(indices: list[int], num_qubits: int) -> torch.Tensor:
    return torch.eye(2**num_qubits, dtype=torch.complex128)[indices]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("temperature", [0.1, 0.7])
def test_info_nce_matches_loop(mode: str, temperature: float, info_nce_loop: Callable,
                               random_states: Callable) -> None:
    s1, s2 = random_states(6, 3, 7)
    rows = [[complex(a) for a in row] for row in torch.cat([s1, s2]).tolist()]
    sim = _similarity(mode, 1e-3)
    expected = info_nce_loop(lambda i, k: sim(_fidelity_loop(rows, i, k)), 6, temperature)
    loss = FidelityInfoNCELoss(temperature, similarity=mode, eps=1e-3)
    assert loss(s1, s2).item() == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_combined_matches_loop(alpha: float, info_nce_loop: Callable, random_states: Callable) -> None:
    s1, s2 = random_states(5, 2, 8)
    rows = [[complex(a) for a in row] for row in torch.cat([s1, s2]).tolist()]
    info = info_nce_loop(lambda i, k: _fidelity_loop(rows, i, k), 5, 0.4)
    positive = sum(_fidelity_loop(rows, i, i + 5) for i in range(5)) / 5
    expected = alpha * info + (1 - alpha) * (1 - positive)
    assert CombinedFidelityLoss(alpha, temperature=0.4)(s1, s2).item() == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [1, 3, 8])
def test_identical_states_give_log_2n_minus_1(mode: str, n: int, random_states: Callable) -> None:
    state = random_states(1, 3, 9)[0].expand(n, -1)
    assert FidelityInfoNCELoss(0.2, similarity=mode)(state, state).item() == pytest.approx(
        math.log(2 * n - 1), abs=1e-12)
    combined = CombinedFidelityLoss(0.25, temperature=0.2, similarity=mode)(state, state)
    assert combined.item() == pytest.approx(0.25 * math.log(2 * n - 1), abs=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_identical_views_of_orthogonal_samples(mode: str) -> None:
    """Positives F = 1, negatives F = 0: loss = log(1 + (2N - 2) exp((s(0) - s(1)) / tau))."""
    n, tau, eps = 4, 0.3, 1e-3
    states = _basis_states([0, 3, 5, 6], 3)
    sim = _similarity(mode, eps)
    expected = math.log(1 + (2 * n - 2) * math.exp((sim(0.0) - sim(1.0)) / tau))
    assert FidelityInfoNCELoss(tau, similarity=mode, eps=eps)(states, states).item() == pytest.approx(
        expected, abs=1e-12)
    combined = CombinedFidelityLoss(0.6, temperature=tau, similarity=mode, eps=eps)(states, states)
    assert combined.item() == pytest.approx(0.6 * expected, abs=1e-12)  # infidelity term 0


def test_orthogonal_views_have_infidelity_one() -> None:
    """All 2N states orthogonal: every F = 0, InfoNCE = log(2N - 1), infidelity 1."""
    s1, s2 = _basis_states([0, 1, 2], 3), _basis_states([4, 5, 6], 3)
    loss = CombinedFidelityLoss(0.4, temperature=0.5)
    assert loss(s1, s2).item() == pytest.approx(0.4 * math.log(5) + 0.6, abs=1e-12)


@pytest.mark.parametrize("loss", [FidelityInfoNCELoss(0.3), FidelityInfoNCELoss(0.3, "log_fidelity"),
                                  CombinedFidelityLoss(0.5, temperature=0.3)])
def test_precomputed_matrix_equals_states(loss: torch.nn.Module, random_states: Callable) -> None:
    s1, s2 = random_states(4, 2, 10)
    stacked = torch.cat([s1, s2])
    fidelities = (stacked.conj() @ stacked.T).abs() ** 2
    assert loss.loss_from_fidelities(fidelities).item() == pytest.approx(loss(s1, s2).item(), abs=1e-12)


@pytest.mark.parametrize("loss", [FidelityInfoNCELoss(0.5), FidelityInfoNCELoss(0.5, "log_fidelity", 1e-2),
                                  CombinedFidelityLoss(0.5)])
def test_gradcheck_complex_states(loss: torch.nn.Module, random_states: Callable) -> None:
    s1, s2 = (s.requires_grad_() for s in random_states(3, 2, 11))
    assert torch.autograd.gradcheck(loss, (s1, s2))


def test_gradcheck_fidelity_matrix() -> None:
    gen = torch.Generator().manual_seed(12)
    fidelities = torch.rand(6, 6, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(CombinedFidelityLoss(0.5, similarity="log_fidelity").loss_from_fidelities,
                                    (fidelities,))


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"temperature": 0.0}, "temperature"), ({"temperature": -1.0}, "temperature"),
    ({"similarity": "cosine"}, "similarity"), ({"eps": 0.0}, "eps"), ({"eps": 1.0}, "eps"),
])
def test_bad_info_nce_parameters(kwargs: dict, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        FidelityInfoNCELoss(**kwargs)


@pytest.mark.parametrize("alpha", [-0.01, 1.01, float("nan")])
def test_bad_alpha(alpha: float) -> None:
    with pytest.raises(ConfigError, match=r"alpha must be in \[0, 1\]"):
        CombinedFidelityLoss(alpha)


@pytest.mark.parametrize("loss", [FidelityInfoNCELoss(), CombinedFidelityLoss()])
def test_bad_states_and_matrices(loss: torch.nn.Module, random_states: Callable) -> None:
    s1, s2 = random_states(3, 2, 13)
    with pytest.raises(ShapeError, match="same shape"):
        loss(s1, s2[:2])
    with pytest.raises(ShapeError, match=r"2\*\*n"):
        loss(s1[:, :3] / s1[:, :3].norm(dim=1, keepdim=True), s2[:, :3] / s2[:, :3].norm(dim=1, keepdim=True))
    with pytest.raises(InputValueError, match="normalised"):
        loss(2 * s1, s2)
    with pytest.raises(ShapeError, match=r"\(2N, 2N\)"):
        loss.loss_from_fidelities(torch.rand(3, 3))
    with pytest.raises(ShapeError, match=r"\(2N, 2N\)"):
        loss.loss_from_fidelities(torch.rand(4, 6))
