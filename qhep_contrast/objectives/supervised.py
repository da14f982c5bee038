"""``supervised``: labelled images; the loss compares the model's one logit per sample with the label.

Works with any model that follows the package's encoder convention (``model.embed(images)`` then
``model.project(representation)``) and whose head returns one logit per sample, ``(B,)`` or ``(B, 1)``
(e.g. ``[model] kind = "qvit"`` with ``head = "classifier"``). Labels must be 0 or 1. The fit loop keeps the
checkpoint of the lowest validation loss (``best.pt``); :func:`logits` scores a dataset with it, and the
evaluation reports the test ROC AUC (with its statistical error) and accuracy of those logits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment
from qhep_contrast.exceptions import ShapeError
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.registry import NoOptions

__all__ = ["Supervised", "logits", "model_logits"]


def model_logits(model: nn.Module, images: Tensor) -> Tensor:
    """``model.project(model.embed(images))`` as ``(B,)`` logits.

    Raises:
        ShapeError: the model does not return one value per sample.
    """
    out = model.project(model.embed(images))  # type: ignore[operator]
    if out.dim() == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.dim() != 1 or out.shape[0] != images.shape[0]:
        raise ShapeError(f"the supervised objective needs one logit per sample, got an output of shape "
                         f"{tuple(out.shape)} for {images.shape[0]} images; give the model a one-unit head (for "
                         "kind = \"qvit\": head = \"classifier\").")
    return out


@torch.no_grad()
def logits(model: nn.Module, images: LabelledImageDataset, batch_size: int,
           device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """``(logits (N,), labels (N,))`` of every image of ``images``, model in eval mode."""
    model.eval()
    scores, labels = [], []
    for batch in DataLoader(images, batch_size=batch_size, shuffle=False):
        scores.append(model_logits(model, batch[0].to(device)).float().cpu())
        labels.append(batch[1])
    return torch.cat(scores).numpy(), torch.cat(labels).numpy()


class Supervised(Objective):
    """Items ``(image, label)``; ``loss(logits(image), label)`` (e.g. ``bce_logits``)."""

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """The labelled images themselves (no views)."""
        return images

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        images, labels = batch[0].to(device), batch[1].to(device)
        if labels.numel() and (labels.min() < 0 or labels.max() > 1):
            raise ShapeError(f"the supervised objective takes binary labels 0/1, got labels from {int(labels.min())} "
                             f"to {int(labels.max())}; keep two classes (data.classes).")
        return self.loss(model_logits(model, images), labels), int(images.shape[0])


def _no_views(options: NoOptions) -> bool:
    return False


@OBJECTIVES.register("supervised", traits=ObjectiveTraits(needs_views=_no_views),
                     help="labelled images, one logit per sample against the label (binary classifiers)")
def _supervised(options: NoOptions, loss: nn.Module) -> Supervised:
    return Supervised(loss)
