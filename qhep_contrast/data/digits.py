"""scikit-learn's bundled handwritten digits (8x8, 1,797 images, offline).

Pixels are integer counts 0..16 (``sklearn.datasets.load_digits``); they are returned scaled to
[0, 1] (divided by 16) as ``(1, 8, 8)`` float32 images. Reference: UCI "Optical Recognition of
Handwritten Digits" data set (Alpaydin & Kaynak, 1998).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from qhep_contrast.data.base import ImageTransform
from qhep_contrast.data.in_memory import InMemoryImageDataset, select_classes

__all__ = ["DigitsDataset"]


class DigitsDataset(InMemoryImageDataset):
    """scikit-learn digits as ``(1, 8, 8)`` float32 images in [0, 1].

    Args:
        classes: digits to keep, e.g. ``(0, 1)``; labels become their positions in ``classes``
            (``None`` keeps all ten with labels 0..9).
        transform: applied to each ``(1, 8, 8)`` image.
    """

    def __init__(self, classes: Sequence[int] | None = None, *, transform: ImageTransform | None = None) -> None:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images = bunch.images.astype(np.uint8)[:, None]  # (1797, 1, 8, 8), values 0..16
        keep, labels = select_classes(bunch.target, classes, 10, "scikit-learn's digits")
        names = [str(c) for c in (classes if classes is not None else range(10))]
        super().__init__(images[keep], labels, len(names), scale=1.0 / 16.0, transform=transform,
                         class_names=names)
