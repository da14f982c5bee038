"""``triplets``: anchor, positive (same class), negative (other class), redrawn every epoch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.options import option
from qhep_contrast.training.epoch_data import EpochTripletDataset

__all__ = ["Triplets", "TripletsOptions"]


@dataclass(frozen=True)
class TripletsOptions:
    """``[objective] name = "triplets"``."""

    per_epoch: int = option(0, low=0, help="triplets drawn per epoch (0: one per training image)")


class Triplets(Objective):
    """Items ``(anchor, positive, negative)``, encoded in one pass of the shared encoder.

    Args:
        loss: the loss module.
        options: triplet sampling.
    """

    def __init__(self, loss: nn.Module, options: TripletsOptions = TripletsOptions()) -> None:
        super().__init__(loss)
        self.options = options

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """:class:`~qhep_contrast.training.EpochTripletDataset` of ``per_epoch`` (or ``len(images)``) triplets."""
        return EpochTripletDataset(images, self.options.per_epoch or len(images), augment, seed)

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        images = torch.cat([t.to(device) for t in batch[:3]], dim=0)
        n = batch[0].shape[0]
        siamese = cast(SiameseEncoder, model)
        z = siamese.project(siamese.embed(images))
        return self.loss(z[:n], z[n:2 * n], z[2 * n:]), int(n)


def _never(options: TripletsOptions) -> bool:
    return False


@OBJECTIVES.register("triplets", options=TripletsOptions, traits=ObjectiveTraits(needs_views=_never),
                     help="anchor/positive/negative triplets by class, redrawn every epoch")
def _triplets(options: TripletsOptions, loss: nn.Module) -> Triplets:
    return Triplets(loss, options)
