"""Build the datasets of a run from its ``[data]``, ``[views]``, ``[pairs]`` and ``[loss]`` tables.

Images are read once (through the readers of :mod:`qhep_contrast.data`, preprocessing included), held in
memory as float32, and split stratified into train/validation/test with the run's seed. The training set
is the objective's view of the training images (two views, pairs or triplets) and changes with the epoch
(:mod:`qhep_contrast.training.epoch_data`); the validation set is the same objective view frozen at
epoch 0, so validation losses are comparable across epochs.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from qhep_contrast.data import (
    DigitsDataset,
    ElectronPhotonDataset,
    InMemoryImageDataset,
    MNISTDataset,
    Preprocess,
    QuarkGluonDataset,
    TwoViewDataset,
    digit_augment,
    jet_augment,
    stratified_split,
    subset,
)
from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import Augment
from qhep_contrast.exceptions import ConfigError, DataFileNotFoundError, DependencyError
from qhep_contrast.training.config import TWO_VIEW_LOSSES, DataConfig, RunConfig, ViewsConfig
from qhep_contrast.training.epoch_data import EpochPairDataset, EpochTripletDataset, epoch_seed

__all__ = ["SHIPPED_JETS", "MEMORY_BUDGET", "DataBundle", "shipped_jet_file", "load_images", "make_augment",
           "build_data"]

SHIPPED_JETS = "qg_jets_2k_16x16.h5"
"""File name of the quark/gluon jets shipped in ``qhep_contrast/data/shipped/``."""

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


def shipped_jet_file() -> Path:
    """Path of the quark/gluon jet file shipped with the package.

    Raises:
        DataFileNotFoundError: the package was installed without it.
    """
    path = Path(str(resources.files("qhep_contrast.data") / "shipped" / SHIPPED_JETS))
    if not path.is_file():
        raise DataFileNotFoundError(f"the shipped jet file {path} is missing; reinstall qhep-contrast, or point "
                                    "data.paths at quark/gluon HDF5 files (qhep data generate-jets makes them).")
    return path


def _preprocess(data: DataConfig) -> Preprocess:
    return Preprocess.from_options(crop=data.crop or None, size=data.image_size or None,
                                   log=data.log_scale or None,
                                   normalize=None if data.normalize == "none" else data.normalize)


def _reader(data: DataConfig, seed: int) -> LabelledImageDataset:
    transform = _preprocess(data)
    channels = data.channels or None
    if data.dataset == "quark_gluon":
        paths = [shipped_jet_file() if p == "shipped" else Path(p) for p in data.paths or ["shipped"]]
        return QuarkGluonDataset(paths, channels=channels, transform=transform)
    if data.dataset == "egamma":
        return ElectronPhotonDataset(data.paths, channels=channels, transform=transform)
    if data.dataset == "egamma_toy":
        return _egamma_toy(data, seed, transform)
    classes = data.classes or None
    if data.dataset == "digits":
        return DigitsDataset(classes, transform=transform)
    if data.dataset == "mnist":
        return MNISTDataset(data.paths[0], "train", classes=classes, transform=transform)
    raise ConfigError(f"data.dataset {data.dataset!r} is not supported.")


def _egamma_toy(data: DataConfig, seed: int, transform: Preprocess) -> LabelledImageDataset:
    """SYNTHETIC e/gamma showers generated in memory with the data-gen toy (channels energy, time)."""
    try:
        from qhep_contrast.data.generators import egamma_labels, simulate_egamma
    except ImportError as err:
        raise DependencyError("data.dataset = \"egamma_toy\" needs qhep_contrast.data.generators "
                              f"(simulate_egamma, egamma_labels), which is not importable ({err}).") from err
    rng = np.random.default_rng([seed, 7])
    arrays = simulate_egamma(rng, egamma_labels(rng, data.toy_samples))
    names = ("energy", "time")
    if any(c.lower() not in names for c in data.channels):
        raise ConfigError(f"egamma_toy channels are {list(names)}, got {data.channels}.")
    keep = [names.index(c.lower()) for c in data.channels] if data.channels else [0, 1]
    images = np.ascontiguousarray(np.moveaxis(arrays["X"], -1, 1)[:, keep])
    return InMemoryImageDataset(images, arrays["y"].astype(np.int64), 2, transform=transform,
                                class_names=("photon", "electron"))


def load_images(data: DataConfig, seed: int) -> LabelledImageDataset:
    """Read, preprocess and (for ``limit > 0``) stratified-subsample the images, held in memory.

    Raises:
        ConfigError: the preprocessed images would need more than :data:`MEMORY_BUDGET` bytes.
    """
    reader = _reader(data, seed)
    indices = np.arange(len(reader))
    if 0 < data.limit < len(reader):
        fraction = data.limit / len(reader)
        indices = stratified_split(reader.labels, (fraction, 1.0 - fraction), seed)[0]
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


def make_augment(views: ViewsConfig) -> Augment | None:
    """The view augmentation of ``[views]`` (``None`` for ``kind = "none"``)."""
    if views.kind == "jet":
        return jet_augment(views.rotation, views.flips, views.max_shift, views.dropout, views.smear)
    if views.kind == "digit":
        return digit_augment(views.affine_shift, views.max_degrees, views.noise)
    return None


def _objective_set(config: RunConfig, images: LabelledImageDataset, seed: int) -> Dataset:
    augment = make_augment(config.views)
    loss = config.loss.name
    if loss in TWO_VIEW_LOSSES:
        return TwoViewDataset(images, augment, seed)
    count = config.pairs.per_epoch or len(images)
    if loss == "contrastive_pair":
        return EpochPairDataset(images, count, augment, seed, config.pairs.positive, config.pairs.negative)
    return EpochTripletDataset(images, count, augment, seed)


def build_data(config: RunConfig) -> DataBundle:
    """Images, splits and objective datasets of a run (deterministic in ``config.seed``).

    Raises:
        ConfigError: a split would be empty, or a class is missing from the training split.
    """
    images = load_images(config.data, config.seed)
    parts = stratified_split(images.labels, tuple(config.data.split), config.seed)
    train, val, test = (subset(images, p) for p in parts)
    for name, part in (("train", train), ("validation", val), ("test", test)):
        if len(part) < 2:
            raise ConfigError(f"the {name} split has {len(part)} images (of {len(images)}); raise data.limit or "
                              f"change data.split = {config.data.split}.")
    return DataBundle(train=train, val=val, test=test,
                      train_set=_objective_set(config, train, config.seed),
                      val_set=_objective_set(config, val, epoch_seed(config.seed, 0, 3)),
                      image_shape=tuple(images.image_shape), num_classes=images.num_classes)
