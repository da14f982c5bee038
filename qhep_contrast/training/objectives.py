"""Objectives: how one batch of a dataset becomes one loss value for a Siamese model.

=====================  ==========================  =====================================================
objective              batch items                 loss call
=====================  ==========================  =====================================================
:class:`TwoViews`      ``(view1, view2, label)``   ``loss(*model(view1, view2))`` (NT-Xent, fidelity losses)
:class:`Pairs`         ``(x1, x2, target)``        ``loss(*model(x1, x2), target)`` (contrastive pair)
:class:`Triplets`      ``(anchor, pos, neg)``      ``loss(a, p, n)`` on one stacked forward pass
=====================  ==========================  =====================================================
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from qhep_contrast.losses import (
    CombinedFidelityLoss,
    ContrastivePairLoss,
    FidelityInfoNCELoss,
    NTXentLoss,
    TripletLoss,
)
from qhep_contrast.training.config import TWO_VIEW_LOSSES, LossConfig

__all__ = ["Objective", "TwoViews", "Pairs", "Triplets", "build_loss", "build_objective"]


class Objective:
    """Base: ``objective(model, batch, device) -> (loss, number of samples)``.

    Args:
        loss: the loss module.
    """

    def __init__(self, loss: nn.Module) -> None:
        self.loss = loss

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.loss!r})"


class TwoViews(Objective):
    """Two augmented views of each image; the loss compares every view with every other (InfoNCE family)."""

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        view1, view2 = batch[0].to(device), batch[1].to(device)
        z1, z2 = model(view1, view2)
        return self.loss(z1, z2), int(view1.shape[0])


class Pairs(Objective):
    """Labelled pairs (target 1 similar, 0 dissimilar) for the margin contrastive loss."""

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        x1, x2, target = (t.to(device) for t in batch[:3])
        z1, z2 = model(x1, x2)
        return self.loss(z1, z2, target.to(z1.dtype)), int(x1.shape[0])


class Triplets(Objective):
    """Anchor, positive, negative images, encoded in one pass of the shared encoder."""

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        images = torch.cat([t.to(device) for t in batch[:3]], dim=0)
        n = batch[0].shape[0]
        z = model.project(model.embed(images))
        return self.loss(z[:n], z[n:2 * n], z[2 * n:]), int(n)


def build_loss(loss: LossConfig) -> nn.Module:
    """The loss module named by ``loss.name`` with its settings."""
    if loss.name == "nt_xent":
        return NTXentLoss(loss.temperature)
    if loss.name == "fidelity_infonce":
        return FidelityInfoNCELoss(loss.temperature, loss.similarity, loss.eps)
    if loss.name == "combined_fidelity":
        return CombinedFidelityLoss(loss.alpha, loss.temperature, loss.similarity, loss.eps)
    if loss.name == "contrastive_pair":
        return ContrastivePairLoss(loss.margin)
    return TripletLoss(loss.margin, loss.squared)


def build_objective(loss: LossConfig) -> Objective:
    """The objective that feeds ``build_loss(loss)`` from the matching dataset items."""
    module = build_loss(loss)
    if loss.name in TWO_VIEW_LOSSES:
        return TwoViews(module)
    if loss.name == "contrastive_pair":
        return Pairs(module)
    return Triplets(module)
