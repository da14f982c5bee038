"""Contrastive pair loss with a margin (Hadsell, Chopra & LeCun 2006)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from qhep_contrast._checks import check_real
from qhep_contrast._tensor_checks import check_matrix, check_same_shape, check_vector
from qhep_contrast.exceptions import InputValueError
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["ContrastivePairLoss"]


class ContrastivePairLoss(nn.Module):
    r"""Contrastive loss over labelled pairs of embeddings.

    .. math::

        L = \frac{1}{2N} \sum_{i=1}^{N} \Big[ y_i\, d_i^2 + (1 - y_i)\, \max(0,\, m - d_i)^2 \Big],
        \qquad d_i = \lVert z^{(1)}_i - z^{(2)}_i \rVert_2

    with ``y_i = 1`` for a similar pair (pulled together) and ``y_i = 0`` for a dissimilar pair (pushed
    apart until it is at least the margin ``m`` away). Soft labels in ``[0, 1]`` are accepted. The similar
    term uses the squared distance directly (smooth everywhere); at ``d_i = 0`` the hinge term takes the
    subgradient 0 of the norm.

    Reference: R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an Invariant
    Mapping", CVPR 2006, eq. (4) with ``L_S = d^2 / 2`` and ``L_D = max(0, m - d)^2 / 2``
    (their ``Y = 0`` for similar pairs is our ``y = 1``).

    Args:
        margin: ``m > 0``, the distance beyond which dissimilar pairs cost nothing.

    Shapes:
        ``z1``, ``z2``: ``(N, D)`` embeddings of the two members of each pair; ``y``: ``(N,)`` labels.
        Output: scalar.
    """

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = check_real(type(self).__name__, "margin", margin, low=0.0, low_open=True)

    def forward(self, z1: Tensor, z2: Tensor, y: Tensor) -> Tensor:
        """Return the mean contrastive loss of the ``N`` pairs (see the class docstring)."""
        owner = type(self).__name__
        check_matrix(owner, "z1", z1)
        check_matrix(owner, "z2", z2)
        check_same_shape(owner, ("z1", "z2"), (z1, z2))
        check_vector(owner, "y", y, z1.shape[0])
        y = y.to(z1.dtype)
        if bool(((y < 0) | (y > 1)).any()):
            raise InputValueError(f"{owner}: labels y must lie in [0, 1] (1 = similar pair, 0 = dissimilar), "
                                  f"got values in [{y.min().item():g}, {y.max().item():g}].")
        diff = z1 - z2
        sq_dist = diff.square().sum(dim=1)
        hinge = torch.clamp(self.margin - torch.linalg.vector_norm(diff, dim=1), min=0.0)
        return 0.5 * (y * sq_dist + (1 - y) * hinge.square()).mean()

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}"


@dataclass(frozen=True)
class ContrastivePairOptions:
    """``[loss] name = "contrastive_pair"``."""

    margin: float = option(1.0, low=0.0, low_open=True, help="dissimilar pairs are pushed to this distance")


@LOSSES.register("contrastive_pair", options=ContrastivePairOptions, traits=LossTraits(objectives=("pairs",)),
                 help="margin loss on labelled pairs (Hadsell, Chopra & LeCun 2006)")
def _contrastive_pair(options: ContrastivePairOptions) -> ContrastivePairLoss:
    return ContrastivePairLoss(options.margin)
