"""Training: validated run configurations, data/model/optimizer setup, the fit loop, atomic checkpoints,
exact resume, the metrics log and run folders. End-to-end runs are in :mod:`qhep_contrast.pipeline`."""

from qhep_contrast.training.checkpoint import atomic_write_bytes, atomic_write_text, load_checkpoint, save_checkpoint
from qhep_contrast.training.config import (
    DATASETS,
    LOSSES,
    MAX_EXACT_QUBITS,
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
    load_config,
    read_config_tree,
    validate,
)
from qhep_contrast.training.data_setup import DataBundle, build_data, load_images, make_augment, shipped_jet_file
from qhep_contrast.training.early_stopping import EarlyStopping
from qhep_contrast.training.epoch_data import EpochPairDataset, EpochSampler, EpochTripletDataset, epoch_seed
from qhep_contrast.training.fit_loop import BEST_CHECKPOINT, LAST_CHECKPOINT, FitResult, FitSettings, fit
from qhep_contrast.training.metrics_log import MetricsLog, read_metrics
from qhep_contrast.training.model_setup import build_circuit, build_model, circuit_weights
from qhep_contrast.training.objectives import Objective, Pairs, Triplets, TwoViews, build_loss, build_objective
from qhep_contrast.training.optim_setup import build_optimizer, build_scheduler, current_lr
from qhep_contrast.training.run_dir import create_run_dir, environment, read_run_config, write_config
from qhep_contrast.training.runtime import (
    capture_rng_state,
    configure_threads,
    restore_rng_state,
    seed_everything,
    select_device,
)

__all__ = [
    "BEST_CHECKPOINT",
    "DATASETS",
    "LAST_CHECKPOINT",
    "LOSSES",
    "MAX_EXACT_QUBITS",
    "DataBundle",
    "EarlyStopping",
    "EpochPairDataset",
    "EpochSampler",
    "EpochTripletDataset",
    "FitResult",
    "FitSettings",
    "MetricsLog",
    "Objective",
    "Pairs",
    "RunConfig",
    "Triplets",
    "TwoViews",
    "apply_overrides",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_circuit",
    "build_data",
    "build_loss",
    "build_model",
    "build_objective",
    "build_optimizer",
    "build_scheduler",
    "capture_rng_state",
    "circuit_weights",
    "config_from_dict",
    "config_to_dict",
    "configure_threads",
    "create_run_dir",
    "current_lr",
    "environment",
    "epoch_seed",
    "fit",
    "load_checkpoint",
    "load_config",
    "load_images",
    "make_augment",
    "read_config_tree",
    "read_metrics",
    "read_run_config",
    "restore_rng_state",
    "save_checkpoint",
    "seed_everything",
    "select_device",
    "shipped_jet_file",
    "validate",
    "write_config",
]
