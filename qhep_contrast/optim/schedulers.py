"""Learning-rate schedules, stepped once per epoch: constant, cosine annealing, step decay."""

from __future__ import annotations

from dataclasses import dataclass

from torch.optim import Optimizer
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LRScheduler, StepLR

from qhep_contrast.optim.registry import SCHEDULERS
from qhep_contrast.options import option
from qhep_contrast.registry import NoOptions

__all__ = ["CosineOptions", "StepOptions"]


@dataclass(frozen=True)
class CosineOptions:
    """``[scheduler] name = "cosine"``."""

    min_lr: float = option(0.0, low=0.0, help="final learning rate")


@dataclass(frozen=True)
class StepOptions:
    """``[scheduler] name = "step"``."""

    step_size: int = option(10, low=1, help="epochs between decays")
    gamma: float = option(0.5, low=0.0, high=1.0, low_open=True, help="decay factor")


def _constant(epoch: int) -> float:
    return 1.0


@SCHEDULERS.register("none", help="constant learning rate")
def _none(options: NoOptions, optimizer: Optimizer, epochs: int) -> LRScheduler:
    return LambdaLR(optimizer, _constant)


@SCHEDULERS.register("cosine", options=CosineOptions, help="cosine annealing to min_lr over the run's epochs")
def _cosine(options: CosineOptions, optimizer: Optimizer, epochs: int) -> LRScheduler:
    return CosineAnnealingLR(optimizer, T_max=max(epochs, 1), eta_min=options.min_lr)


@SCHEDULERS.register("step", options=StepOptions, help="multiply the learning rate by gamma every step_size epochs")
def _step(options: StepOptions, optimizer: Optimizer, epochs: int) -> LRScheduler:
    return StepLR(optimizer, step_size=options.step_size, gamma=options.gamma)

