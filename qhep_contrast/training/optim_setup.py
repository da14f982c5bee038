"""Optimizer and learning-rate schedule from ``[optimizer]`` and ``[scheduler]``.

Circuit weights are rotation angles whose useful scale (radians) differs from that of classical weights;
``optimizer.quantum_lr`` gives them their own learning rate (a second parameter group, no weight decay,
since decaying an angle towards 0 has no regularising meaning). The schedule is stepped once per epoch.
"""

from __future__ import annotations

from torch import nn
from torch.optim import SGD, Adam, AdamW, Optimizer
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LRScheduler, StepLR

from qhep_contrast.training.config import OptimizerConfig, SchedulerConfig
from qhep_contrast.training.model_setup import circuit_weights

__all__ = ["build_optimizer", "build_scheduler", "current_lr"]


def _constant(epoch: int) -> float:
    return 1.0


def build_optimizer(model: nn.Module, config: OptimizerConfig) -> Optimizer:
    """AdamW, Adam or SGD over the trainable parameters of ``model`` (two groups with ``quantum_lr``)."""
    params = [p for p in model.parameters() if p.requires_grad]
    quantum_ids = {id(p) for p in circuit_weights(model)} if config.quantum_lr else set()
    classical = [p for p in params if id(p) not in quantum_ids]
    groups: list[dict] = [{"params": classical}]
    if quantum_ids:
        groups.append({"params": [p for p in params if id(p) in quantum_ids], "lr": config.quantum_lr,
                       "weight_decay": 0.0})
    if config.name == "adamw":
        return AdamW(groups, lr=config.lr, betas=tuple(config.betas), weight_decay=config.weight_decay)
    if config.name == "adam":
        return Adam(groups, lr=config.lr, betas=tuple(config.betas), weight_decay=config.weight_decay)
    return SGD(groups, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)


def build_scheduler(optimizer: Optimizer, config: SchedulerConfig, epochs: int) -> LRScheduler:
    """Cosine annealing to ``min_lr`` over ``epochs``, step decay, or a constant schedule (``"none"``)."""
    if config.name == "cosine":
        return CosineAnnealingLR(optimizer, T_max=max(epochs, 1), eta_min=config.min_lr)
    if config.name == "step":
        return StepLR(optimizer, step_size=config.step_size, gamma=config.gamma)
    return LambdaLR(optimizer, _constant)


def current_lr(optimizer: Optimizer) -> float:
    """Learning rate of the first parameter group."""
    return float(optimizer.param_groups[0]["lr"])

