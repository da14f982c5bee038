"""Common item format of every image dataset in :mod:`qhep_contrast.data`.

Every dataset yields ``(image, label)`` with ``image`` a float32 tensor of shape ``(C, H, W)``
(channels first, ready for ``torch.nn.Conv2d``) and ``label`` an int64 scalar tensor, and exposes

* ``labels``: ``numpy.ndarray`` of int64, shape ``(N,)``, read without touching the images (used for
  stratified splits, class balancing and pair sampling);
* ``num_classes``: number of classes;
* ``image_shape``: ``(C, H, W)`` of the returned images, after the dataset's ``transform``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence, cast

import numpy as np
import torch
from torch.utils.data import Dataset

from qhep_contrast.exceptions import ShapeError

__all__ = ["ImageTransform", "LabelledImageDataset", "LabelledSubset", "subset", "normalize_index"]

ImageTransform = Callable[[torch.Tensor], torch.Tensor]
"""A callable mapping a ``(C, H, W)`` float32 tensor to another image tensor."""


class LabelledImageDataset(Dataset, ABC):
    """Abstract base of the package's image datasets (see the module docstring for the item format).

    Subclasses implement :meth:`_raw_image` (untransformed ``(C, H, W)`` float32 tensor),
    :attr:`labels`, :attr:`num_classes` and :attr:`raw_image_shape`; the base applies ``transform``.

    Args:
        transform: optional callable applied to each ``(C, H, W)`` image (e.g. a
            :class:`~qhep_contrast.data.preprocess.Preprocess`). If it has an ``output_shape(shape)``
            method, :attr:`image_shape` uses it; otherwise the shape is found by transforming one zero
            image.
    """

    def __init__(self, transform: ImageTransform | None = None) -> None:
        self.transform = transform
        self._image_shape: tuple[int, int, int] | None = None

    @property
    @abstractmethod
    def labels(self) -> np.ndarray:
        """Integer class labels, shape ``(N,)``, dtype int64."""

    @property
    @abstractmethod
    def num_classes(self) -> int:
        """Number of classes."""

    @property
    @abstractmethod
    def raw_image_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of an image before ``transform``."""

    @abstractmethod
    def _raw_image(self, index: int) -> torch.Tensor:
        """Untransformed float32 image ``(C, H, W)`` of sample ``index`` (already range-checked)."""

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of the images this dataset returns (after ``transform``)."""
        if self._image_shape is None:
            self._image_shape = _transformed_shape(self.transform, self.raw_image_shape)
        return self._image_shape

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        i = normalize_index(index, len(self))
        image = self._raw_image(i)
        if self.transform is not None:
            image = self.transform(image)
        return image, torch.tensor(int(self.labels[i]), dtype=torch.int64)


class LabelledSubset(LabelledImageDataset):
    """A view of ``dataset`` restricted to ``indices`` (in that order), keeping the item format.

    Args:
        dataset: any :class:`LabelledImageDataset`.
        indices: integer positions into ``dataset``, shape ``(M,)``.
        transform: optional extra transform applied after the parent's own.
    """

    def __init__(self, dataset: LabelledImageDataset, indices: Sequence[int] | np.ndarray,
                 transform: ImageTransform | None = None) -> None:
        super().__init__(transform)
        idx = np.asarray(indices)
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise ShapeError(f"subset indices must be a 1-D integer array; got shape {idx.shape}, "
                             f"dtype {idx.dtype}")
        idx = idx.astype(np.int64)
        n = len(dataset)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"subset indices must lie in [-{n}, {n}); got range "
                             f"[{idx.min()}, {idx.max()}]")
        self.dataset = dataset
        self.indices = np.where(idx < 0, idx + n, idx)
        self._labels = dataset.labels[self.indices]

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_classes(self) -> int:
        return self.dataset.num_classes

    @property
    def raw_image_shape(self) -> tuple[int, int, int]:
        return self.dataset.image_shape

    def _raw_image(self, index: int) -> torch.Tensor:
        return self.dataset[int(self.indices[index])][0]


def subset(dataset: LabelledImageDataset, indices: Sequence[int] | np.ndarray) -> LabelledSubset:
    """Restrict ``dataset`` to ``indices`` (e.g. one part of :func:`~qhep_contrast.data.splits.stratified_split`)."""
    return LabelledSubset(dataset, indices)


def normalize_index(index: int, length: int) -> int:
    """Return ``index`` as a non-negative int, or raise ``IndexError`` naming the valid range."""
    i = int(index)
    if i < -length or i >= length:
        raise IndexError(f"index {index} is out of range for a dataset of {length} samples")
    return i + length if i < 0 else i


def _transformed_shape(transform: ImageTransform | None,
                       shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """Shape ``(C, H, W)`` after ``transform``, via ``transform.output_shape`` or one zero image."""
    if transform is None:
        return cast("tuple[int, int, int]", tuple(shape))
    if hasattr(transform, "output_shape"):
        return cast("tuple[int, int, int]", tuple(transform.output_shape(tuple(shape))))
    return cast("tuple[int, int, int]", tuple(transform(torch.zeros(shape, dtype=torch.float32)).shape))
