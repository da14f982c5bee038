"""Optimizers (``[optimizer] name = "..."``) and learning-rate schedules (``[scheduler] name = "..."``) by name.

Optimizer factory: ``factory(options, param_groups) -> torch.optim.Optimizer``; the first group holds the
classical parameters and takes ``options.lr``, a second group (circuit weights, when ``quantum_lr`` is set)
carries its own ``lr`` and no weight decay. Scheduler factory: ``factory(options, optimizer, epochs)``,
stepped once per epoch.
"""

from qhep_contrast.optim.optimizers import OptimizerOptions
from qhep_contrast.optim.registry import OPTIMIZERS, SCHEDULERS

__all__ = ["OPTIMIZERS", "SCHEDULERS", "OptimizerOptions"]
