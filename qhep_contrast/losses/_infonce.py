"""InfoNCE over a (2N, 2N) logit matrix of two views (private; shared by NT-Xent and fidelity InfoNCE)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["info_nce_from_logits", "positive_pairs"]


def positive_pairs(two_n: int, device: torch.device) -> Tensor:
    """Index of each anchor's positive: anchor ``i`` (view 1, ``i < N``) pairs with ``i + N`` and back.

    Returns:
        Long tensor ``(2N,)`` with entry ``(i + N) mod 2N``.
    """
    return (torch.arange(two_n, device=device) + two_n // 2) % two_n


def info_nce_from_logits(logits: Tensor) -> Tensor:
    """Mean InfoNCE over the 2N anchors of a logit matrix whose rows are ``[view 1; view 2]``.

    ``loss = 1/(2N) sum_i -log( exp(l[i, pos(i)]) / sum_{k != i} exp(l[i, k]) )`` with
    ``pos(i) = (i + N) mod 2N``. The diagonal (an anchor against itself) is excluded by setting it to
    ``-inf`` before a numerically stable log-softmax (``cross_entropy``).

    Args:
        logits: ``(2N, 2N)`` real tensor, ``logits[i, k] = sim(i, k) / temperature``.

    Returns:
        Scalar tensor.
    """
    two_n = logits.shape[0]
    self_mask = torch.eye(two_n, dtype=torch.bool, device=logits.device)
    masked = logits.masked_fill(self_mask, float("-inf"))
    return F.cross_entropy(masked, positive_pairs(two_n, logits.device))
