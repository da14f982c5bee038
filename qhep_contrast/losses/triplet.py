"""Triplet margin loss (Schroff, Kalenichenko & Philbin 2015, FaceNet)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from qhep_contrast._checks import check_real
from qhep_contrast._tensor_checks import check_matrix, check_same_shape
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["TripletLoss"]


class TripletLoss(nn.Module):
    r"""Mean hinge on the distance gap of (anchor, positive, negative) triplets.

    .. math::

        L = \frac{1}{N} \sum_{i=1}^{N} \max\big(0,\; d(a_i, p_i) - d(a_i, n_i) + m\big)

    with ``d`` the Euclidean distance, or its square when ``squared=True`` (FaceNet's eq. (1) uses the
    squared distance between L2-normalised embeddings; normalise before calling to reproduce it exactly).
    A triplet costs nothing once the negative is at least ``m`` farther from the anchor than the positive.
    At ``d = 0`` the (unsquared) distance takes the subgradient 0.

    Reference: F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: A Unified Embedding for Face
    Recognition and Clustering", CVPR 2015, eqs. (1)-(3).

    Args:
        margin: ``m >= 0``.
        squared: use squared Euclidean distances.

    Shapes:
        ``anchor``, ``positive``, ``negative``: ``(N, D)``. Output: scalar.
    """

    def __init__(self, margin: float = 1.0, squared: bool = False) -> None:
        super().__init__()
        self.margin = check_real(type(self).__name__, "margin", margin, low=0.0)
        self.squared = bool(squared)

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """Return the mean triplet loss (see the class docstring)."""
        owner = type(self).__name__
        names = ("anchor", "positive", "negative")
        for name, tensor in zip(names, (anchor, positive, negative)):
            check_matrix(owner, name, tensor)
        check_same_shape(owner, names, (anchor, positive, negative))
        gap = self._distance(anchor, positive) - self._distance(anchor, negative)
        return torch.clamp(gap + self.margin, min=0.0).mean()

    def _distance(self, a: Tensor, b: Tensor) -> Tensor:
        if self.squared:
            return (a - b).square().sum(dim=1)
        return torch.linalg.vector_norm(a - b, dim=1)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, squared={self.squared}"


@dataclass(frozen=True)
class TripletOptions:
    """``[loss] name = "triplet"``."""

    margin: float = option(1.0, low=0.0, help="hinge margin >= 0")
    squared: bool = option(False, help="squared Euclidean distances")


@LOSSES.register("triplet", options=TripletOptions, traits=LossTraits(objectives=("triplets",)),
                 help="anchor/positive/negative hinge (Schroff et al. 2015, FaceNet)")
def _triplet(options: TripletOptions) -> TripletLoss:
    return TripletLoss(options.margin, options.squared)
