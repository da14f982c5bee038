"""Datasets by name: ``[data] dataset = "..."`` picks one; each module here registers one dataset.

Every dataset accepts the common options of :class:`SplitOptions` (subsample, split, batch sizes), every
image dataset those of :class:`ImageDataOptions` (plus preprocessing), plus its own keys. Factory convention:
``factory(options, seed, transform) -> LabelledImageDataset`` (not yet subsampled or held in memory).
"""

from qhep_contrast.data.sources.common import ImageDataOptions, SplitOptions, preprocess_of
from qhep_contrast.data.sources.registry import DATASETS

__all__ = ["DATASETS", "SplitOptions", "ImageDataOptions", "preprocess_of"]
