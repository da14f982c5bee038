"""Options every dataset accepts (subsample, split, batch sizes), and those of image datasets (preprocessing)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.options import option

__all__ = ["SplitOptions", "ImageDataOptions", "preprocess_of", "check_classes", "MAX_BATCH"]

MAX_BATCH = 1 << 20
"""Largest batch size accepted in a config."""


@dataclass(frozen=True)
class SplitOptions:
    """``[data]`` keys shared by every dataset: subsample, split and batch sizes."""

    limit: int = option(0, low=0, help="use a stratified subsample of this many samples (0: all)")
    split: list[float] = option([0.6, 0.2, 0.2], low=0.0, high=1.0, low_open=True,
                                help="train/validation/test fractions")
    split_seed: int = option(-1, low=-1, help="seed of the subsample and of the train/validation/test split "
                                              "(-1: the run's seed); fix it to keep one test set across seeds")
    batch_size: int = option(64, low=1, high=MAX_BATCH)
    eval_batch_size: int = option(256, low=1, high=MAX_BATCH)

    def __post_init__(self) -> None:
        if len(self.split) != 3 or abs(sum(self.split) - 1.0) > 1e-6:
            raise ConfigError(f"data.split must be three fractions (train, validation, test) summing to 1, "
                              f"got {self.split}.")


@dataclass(frozen=True)
class ImageDataOptions(SplitOptions):
    """``[data]`` keys shared by every image dataset: the common keys plus the preprocessing."""

    crop: int = option(0, low=0, high=4096, help="centre-crop size in pixels (0: none)")
    image_size: int = option(0, low=0, high=1024, help="area-resize to this many pixels per side (0: keep)")
    log_scale: float = option(0.0, low=0.0, help="log(1 + x / s) with this s (0: none)")
    normalize: str = option("channel", choices=("channel", "image", "none"), help="divide by the maximum")


def preprocess_of(options: SplitOptions) -> Preprocess | None:
    """The per-image preprocessing of the common image options (None for a dataset without them)."""
    if not isinstance(options, ImageDataOptions):
        return None
    return Preprocess.from_options(crop=options.crop or None, size=options.image_size or None,
                                   log=options.log_scale or None,
                                   normalize=None if options.normalize == "none" else options.normalize)


def check_classes(classes: list[int], path: str) -> None:
    """Refuse a repeated class in ``<path>.classes`` (e.g. a pair ``[c1, c2]`` with ``c1 == c2``).

    Raises:
        ConfigError: naming the key and the repeated class.
    """
    repeated = sorted({c for c in classes if classes.count(c) > 1})
    if repeated:
        raise ConfigError(f"{path}.classes = {classes} repeats class {repeated[0]}; list distinct classes, e.g. "
                          f"{path}.classes = [0, 1] for a pair.")
