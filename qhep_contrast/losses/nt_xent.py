"""NT-Xent (normalised temperature-scaled cross entropy), the InfoNCE loss of SimCLR."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from qhep_contrast._checks import check_real
from qhep_contrast._tensor_checks import check_matrix, check_same_shape
from qhep_contrast.losses._infonce import info_nce_from_logits
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["NTXentLoss"]

_NORM_EPS = 1e-12


class NTXentLoss(nn.Module):
    r"""NT-Xent over two views of a batch, with cosine similarity and a temperature.

    The ``2N`` embeddings ``u = [z1; z2]`` are compared by cosine similarity
    ``s_ik = u_i . u_k / (|u_i| |u_k|)``. Anchor ``i`` has one positive, the other view of the same
    sample, ``p(i) = (i + N) mod 2N``, and ``2N - 2`` negatives, every other embedding:

    .. math::

        \ell_i = -\log \frac{\exp(s_{i,p(i)} / \tau)}{\sum_{k \ne i} \exp(s_{ik} / \tau)},
        \qquad L = \frac{1}{2N} \sum_{i=1}^{2N} \ell_i .

    Closed forms: if every similarity is equal (e.g. all ``2N`` embeddings identical), ``L = log(2N - 1)``;
    if positives have similarity 1 and all negatives similarity ``c``,
    ``L = log(1 + (2N - 2) exp((c - 1) / tau))``.

    References: T. Chen, S. Kornblith, M. Norouzi, G. Hinton, "A Simple Framework for Contrastive
    Learning of Visual Representations" (SimCLR), ICML 2020, eq. (1); A. van den Oord, Y. Li, O. Vinyals,
    "Representation Learning with Contrastive Predictive Coding", arXiv:1807.03748 (InfoNCE).

    Args:
        temperature: ``tau > 0``.

    Shapes:
        ``z1``, ``z2``: ``(N, D)`` embeddings of view 1 and view 2, row ``i`` of each from sample ``i``.
        Output: scalar.
    """

    def __init__(self, temperature: float = 0.5) -> None:
        super().__init__()
        self.temperature = check_real(type(self).__name__, "temperature", temperature, low=0.0, low_open=True)

    def forward(self, z1: Tensor, z2: Tensor) -> Tensor:
        """Return the mean NT-Xent loss over the ``2N`` anchors (see the class docstring)."""
        owner = type(self).__name__
        check_matrix(owner, "z1", z1)
        check_matrix(owner, "z2", z2)
        check_same_shape(owner, ("z1", "z2"), (z1, z2))
        unit = F.normalize(torch.cat([z1, z2], dim=0), dim=1, eps=_NORM_EPS)
        return info_nce_from_logits(unit @ unit.transpose(0, 1) / self.temperature)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature:g}"



@dataclass(frozen=True)
class NTXentOptions:
    """``[loss] name = "nt_xent"``."""

    temperature: float = option(0.5, low=0.0, low_open=True, help="InfoNCE temperature tau > 0")


@LOSSES.register("nt_xent", options=NTXentOptions, traits=LossTraits(objectives=("two_views",)),
                 help="NT-Xent / InfoNCE with cosine similarity between two views (SimCLR)")
def _nt_xent(options: NTXentOptions) -> NTXentLoss:
    return NTXentLoss(options.temperature)
