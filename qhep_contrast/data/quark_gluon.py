"""Quark/gluon jet images (ML4SCI quark/gluon schema).

Schema: ``X_jets`` (or ``X`` in some files) float32 ``(N, 125, 125, 3)`` with channels Tracks, ECAL,
HCAL; ``y`` ``(N,)`` with quark 1, gluon 0; optional per-jet ``pt`` and ``m0`` ``(N,)``. Any other key
(e.g. particle-level arrays in generated files) is ignored. Reference: M. Andrews et al., "End-to-end jet
classification of quarks and gluons with the CMS Open Data", NIM A 977, 164304 (2020).
"""

from __future__ import annotations

from typing import Sequence

from qhep_contrast.data.base import ImageTransform
from qhep_contrast.data.hdf5 import DEFAULT_BLOCK_BYTES, DEFAULT_CACHE_BYTES
from qhep_contrast.data.hdf5_images import HDF5ImageDataset, ImageSchema, PathLike

__all__ = ["QUARK_GLUON_SCHEMA", "QuarkGluonDataset"]

QUARK_GLUON_SCHEMA = ImageSchema(
    name="quark/gluon",
    image_keys=("X_jets", "X"),
    channel_names=("tracks", "ecal", "hcal"),
    label_key="y",
    class_names=("gluon", "quark"),
    extra_keys=("pt", "m0"),
)


class QuarkGluonDataset(HDF5ImageDataset):
    """Quark/gluon jet images as ``(C, H, W)`` float32 tensors with labels gluon 0, quark 1.

    Args:
        paths: one HDF5 file or several, concatenated in order.
        channels: ``None`` (Tracks, ECAL, HCAL), or a selection by index/name, e.g. ``["ecal"]``.
        transform: applied to each ``(C, H, W)`` image (e.g. ``Preprocess`` crop + resize to 16x16).
        with_extras: items become ``(image, label, {"pt": ..., "m0": ...})`` (the keys present in every
            file; see :attr:`extras` for the whole arrays).
        cache_bytes: LRU block-cache budget per file and per process.
        block_bytes: target size of one cached block (whole HDF5 chunks, at least one).
        check_finite: check each block of images for NaN/inf when it is read.
    """

    def __init__(self, paths: PathLike | Sequence[PathLike], *, channels: Sequence[int | str] | None = None,
                 transform: ImageTransform | None = None, with_extras: bool = False,
                 cache_bytes: int = DEFAULT_CACHE_BYTES, block_bytes: int = DEFAULT_BLOCK_BYTES,
                 check_finite: bool = True) -> None:
        super().__init__(paths, QUARK_GLUON_SCHEMA, channels=channels, transform=transform,
                         with_extras=with_extras, cache_bytes=cache_bytes, block_bytes=block_bytes,
                         check_finite=check_finite)
