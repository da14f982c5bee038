"""The objective interface: build the training items from labelled images, and turn a batch into a loss."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment

__all__ = ["Objective"]


class Objective:
    """Base: ``objective(model, batch, device) -> (loss, number of samples)`` and ``objective.dataset(...)``.

    An objective that keeps state across steps (e.g. a memory bank) also defines ``state_dict()`` and
    ``load_state_dict(state)``; the fit loop then stores that state in every ``last.pt`` and restores it on resume.

    Args:
        loss: the loss module.
    """

    def __init__(self, loss: nn.Module) -> None:
        self.loss = loss

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """The objective's items over ``images`` (deterministic in ``seed``; ``set_epoch`` where they vary)."""
        raise NotImplementedError

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.loss!r})"
