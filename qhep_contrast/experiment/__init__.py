"""Assembling a run from a configuration: tagged config tables read from the registries, the builders of
data, circuit, model, objective, optimizer and schedule, and run folders.

Sits between :mod:`qhep_contrast.evaluation` and :mod:`qhep_contrast.pipeline`; :mod:`qhep_contrast.training`
keeps only the fit loop and what it writes.
"""

from qhep_contrast.experiment.builders import (
    DataBundle,
    build_circuit,
    build_data,
    build_loss,
    build_model,
    build_objective,
    build_optimizer,
    build_scheduler,
    load_images,
    make_augment,
)
from qhep_contrast.experiment.config import (
    MAX_EXACT_QUBITS,
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
    load_config,
    read_config_tree,
    validate,
)
from qhep_contrast.experiment.execution import resolve_execution
from qhep_contrast.experiment.run_dir import create_run_dir, environment, read_run_config, write_config

__all__ = [
    "MAX_EXACT_QUBITS",
    "DataBundle",
    "RunConfig",
    "apply_overrides",
    "build_circuit",
    "build_data",
    "build_loss",
    "build_model",
    "build_objective",
    "build_optimizer",
    "build_scheduler",
    "config_from_dict",
    "config_to_dict",
    "create_run_dir",
    "environment",
    "load_config",
    "load_images",
    "make_augment",
    "read_config_tree",
    "read_run_config",
    "resolve_execution",
    "validate",
    "write_config",
]
