"""Loop-based references shared by the loss tests: plain Python over anchors, obviously the formula."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch


def _info_nce_loop(sim: Callable[[int, int], float], n: int, temperature: float) -> float:
    """``1/(2N) sum_i -log(exp(s(i, p(i))/tau) / sum_{k != i} exp(s(i, k)/tau))`` with ``p(i) = i +- N``."""
    total = 0.0
    for i in range(2 * n):
        positive = i + n if i < n else i - n
        denominator = sum(math.exp(sim(i, k) / temperature) for k in range(2 * n) if k != i)
        total += -math.log(math.exp(sim(i, positive) / temperature) / denominator)
    return total / (2 * n)


@pytest.fixture
def info_nce_loop() -> Callable[[Callable[[int, int], float], int, float], float]:
    """The loop transcription of InfoNCE over two views (see ``_info_nce_loop``)."""
    return _info_nce_loop


def _random_states(n: int, num_qubits: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    shape = (n, 2**num_qubits)
    out = []
    for _ in range(2):
        raw = torch.complex(torch.randn(shape, generator=gen, dtype=torch.float64),
                            torch.randn(shape, generator=gen, dtype=torch.float64))
        out.append(raw / torch.linalg.vector_norm(raw, dim=1, keepdim=True))
    return out[0], out[1]


@pytest.fixture
def random_states() -> Callable[[int, int, int], tuple[torch.Tensor, torch.Tensor]]:
    """``make(n, num_qubits, seed)`` -> two ``(n, 2**num_qubits)`` complex128 batches of normalised states."""
    return _random_states
