"""``[data] dataset = "digits"``: scikit-learn's 8x8 handwritten digits (built in, no files)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.digits import DigitsDataset
from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.data.sources.common import ImageDataOptions, check_classes
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.options import option

__all__ = ["DigitsOptions"]


@dataclass(frozen=True)
class DigitsOptions(ImageDataOptions):
    """``[data] dataset = "digits"``."""

    classes: list[int] = option([], low=0, high=9, help="digit classes to keep (empty: all ten)")


def _check(options: DigitsOptions, path: str) -> None:
    check_classes(options.classes, path)


@DATASETS.register("digits", options=DigitsOptions, check=_check, help="scikit-learn's 1,797 8x8 digits, built in")
def _digits(options: DigitsOptions, seed: int, transform: Preprocess) -> LabelledImageDataset:
    return DigitsDataset(options.classes or None, transform=transform)
