"""``anomaly_score``: the mean of a power of per-sample anomaly scores, ``L = mean_b s_b^p``.

With ``p = 2`` and the SQAE's score ``s = 1 - F`` this is the published autoencoder loss ``mean (1 - F)^2``;
with ``p = 1`` and a per-image reconstruction BCE it is the usual autoencoder loss.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from qhep_contrast.exceptions import ShapeError
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["AnomalyScoreLoss", "AnomalyScoreOptions"]


class AnomalyScoreLoss(nn.Module):
    """``mean_b s_b^p`` over a ``(B,)`` batch of non-negative scores.

    Args:
        power: ``p`` (1: mean score, 2: mean squared score).
    """

    def __init__(self, power: int = 1) -> None:
        super().__init__()
        self.power = int(power)

    def forward(self, scores: Tensor) -> Tensor:
        """The loss of ``scores`` ``(B,)``.

        Raises:
            ShapeError: ``scores`` is not a non-empty 1-D tensor.
        """
        if scores.dim() != 1 or scores.shape[0] == 0:
            raise ShapeError(f"anomaly_score takes one score per sample, shape (B,), got {tuple(scores.shape)}.")
        return scores.pow(self.power).mean()

    def extra_repr(self) -> str:
        return f"power={self.power}"


@dataclass(frozen=True)
class AnomalyScoreOptions:
    """``[loss] name = "anomaly_score"``."""

    power: int = option(1, low=1, high=4, help="mean of score**power (2 for the SQAE's (1 - F)^2)")


@LOSSES.register("anomaly_score", options=AnomalyScoreOptions, traits=LossTraits(objectives=("anomaly",)),
                 help="mean of per-sample anomaly scores to a power (autoencoders trained on one class)")
def _anomaly_score(options: AnomalyScoreOptions) -> AnomalyScoreLoss:
    return AnomalyScoreLoss(options.power)
