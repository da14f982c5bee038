"""State fidelities of same-class and different-class pairs, for models that output statevectors.

A fidelity-trained encoder should map images of one class to nearby states: the distribution of
``F = |<psi_a|psi_b>|^2`` over same-class pairs should sit to the right of the one over different-class
pairs. Pairs are drawn with :func:`qhep_contrast.data.sample_pairs` (``positive="class"``,
``negative="class"``), so the comparison uses labels and no augmentation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from qhep_contrast.data import sample_pairs
from qhep_contrast.execution.exact import fidelity

__all__ = ["PairFidelities", "pair_fidelities"]


class PairFidelities(NamedTuple):
    """Fidelities of ``positive`` (same class) and ``negative`` (different class) pairs, float64 arrays."""

    positive: np.ndarray
    negative: np.ndarray


def pair_fidelities(states: Tensor, labels: np.ndarray, n_pairs: int, seed: int = 0) -> PairFidelities:
    """Fidelities of ``n_pairs`` labelled pairs of ``states`` ``(N, 2**n)`` (about half of each kind)."""
    pairs = sample_pairs(labels, n_pairs, seed, positive="class", negative="class")
    f = fidelity(states[torch.from_numpy(pairs.first)], states[torch.from_numpy(pairs.second)])
    values = f.to(torch.float64).numpy()
    return PairFidelities(values[pairs.target == 1], values[pairs.target == 0])
