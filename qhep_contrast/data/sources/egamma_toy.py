"""``[data] dataset = "egamma_toy"``: SYNTHETIC electron/photon showers generated in memory (no files)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.in_memory import InMemoryImageDataset
from qhep_contrast.data.preprocess import Preprocess
from qhep_contrast.data.sources.common import ImageDataOptions
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.options import option

__all__ = ["EgammaToyOptions"]

_CHANNELS = ("energy", "time")


@dataclass(frozen=True)
class EgammaToyOptions(ImageDataOptions):
    """``[data] dataset = "egamma_toy"``."""

    toy_samples: int = option(2000, low=4, high=10_000_000, help="number of SYNTHETIC showers generated")
    channels: list[str] = option([], choices=_CHANNELS, help="channels to keep: energy, time (empty: both)")


@DATASETS.register("egamma_toy", options=EgammaToyOptions,
                   help="SYNTHETIC electron/photon ECAL showers generated on the fly (a toy, not CMS data)")
def _egamma_toy(options: EgammaToyOptions, seed: int, transform: Preprocess) -> LabelledImageDataset:
    from qhep_contrast.data.generators import egamma_labels, simulate_egamma

    rng = np.random.default_rng([seed, 7])
    arrays = simulate_egamma(rng, egamma_labels(rng, options.toy_samples))
    keep = [_CHANNELS.index(c) for c in options.channels] if options.channels else [0, 1]
    images = np.ascontiguousarray(np.moveaxis(arrays["X"], -1, 1)[:, keep])
    return InMemoryImageDataset(images, arrays["y"].astype(np.int64), 2, transform=transform,
                                class_names=("photon", "electron"))
