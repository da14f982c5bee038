"""The optimizer and scheduler registries (``qhep list optimizers``, ``qhep list schedulers``)."""

from __future__ import annotations

from qhep_contrast.registry import Registry

__all__ = ["OPTIMIZERS", "SCHEDULERS"]

OPTIMIZERS = Registry("optimizer", tag="name", section="optimizer", package="qhep_contrast.optim")
"""Every registered optimizer; factory ``factory(options, param_groups) -> Optimizer``."""

SCHEDULERS = Registry("scheduler", tag="name", section="scheduler", package="qhep_contrast.optim")
"""Every registered schedule; factory ``factory(options, optimizer, epochs) -> LRScheduler``."""
