"""Training: the fit loop, atomic checkpoints and exact resume, early stopping, epoch-seeded data and the
metrics log. Runs are assembled from configurations in :mod:`qhep_contrast.experiment`; end-to-end runs are
in :mod:`qhep_contrast.pipeline`."""

from qhep_contrast.training.checkpoint import atomic_write_bytes, atomic_write_text, load_checkpoint, save_checkpoint
from qhep_contrast.training.early_stopping import EarlyStopping
from qhep_contrast.training.epoch_data import EpochPairDataset, EpochSampler, EpochTripletDataset, epoch_seed
from qhep_contrast.training.fit_loop import (
    BEST_CHECKPOINT,
    LAST_CHECKPOINT,
    FitResult,
    FitSettings,
    ObjectiveFn,
    current_lr,
    fit,
)
from qhep_contrast.training.metrics_log import MetricsLog, read_metrics
from qhep_contrast.training.runtime import (
    capture_rng_state,
    configure_threads,
    restore_rng_state,
    seed_everything,
    select_device,
)

__all__ = [
    "BEST_CHECKPOINT",
    "LAST_CHECKPOINT",
    "EarlyStopping",
    "EpochPairDataset",
    "EpochSampler",
    "EpochTripletDataset",
    "FitResult",
    "FitSettings",
    "MetricsLog",
    "ObjectiveFn",
    "atomic_write_bytes",
    "atomic_write_text",
    "capture_rng_state",
    "configure_threads",
    "current_lr",
    "epoch_seed",
    "fit",
    "load_checkpoint",
    "read_metrics",
    "restore_rng_state",
    "save_checkpoint",
    "seed_everything",
    "select_device",
]
