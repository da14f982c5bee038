"""Datasets by name: ``[data] dataset = "..."`` picks one; each module here registers one dataset.

Every dataset accepts the common image options of :class:`ImageDataOptions` (subsample, preprocessing,
split, batch sizes) plus its own keys. Factory convention:
``factory(options, seed, transform) -> LabelledImageDataset`` (not yet subsampled or held in memory).
"""

from qhep_contrast.data.sources.common import ImageDataOptions, preprocess_of
from qhep_contrast.data.sources.registry import DATASETS

__all__ = ["DATASETS", "ImageDataOptions", "preprocess_of"]
