"""``anomaly``: train an anomaly model on the images of one class only; ``loss(model(images))``.

Items are ``(image, label)`` of the ``normal_class`` images of a split (the other classes are the anomalies
the evaluation looks for). The model returns one anomaly score per image
(:class:`~qhep_contrast.models.anomaly_base.AnomalyModel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset, subset
from qhep_contrast.data.views import Augment
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.options import option

__all__ = ["Anomaly", "AnomalyOptions"]


@dataclass(frozen=True)
class AnomalyOptions:
    """``[objective] name = "anomaly"``."""

    normal_class: int = option(1, low=0, high=1 << 16,
                               help="the label trained on (quark/gluon jets: 1 quark, 0 gluon); others are anomalies")


class Anomaly(Objective):
    """One-class training (see the module docstring).

    Args:
        loss: e.g. :class:`~qhep_contrast.losses.AnomalyScoreLoss`.
        options: the normal class.
    """

    def __init__(self, loss: nn.Module, options: AnomalyOptions = AnomalyOptions()) -> None:
        super().__init__(loss)
        self.options = options

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """The ``normal_class`` images of ``images`` (no augmentation).

        Raises:
            ConfigError: ``images`` holds no image of the normal class.
        """
        keep = np.flatnonzero(np.asarray(images.labels) == self.options.normal_class)
        if keep.size == 0:
            raise ConfigError(f"objective.normal_class = {self.options.normal_class} matches none of the "
                              f"{len(images)} images (labels {sorted(set(np.asarray(images.labels).tolist()))}); "
                              "pick one of those labels.")
        return subset(images, keep)

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        images = batch[0].to(device)
        return self.loss(model(images)), int(images.shape[0])


def _never(options: AnomalyOptions) -> bool:
    return False


@OBJECTIVES.register("anomaly", options=AnomalyOptions, traits=ObjectiveTraits(needs_views=_never),
                     help="one-class training of an anomaly model (autoencoders); the other classes are anomalies")
def _anomaly(options: AnomalyOptions, loss: nn.Module) -> Anomaly:
    return Anomaly(loss, options)
