"""``torch.optim`` AdamW, Adam and SGD with a separate learning rate for circuit weights.

Circuit weights are rotation angles whose useful scale (radians) differs from that of classical weights;
``quantum_lr`` gives them their own learning rate (a second parameter group, no weight decay, since
decaying an angle towards 0 has no regularising meaning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch.optim import SGD, Adam, AdamW, Optimizer

from qhep_contrast.optim.registry import OPTIMIZERS
from qhep_contrast.options import option

__all__ = ["OptimizerOptions", "AdamOptions", "SGDOptions"]


@dataclass(frozen=True)
class OptimizerOptions:
    """``[optimizer]`` keys every optimizer accepts."""

    lr: float = option(1e-3, low=0.0, high=10.0, low_open=True, help="learning rate")
    quantum_lr: float = option(0.0, low=0.0, high=10.0, help="learning rate of the circuit weights (0: same as lr)")
    weight_decay: float = option(0.01, low=0.0, high=1.0, help="decoupled (adamw) or L2 (adam, sgd) weight decay")


@dataclass(frozen=True)
class AdamOptions(OptimizerOptions):
    """``[optimizer] name = "adamw"`` or ``"adam"``."""

    betas: list[float] = option([0.9, 0.999], low=0.0, high=1.0, high_open=True, help="moment decay rates")


@dataclass(frozen=True)
class SGDOptions(OptimizerOptions):
    """``[optimizer] name = "sgd"``."""

    momentum: float = option(0.9, low=0.0, high=1.0, high_open=True)


@OPTIMIZERS.register("adamw", options=AdamOptions, help="AdamW (decoupled weight decay)")
def _adamw(options: AdamOptions, groups: list[dict[str, Any]]) -> Optimizer:
    return AdamW(groups, lr=options.lr, betas=tuple(options.betas), weight_decay=options.weight_decay)  # type: ignore[arg-type]


@OPTIMIZERS.register("adam", options=AdamOptions, help="Adam (L2 weight decay)")
def _adam(options: AdamOptions, groups: list[dict[str, Any]]) -> Optimizer:
    return Adam(groups, lr=options.lr, betas=tuple(options.betas), weight_decay=options.weight_decay)  # type: ignore[arg-type]


@OPTIMIZERS.register("sgd", options=SGDOptions, help="SGD with momentum")
def _sgd(options: SGDOptions, groups: list[dict[str, Any]]) -> Optimizer:
    return SGD(groups, lr=options.lr, momentum=options.momentum, weight_decay=options.weight_decay)
