"""Electron/photon calorimeter images (ML4SCI e/gamma schema).

Schema (one file per class is usual; any number of files is concatenated):
``X`` float32 ``(N, 32, 32, 2)`` with channel 0 the energy and channel 1 the time of each ECAL cell,
``y`` float32 ``(N,)`` with photon 0, electron 1. Reference: M. Andrews et al., "End-to-end physics event
classification with CMS Open Data", Comput. Softw. Big Sci. 4, 6 (2020).
"""

from __future__ import annotations

from typing import Sequence

from qhep_contrast.data.base import ImageTransform
from qhep_contrast.data.hdf5 import DEFAULT_BLOCK_BYTES, DEFAULT_CACHE_BYTES
from qhep_contrast.data.hdf5_images import HDF5ImageDataset, ImageSchema, PathLike

__all__ = ["EGAMMA_SCHEMA", "ElectronPhotonDataset"]

EGAMMA_SCHEMA = ImageSchema(
    name="electron/photon",
    image_keys=("X",),
    channel_names=("energy", "time"),
    label_key="y",
    class_names=("photon", "electron"),
)


class ElectronPhotonDataset(HDF5ImageDataset):
    """Electron/photon images as ``(C, 32, 32)`` float32 tensors with labels photon 0, electron 1.

    Args:
        paths: one HDF5 file, or several (e.g. ``[photons.h5, electrons.h5]``), concatenated in order.
        channels: ``None`` (both), or a selection by index/name, e.g. ``["energy"]`` or ``[0]``.
        transform: applied to each ``(C, H, W)`` image (e.g. a ``Preprocess``).
        cache_bytes: LRU block-cache budget per file and per process.
        block_bytes: target size of one cached block (whole HDF5 chunks, at least one).
        check_finite: check each block of images for NaN/inf when it is read.

    Example:
        >>> ds = ElectronPhotonDataset(["photons.h5", "electrons.h5"], channels=["energy"])  # doctest: +SKIP
        >>> image, label = ds[0]   # image (1, 32, 32) float32, label int64 scalar
    """

    def __init__(self, paths: PathLike | Sequence[PathLike], *, channels: Sequence[int | str] | None = None,
                 transform: ImageTransform | None = None, cache_bytes: int = DEFAULT_CACHE_BYTES,
                 block_bytes: int = DEFAULT_BLOCK_BYTES, check_finite: bool = True) -> None:
        super().__init__(paths, EGAMMA_SCHEMA, channels=channels, transform=transform,
                         cache_bytes=cache_bytes, block_bytes=block_bytes, check_finite=check_finite)
