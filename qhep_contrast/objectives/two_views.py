"""``two_views``: two augmented views of each image; the loss compares every view with every other."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from qhep_contrast.data import TwoViewDataset
from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.registry import NoOptions

__all__ = ["TwoViews"]


class TwoViews(Objective):
    """Items ``(view1, view2, label)``; ``loss(*model(view1, view2))`` (InfoNCE family)."""

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """:class:`~qhep_contrast.data.TwoViewDataset` (views seeded by ``(seed, epoch, index)``)."""
        return TwoViewDataset(images, augment, seed)

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        view1, view2 = batch[0].to(device), batch[1].to(device)
        z1, z2 = model(view1, view2)
        return self.loss(z1, z2), int(view1.shape[0])


@OBJECTIVES.register("two_views", traits=ObjectiveTraits(min_batch=2),
                     help="two random views of each image; the loss compares all views (SimCLR)")
def _two_views(options: NoOptions, loss: nn.Module) -> TwoViews:
    return TwoViews(loss)
