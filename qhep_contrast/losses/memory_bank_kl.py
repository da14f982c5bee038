"""KL-divergence self-supervision against a memory bank of probability vectors (Tran et al. 2025)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from qhep_contrast._checks import check_int, check_real
from qhep_contrast._tensor_checks import check_matrix, check_same_shape, check_vector
from qhep_contrast.exceptions import InputValueError, ShapeError
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["MemoryBankKLLoss", "MemoryBankKLOptions"]

_SUM_ATOL = 1e-4


class MemoryBankKLLoss(nn.Module):
    r"""Instance discrimination with a memory bank and KL divergences between probability vectors.

    Symbols:
        * ``M`` = ``num_entries``: one bank entry per training instance (data-set index).
        * ``K`` = ``num_classes``: length of each probability vector (e.g. measured-qubit outcomes).
        * ``b_j`` (``self.bank[j]``): the stored probability vector of instance ``j``, a buffer (no gradient).
        * ``p_i``, ``p'_i``: the model's probability vectors for two views of sample ``i`` of the batch.
        * ``k_i``: the data-set index of sample ``i`` (its own bank entry, the positive).
        * ``KL(p || q) = sum_c p_c (log p_c - log q_c)``, with both logarithms taken of ``max(., eps)``.
        * ``A(p, q) = exp(-KL(p || q))``, the agreement of ``p`` with ``q``, in ``(0, 1]``.

    .. math::

        L_{+} = \frac{1}{N}\sum_{i=1}^{N}\big[KL(p_i \| b_{k_i}) + KL(p'_i \| b_{k_i})\big], \qquad
        L_{-} = \frac{1}{N}\sum_{i=1}^{N}\frac{1}{M-1}\sum_{j \ne k_i}\big[A(p_i, b_j) + A(p'_i, b_j)\big],

        L = \gamma\, L_{+} + (1 - \gamma)\, L_{-}.

    ``L_+`` pulls both views towards the sample's own bank entry; ``L_-`` pushes them away from every other
    entry (minimising the agreement of negative pairs) and, being bounded, cannot run away to ``-inf`` the way
    ``-KL`` could. The bank follows the model with :meth:`update`:
    ``b_k <- m b_k + (1 - m) p`` (renormalised), the momentum memory bank of Wu et al.

    References: M.-H. Tran, N.-H. Nguyen, P.-N. Nguyen, H.-S. Ngo, "Self-supervision with quantum
    classifiers", Nonlinear Theory and Its Applications, IEICE 16(3), 777-786 (2025): positive pairs
    (a prediction and its bank entry) maximise agreement through KL, negative pairs minimise it, weighted by
    ``gamma`` and ``1 - gamma``. Deviations from that paper's public code (github.com/namhai03/QSSL,
    ``SSL.py``), which adds the negative KL with a plus sign (pulling towards negatives) and keeps one bank
    entry per mini-batch: here the negative term pushes away, as the paper states, through the bounded
    agreement ``exp(-KL)``, and the bank holds one entry per instance. Memory bank with momentum:
    Z. Wu, Y. Xiong, S. X. Yu, D. Lin, "Unsupervised Feature Learning via Non-Parametric Instance
    Discrimination", CVPR 2018.

    Args:
        num_entries: ``M >= 2``, number of bank entries (instances).
        num_classes: ``K >= 2``, length of the probability vectors.
        gamma: ``0 <= gamma <= 1``, weight of the positive term.
        momentum: ``0 <= m < 1`` of :meth:`update` (0 replaces an entry by the new prediction).
        eps: ``0 < eps < 1``, floor inside the logarithms.

    Shapes:
        ``forward(probs1, probs2, indices)``: ``probs1``, ``probs2`` ``(N, K)`` probability vectors (rows
        non-negative, summing to 1; not log-probabilities), ``indices`` ``(N,)`` integer bank indices.
        Output: scalar. The bank starts uniform, ``1/K``; set it with :meth:`reset` or :meth:`update`.
    """

    bank: Tensor

    def __init__(self, num_entries: int, num_classes: int, *, gamma: float = 0.5, momentum: float = 0.5,
                 eps: float = 1e-8) -> None:
        super().__init__()
        owner = type(self).__name__
        self.num_entries = check_int(owner, "num_entries", num_entries, low=2)
        self.num_classes = check_int(owner, "num_classes", num_classes, low=2)
        self.gamma = check_real(owner, "gamma", gamma, low=0.0, high=1.0)
        self.momentum = check_real(owner, "momentum", momentum, low=0.0, high=1.0, high_open=True)
        self.eps = check_real(owner, "eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
        self.register_buffer("bank", torch.full((self.num_entries, self.num_classes), 1.0 / self.num_classes))

    def forward(self, probs1: Tensor, probs2: Tensor, indices: Tensor) -> Tensor:
        """Return ``gamma * L_+ + (1 - gamma) * L_-`` for two views of a batch (see the class docstring)."""
        self._check_probs("probs1", probs1)
        self._check_probs("probs2", probs2)
        check_same_shape(type(self).__name__, ("probs1", "probs2"), (probs1, probs2))
        self._check_indices(indices, probs1.shape[0])
        log_bank = torch.log(self.bank.to(probs1.dtype).clamp_min(self.eps))
        own = torch.zeros(probs1.shape[0], self.num_entries, dtype=torch.bool, device=probs1.device)
        own[torch.arange(probs1.shape[0], device=probs1.device), indices] = True
        positive = probs1.new_zeros(())
        negative = probs1.new_zeros(())
        for probs in (probs1, probs2):
            kl = self._kl_to_bank(probs, log_bank)
            positive = positive + kl[own].mean()
            negative = negative + torch.exp(-kl).masked_fill(own, 0.0).sum(dim=1).mean() / (self.num_entries - 1)
        return self.gamma * positive + (1.0 - self.gamma) * negative

    @torch.no_grad()
    def update(self, indices: Tensor, probs: Tensor) -> None:
        """Momentum update of the bank entries ``indices`` (unique) with predictions ``probs`` ``(N, K)``.

        ``b_k <- m b_k + (1 - m) p``, then each updated row is divided by its sum against rounding drift.
        """
        self._check_probs("probs", probs)
        self._check_indices(indices, probs.shape[0])
        if torch.unique(indices).numel() != indices.numel():
            raise InputValueError(f"{type(self).__name__}.update: indices must be unique within a call, got "
                                  f"{indices.numel() - torch.unique(indices).numel()} repeated; "
                                  "update each instance once per call.")
        mixed = self.momentum * self.bank[indices] + (1.0 - self.momentum) * probs.detach().to(self.bank.dtype)
        self.bank[indices] = mixed / mixed.sum(dim=1, keepdim=True)

    @torch.no_grad()
    def reset(self, probs: Tensor | None = None) -> None:
        """Set the whole bank to ``probs`` ``(M, K)``, or back to uniform ``1/K`` when ``probs`` is None."""
        if probs is None:
            self.bank.fill_(1.0 / self.num_classes)
            return
        self._check_probs("probs", probs)
        if probs.shape[0] != self.num_entries:
            raise ShapeError(f"{type(self).__name__}.reset: probs must have shape ({self.num_entries}, "
                             f"{self.num_classes}) (one row per bank entry), got {tuple(probs.shape)}.")
        self.bank.copy_(probs.detach())

    def _kl_to_bank(self, probs: Tensor, log_bank: Tensor) -> Tensor:
        """``KL(p_i || b_j)`` for every batch row ``i`` and bank entry ``j``: ``(N, M)``."""
        log_probs = torch.log(probs.clamp_min(self.eps))
        neg_entropy = (probs * log_probs).sum(dim=1, keepdim=True)
        return neg_entropy - probs @ log_bank.transpose(0, 1)

    def _check_probs(self, name: str, probs: Tensor) -> None:
        owner = type(self).__name__
        check_matrix(owner, name, probs)
        if probs.is_complex() or probs.shape[1] != self.num_classes:
            raise ShapeError(f"{owner}: {name} must be real with shape (N, {self.num_classes}), "
                             f"got {tuple(probs.shape)} and dtype {probs.dtype}.")
        detached = probs.detach()
        worst = (detached.sum(dim=1) - 1).abs().max().item()
        if bool((detached < 0).any()) or worst > _SUM_ATOL:
            raise InputValueError(f"{owner}: rows of {name} must be probability vectors (>= 0, summing to 1 "
                                  f"within {_SUM_ATOL:g}); worst row sum is {worst:.3g} off. Pass "
                                  "probabilities (softmax or measured), not logits or log-probabilities.")

    def _check_indices(self, indices: Tensor, batch: int) -> None:
        owner = type(self).__name__
        check_vector(owner, "indices", indices, batch)
        if indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool:
            raise ShapeError(f"{owner}: indices must be an integer tensor, got {indices.dtype}; use .long().")
        if bool(((indices < 0) | (indices >= self.num_entries)).any()):
            raise InputValueError(f"{owner}: indices must lie in [0, {self.num_entries - 1}] (bank entries), "
                                  f"got values in [{indices.min().item()}, {indices.max().item()}].")

    def extra_repr(self) -> str:
        return (f"num_entries={self.num_entries}, num_classes={self.num_classes}, gamma={self.gamma:g}, "
                f"momentum={self.momentum:g}, eps={self.eps:g}")


@dataclass(frozen=True)
class MemoryBankKLOptions:
    """``[loss] name = "memory_bank_kl"`` (the bank itself is sized and kept by the ``memory_bank`` objective)."""

    gamma: float = option(0.5, low=0.0, high=1.0, low_open=True, high_open=True,
                          help="weight of the positive (own bank entry) term; 1 - gamma weighs the negatives")
    momentum: float = option(0.5, low=0.0, high=1.0, high_open=True,
                             help="bank update b <- m b + (1 - m) p after every step (0: replace)")
    num_classes: int = option(2, low=2, high=4096, help="length of the model's output distribution")
    eps: float = option(1e-8, low=0.0, high=1.0, low_open=True, high_open=True, help="floor inside the logarithms")


@LOSSES.register("memory_bank_kl", options=MemoryBankKLOptions, traits=LossTraits(objectives=("memory_bank",)),
                 help="KL to each sample's own memory-bank entry vs the other entries (Tran et al. 2025)")
def _memory_bank_kl(options: MemoryBankKLOptions) -> MemoryBankKLLoss:
    """A template with two entries; the ``memory_bank`` objective sizes one bank per data set from it."""
    return MemoryBankKLLoss(2, options.num_classes, gamma=options.gamma, momentum=options.momentum, eps=options.eps)
