"""``pairs``: labelled pairs (target 1 similar, 0 dissimilar), redrawn every epoch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.options import option
from qhep_contrast.training.epoch_data import EpochPairDataset

__all__ = ["Pairs", "PairsOptions"]


@dataclass(frozen=True)
class PairsOptions:
    """``[objective] name = "pairs"``."""

    per_epoch: int = option(0, low=0, help="pairs drawn per epoch (0: one per training image)")
    positive: str = option("class", choices=("class", "view"), help="same class, or two views of one image")
    negative: str = option("class", choices=("class", "any"), help="other class, or any other image")


class Pairs(Objective):
    """Items ``(x1, x2, target)``; ``loss(*model(x1, x2), target)`` (margin contrastive loss).

    Args:
        loss: the loss module.
        options: pair sampling.
    """

    def __init__(self, loss: nn.Module, options: PairsOptions = PairsOptions()) -> None:
        super().__init__(loss)
        self.options = options

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """:class:`~qhep_contrast.training.EpochPairDataset` of ``per_epoch`` (or ``len(images)``) pairs."""
        o = self.options
        return EpochPairDataset(images, o.per_epoch or len(images), augment, seed, o.positive, o.negative)

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        x1, x2, target = (t.to(device) for t in batch[:3])
        z1, z2 = model(x1, x2)
        return self.loss(z1, z2, target.to(z1.dtype)), int(x1.shape[0])


def _needs_views(options: PairsOptions) -> bool:
    return options.positive == "view"


@OBJECTIVES.register("pairs", options=PairsOptions, traits=ObjectiveTraits(needs_views=_needs_views),
                     help="labelled similar/dissimilar pairs, redrawn every epoch")
def _pairs(options: PairsOptions, loss: nn.Module) -> Pairs:
    return Pairs(loss, options)
