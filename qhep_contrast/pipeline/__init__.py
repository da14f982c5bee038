"""Runs end to end: train (and resume) a configuration, evaluate it, compare a hybrid with its twin.

Sits below :mod:`qhep_contrast.experiment` (it assembles runs from configurations) and above
:mod:`qhep_contrast.cli`, which is a thin layer over these functions.
"""

from qhep_contrast.pipeline.compare import Comparison, comparison_table, resume_compare, train_compare
from qhep_contrast.pipeline.evaluate import evaluate_model, evaluate_run, load_best_weights
from qhep_contrast.pipeline.train_run import (
    RESUME_OVERRIDABLE,
    RunOutcome,
    resume_overrides,
    resume_run,
    train_run,
    twin_config,
)

__all__ = [
    "RESUME_OVERRIDABLE",
    "Comparison",
    "RunOutcome",
    "comparison_table",
    "evaluate_model",
    "evaluate_run",
    "load_best_weights",
    "resume_compare",
    "resume_overrides",
    "resume_run",
    "train_compare",
    "train_run",
    "twin_config",
]
