"""``[data] dataset = "mnist"``: a folder of MNIST-format IDX files (MNIST, FashionMNIST, KMNIST)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.mnist import MNISTDataset
from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.data.sources.common import ImageDataOptions, check_classes
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.options import option

__all__ = ["MNISTOptions"]


@dataclass(frozen=True)
class MNISTOptions(ImageDataOptions):
    """``[data] dataset = "mnist"``."""

    paths: list[str] = option([], help="one folder holding the IDX files (train-images-idx3-ubyte[.gz], ...)")
    classes: list[int] = option([], low=0, high=9, help="classes to keep (empty: all ten)")


def _check(options: MNISTOptions, path: str) -> None:
    if len(options.paths) != 1:
        raise ConfigError(f"{path}.paths must name one folder of IDX files for {path}.dataset = \"mnist\", got "
                          f"{options.paths}.")
    check_classes(options.classes, path)


@DATASETS.register("mnist", options=MNISTOptions, check=_check,
                   help="MNIST-format IDX files in a folder (MNIST, FashionMNIST, KMNIST), training split")
def _mnist(options: MNISTOptions, seed: int, transform: Preprocess) -> LabelledImageDataset:
    return MNISTDataset(options.paths[0], "train", classes=options.classes or None, transform=transform)
