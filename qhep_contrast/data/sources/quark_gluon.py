"""``[data] dataset = "quark_gluon"``: ML4SCI quark/gluon jet images (or the shipped 2,000 Pythia jets)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.data.quark_gluon import QuarkGluonDataset
from qhep_contrast.data.shipped import SHIPPED, resolve_path
from qhep_contrast.data.sources.common import ImageDataOptions
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.options import option

__all__ = ["QuarkGluonOptions"]


@dataclass(frozen=True)
class QuarkGluonOptions(ImageDataOptions):
    """``[data] dataset = "quark_gluon"``."""

    paths: list[str] = option([], help=f'HDF5 files ("{SHIPPED}" or none: the jet file shipped with the package)')
    channels: list[str] = option([], help="channels to keep by name: Tracks, ECAL, HCAL (empty: all)")


@DATASETS.register("quark_gluon", options=QuarkGluonOptions,
                   help="quark/gluon jet images, X_jets (N, H, W, 3); default: the shipped 2,000 Pythia jets")
def _quark_gluon(options: QuarkGluonOptions, seed: int, transform: Preprocess) -> LabelledImageDataset:
    paths = [resolve_path(p) for p in options.paths or [SHIPPED]]
    return QuarkGluonDataset(paths, channels=options.channels or None, transform=transform)
