"""``[data] dataset = "egamma"``: ML4SCI electron/photon ECAL images (``X`` (N, 32, 32, 2), ``y``)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.egamma import ElectronPhotonDataset
from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.data.shipped import SHIPPED
from qhep_contrast.data.sources.common import ImageDataOptions
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.options import option

__all__ = ["ElectronPhotonOptions"]


@dataclass(frozen=True)
class ElectronPhotonOptions(ImageDataOptions):
    """``[data] dataset = "egamma"``."""

    paths: list[str] = option([], help="HDF5 files (e.g. one per class), concatenated")
    channels: list[str] = option([], help="channels to keep by name: energy, time (empty: both)")


def _check(options: ElectronPhotonOptions, path: str) -> None:
    if not options.paths:
        raise ConfigError(f"{path}.paths is empty but {path}.dataset = \"egamma\" reads files; list the HDF5 files.")
    if SHIPPED in options.paths:
        raise ConfigError(f'{path}.paths = ["{SHIPPED}"] names the shipped quark/gluon jet file, but {path}.dataset = '
                          '"egamma"; set dataset = "quark_gluon" or give real paths.')


@DATASETS.register("egamma", options=ElectronPhotonOptions, check=_check,
                   help="electron/photon ECAL images from HDF5 files (energy and time channels)")
def _egamma(options: ElectronPhotonOptions, seed: int, transform: Preprocess) -> LabelledImageDataset:
    return ElectronPhotonDataset(options.paths, channels=options.channels or None, transform=transform)
