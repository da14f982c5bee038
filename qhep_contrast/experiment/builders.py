"""Build the parts of a run from its configuration: data, circuit, model, objective, optimizer, schedule.

Every builder goes through a registry (:mod:`qhep_contrast.registry`), so a new dataset, model, loss,
objective, circuit, optimizer or schedule needs no change here.

Images are read once (through the dataset's reader, preprocessing included), held in memory as float32, and
split stratified into train/validation/test with the run's seed. The training set is the objective's view
of the training images (two views, pairs or triplets) and changes with the epoch
(:mod:`qhep_contrast.training.epoch_data`); the validation set is the same objective view frozen at
epoch 0, so validation losses are comparable across epochs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data import Dataset

from qhep_contrast import circuits
from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.circuits.selectable import ANSATZE, ENCODERS
from qhep_contrast.data import InMemoryImageDataset, stratified_split, subset
from qhep_contrast.data.augmentations import VIEWS
from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.sources import DATASETS, preprocess_of
from qhep_contrast.data.views import Augment
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.config import CircuitConfig, RunConfig
from qhep_contrast.losses.registry import LOSSES
from qhep_contrast.models import SiameseEncoder, circuit_weights
from qhep_contrast.models.registry import MODELS
from qhep_contrast.objectives import OBJECTIVES, Objective
from qhep_contrast.optim import OPTIMIZERS, SCHEDULERS
from qhep_contrast.options import Selection
from qhep_contrast.training.epoch_data import epoch_seed

__all__ = ["MEMORY_BUDGET", "DataBundle", "load_images", "make_augment", "build_data", "build_circuit", "build_model",
           "build_loss", "build_objective", "build_optimizer", "build_scheduler", "split_seed_of"]

MEMORY_BUDGET = 4 * 2**30
"""Largest float32 image set (bytes) that :func:`load_images` holds in memory."""


@dataclass
class DataBundle:
    """Everything the fit loop and the evaluation need.

    Attributes:
        train, val, test: the labelled image splits (no augmentation).
        train_set: the objective's training items; call ``set_epoch`` before each epoch.
        val_set: the objective's validation items (fixed).
        image_shape: ``(C, H, W)``.
        num_classes: number of classes.
    """

    train: LabelledImageDataset
    val: LabelledImageDataset
    test: LabelledImageDataset
    train_set: Dataset
    val_set: Dataset
    image_shape: tuple[int, int, int]
    num_classes: int


def load_images(data: Selection, seed: int, lazy: bool = False) -> LabelledImageDataset:
    """Read, preprocess and (for ``limit > 0``) stratified-subsample the images of ``[data]``, held in memory
    (``lazy``: left in the files and read when indexed, e.g. by the one shard a training process uses).

    Raises:
        ConfigError: the preprocessed images would need more than :data:`MEMORY_BUDGET` bytes.
    """
    reader = DATASETS.build(data, seed, preprocess_of(data.options))
    indices = np.arange(len(reader))
    if 0 < data.limit < len(reader):
        fraction = data.limit / len(reader)
        indices = stratified_split(reader.labels, (fraction, 1.0 - fraction), seed)[0]
    if lazy:
        return subset(reader, indices)
    needed = 4 * indices.size * int(np.prod(reader.image_shape))
    if needed > MEMORY_BUDGET:
        raise ConfigError(f"{indices.size} preprocessed images of shape {reader.image_shape} need "
                          f"{needed / 2**30:.1f} GiB in memory (budget {MEMORY_BUDGET / 2**30:.0f} GiB); set "
                          "data.limit, or shrink them with data.crop / data.image_size.")
    return _in_memory(reader, indices)


def _in_memory(dataset: LabelledImageDataset, indices: np.ndarray) -> InMemoryImageDataset:
    images = torch.stack([dataset[int(i)][0] for i in indices]) if indices.size else torch.empty(0)
    names = getattr(dataset, "class_names", None)
    return InMemoryImageDataset(images.numpy().astype(np.float32), dataset.labels[indices], dataset.num_classes,
                                class_names=names)


def make_augment(views: Selection) -> Augment | None:
    """The view augmentation of ``[views]`` (None for ``kind = "none"``)."""
    return VIEWS.build(views)


def build_loss(config: RunConfig) -> nn.Module:
    """The loss module of ``[loss]``."""
    return LOSSES.build(config.loss)


def build_objective(config: RunConfig) -> Objective:
    """The objective of ``[objective]`` around the loss of ``[loss]``."""
    return OBJECTIVES.build(config.objective, build_loss(config))


def split_seed_of(config: RunConfig) -> int:
    """The seed of the run's data subsample and split: ``data.split_seed``, or the run's seed when it is -1."""
    return config.data.split_seed if config.data.split_seed >= 0 else config.seed


def build_data(config: RunConfig, objective: Objective | None = None, lazy: bool = False) -> DataBundle:
    """Images, splits and objective datasets of a run (deterministic in ``config.seed``; the split and subsample
    in :func:`split_seed_of`).

    Args:
        config: the run configuration.
        objective: the run's objective (built from ``config`` when None).
        lazy: read images from the files when indexed instead of loading them (see :func:`load_images`).

    Raises:
        ConfigError: a split would be empty.
    """
    objective = objective or build_objective(config)
    split_seed = split_seed_of(config)
    images = load_images(config.data, split_seed, lazy)
    parts = stratified_split(images.labels, tuple(config.data.split), split_seed)
    train, val, test = (subset(images, p) for p in parts)
    for name, part in (("train", train), ("validation", val), ("test", test)):
        if len(part) < 2:
            raise ConfigError(f"the {name} split has {len(part)} images (of {len(images)}); raise data.limit or "
                              f"change data.split = {config.data.split}.")
    return DataBundle(train=train, val=val, test=test,
                      train_set=objective.dataset(train, make_augment(config.views), config.seed),
                      val_set=objective.dataset(val, make_augment(config.views), epoch_seed(config.seed, 0, 3)),
                      image_shape=cast("tuple[int, int, int]", tuple(images.image_shape)),
                      num_classes=images.num_classes)


def build_circuit(circuit: CircuitConfig) -> CircuitSpec:
    """``compose(encoder, ansatz)`` of ``[circuit]`` (the encoder alone for ansatz ``"none"``)."""
    encoder = ENCODERS.build(circuit.encoder, circuit.num_qubits)
    ansatz = ANSATZE.build(circuit.ansatz, circuit.num_qubits)
    return encoder if ansatz is None else circuits.compose(encoder, ansatz)


def build_model(config: RunConfig, image_shape: tuple[int, int, int], execution: Any = None) -> SiameseEncoder:
    """The run's model of ``[model]`` (deterministic in ``config.seed``).

    Args:
        config: the run configuration.
        image_shape: ``(C, H, W)`` of the input images.
        execution: executor of the quantum layers (None: the exact engine); e.g. an ``ExecutionConfig`` for
            Aer to evaluate trained weights there.
    """
    uses_circuit = MODELS.traits(config.model.name).uses_circuit
    circuit = build_circuit(config.circuit) if uses_circuit else None
    return MODELS.build(config.model, image_shape=image_shape, circuit=circuit, execution=execution,
                        seed=config.seed)


def build_optimizer(model: nn.Module, optimizer: Selection) -> Optimizer:
    """The optimizer of ``[optimizer]`` over the trainable parameters of ``model``.

    With ``quantum_lr > 0`` the circuit weights form a second parameter group with that learning rate and no
    weight decay.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    quantum_ids = {id(p) for p in circuit_weights(model)} if optimizer.quantum_lr else set()
    groups: list[dict[str, Any]] = [{"params": [p for p in params if id(p) not in quantum_ids]}]
    if quantum_ids:
        groups.append({"params": [p for p in params if id(p) in quantum_ids], "lr": optimizer.quantum_lr,
                       "weight_decay": 0.0})
    return OPTIMIZERS.build(optimizer, groups)


def build_scheduler(optimizer: Optimizer, scheduler: Selection, epochs: int) -> LRScheduler:
    """The learning-rate schedule of ``[scheduler]`` over ``epochs`` epochs."""
    return SCHEDULERS.build(scheduler, optimizer, epochs)
