"""Image datasets backed by one or more HDF5 files of the ML4SCI layout ``X (N, H, W, C)`` + ``y (N,)``.

:class:`HDF5ImageDataset` validates every file up front (keys, ranks, shapes, dtypes, label values),
reads the labels and 1-D per-sample extras whole (a few bytes per sample), and reads images lazily
through :class:`~qhep_contrast.data.hdf5.ChunkedRows` (bounded memory, NaN/inf checked per block).
The schema-specific readers (:class:`~qhep_contrast.data.egamma.ElectronPhotonDataset`,
:class:`~qhep_contrast.data.quark_gluon.QuarkGluonDataset`) only configure it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence, cast

import numpy as np
import torch

from qhep_contrast.data.base import ImageTransform, LabelledImageDataset, normalize_index
from qhep_contrast.data.hdf5 import (
    DEFAULT_BLOCK_BYTES,
    DEFAULT_CACHE_BYTES,
    ChunkedRows,
    check_array,
    open_hdf5,
    read_column,
    read_labels,
    require_key,
)
from qhep_contrast.data.preprocess import LOG_SCALE_NEGATIVE_FIX, applies_log_scale
from qhep_contrast.exceptions import ConfigError, SchemaError

__all__ = ["ImageSchema", "HDF5ImageDataset"]

PathLike = str | os.PathLike


@dataclass(frozen=True)
class ImageSchema:
    """Layout of one kind of HDF5 image file.

    Attributes:
        name: schema name for messages, e.g. ``"electron/photon"``.
        image_keys: accepted names of the image array, in order of preference.
        channel_names: names of the last image axis (their number is enforced).
        label_key: name of the label array.
        class_names: class name of each label value ``0 .. K-1``.
        extra_keys: optional 1-D per-sample arrays returned when every file has them.
    """

    name: str
    image_keys: tuple[str, ...]
    channel_names: tuple[str, ...]
    label_key: str
    class_names: tuple[str, ...]
    extra_keys: tuple[str, ...] = ()

    @property
    def label_meaning(self) -> str:
        """E.g. ``"photon 0, electron 1"``."""
        return ", ".join(f"{n} {i}" for i, n in enumerate(self.class_names))

    def expected_images(self) -> str:
        """Human-readable image layout, e.g. ``"float (N, H, W, 2) [energy, time]"``."""
        return f"float (N, H, W, {len(self.channel_names)}) [{', '.join(self.channel_names)}]"


@dataclass
class _Source:
    """One validated file: its lazy image rows, labels and extras."""

    rows: ChunkedRows
    labels: np.ndarray
    extras: dict[str, np.ndarray]


class HDF5ImageDataset(LabelledImageDataset):
    """Images ``(C, H, W)`` and int64 labels from one or more HDF5 files following ``schema``.

    Files are concatenated in the given order (e.g. one photon file and one electron file). All must
    have the same image height, width and channel count.

    Args:
        paths: one path or a sequence of paths.
        schema: the file layout.
        channels: channels to keep, by index or (case-insensitive) name, in the order given;
            ``None`` keeps all.
        transform: applied to each ``(C, H, W)`` image after channel selection.
        with_extras: if true, items are ``(image, label, extras)`` with ``extras`` a dict of float32
            scalar tensors (keys :attr:`extras`); otherwise ``(image, label)``.
        cache_bytes: LRU block-cache budget per file and per process (see
            :class:`~qhep_contrast.data.hdf5.ChunkedRows`).
        block_bytes: target size of one cached block (whole HDF5 chunks, at least one).
        check_finite: check every block of images for NaN/inf when it is read.

    When ``transform`` applies a log scale (:func:`~qhep_contrast.data.preprocess.applies_log_scale`), every
    block of images is also checked for negative values in the selected channels; the error names the file,
    key, sample and channel.

    Raises:
        DataFileNotFoundError, CorruptFileError, SchemaError: a file is missing, unreadable, or does
            not follow ``schema``; the message names the file and key.
        ConfigError: unknown channel, or no paths.
    """

    def __init__(self, paths: PathLike | Sequence[PathLike], schema: ImageSchema, *,
                 channels: Sequence[int | str] | None = None, transform: ImageTransform | None = None,
                 with_extras: bool = False, cache_bytes: int = DEFAULT_CACHE_BYTES,
                 block_bytes: int = DEFAULT_BLOCK_BYTES, check_finite: bool = True) -> None:
        super().__init__(transform)
        path_list = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        if not path_list:
            raise ConfigError(f"{schema.name} dataset: no file paths given; pass one or more HDF5 paths")
        self.schema = schema
        self.paths = [str(p) for p in path_list]
        self.channels = _resolve_channels(channels, schema)
        self.with_extras = with_extras
        nonnegative = tuple(self.channels) if applies_log_scale(transform) else ()
        self._sources = [_open_source(p, schema, cache_bytes, block_bytes, check_finite, nonnegative)
                         for p in self.paths]
        self._hwc = _common_image_shape(self._sources, schema)
        self._offsets = np.cumsum([0] + [len(s.rows) for s in self._sources])
        self._labels = np.concatenate([s.labels for s in self._sources])
        common = [k for k in schema.extra_keys if all(k in s.extras for s in self._sources)]
        self.extras = {k: np.concatenate([s.extras[k] for s in self._sources]) for k in common}

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_classes(self) -> int:
        return len(self.schema.class_names)

    @property
    def class_names(self) -> tuple[str, ...]:
        """Name of each label value."""
        return self.schema.class_names

    @property
    def raw_image_shape(self) -> tuple[int, int, int]:
        return (len(self.channels), self._hwc[0], self._hwc[1])

    @property
    def block_ids(self) -> np.ndarray:
        """Cache-block id of every sample, ``(N,)`` int64, distinct across files: samples with one id are
        read from the file together (for :class:`~qhep_contrast.data.samplers.BlockShuffleSampler`)."""
        ids, first = [], 0
        for s in self._sources:
            local = np.arange(len(s.rows)) // s.rows.block_rows
            ids.append(local + first)
            first += int(local[-1]) + 1
        return np.concatenate(ids)

    def _raw_image(self, index: int) -> torch.Tensor:
        f = int(np.searchsorted(self._offsets, index, side="right")) - 1
        row = self._sources[f].rows.row(index - int(self._offsets[f]))  # (H, W, C), read-only view
        return torch.from_numpy(np.ascontiguousarray(np.moveaxis(row, -1, 0)[self.channels]))

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        """``(image, label)``, or ``(image, label, extras)`` with ``with_extras``."""
        image, label = super().__getitem__(index)
        if not self.with_extras:
            return image, label
        i = normalize_index(index, len(self))
        return image, label, {k: torch.tensor(v[i], dtype=torch.float32) for k, v in self.extras.items()}

    def close(self) -> None:
        """Close this process's file handles and drop the caches (they reopen on next use)."""
        for s in self._sources:
            s.rows.close()


def _open_source(path: str, schema: ImageSchema, cache_bytes: int, block_bytes: int,
                 check_finite: bool, nonnegative: tuple[int, ...] = ()) -> _Source:
    """Validate one file against ``schema`` and read its labels and extras."""
    with open_hdf5(path) as f:
        key = require_key(f, schema.image_keys)
        ds = check_array(f, key, shape=(None, None, None, len(schema.channel_names)), kinds="f",
                         expected=schema.expected_images())
        n = ds.shape[0]
        require_key(f, (schema.label_key,))
        labels = read_labels(f, schema.label_key, n, range(len(schema.class_names)), schema.label_meaning)
        extras = {k: read_column(f, k, n) for k in schema.extra_keys if k in f}
    rows = ChunkedRows(path, key, cache_bytes=cache_bytes, block_bytes=block_bytes, check_finite=check_finite,
                       nonnegative=nonnegative, nonnegative_reason=LOG_SCALE_NEGATIVE_FIX,
                       channel_names=schema.channel_names)
    return _Source(rows, labels, extras)


def _common_image_shape(sources: list[_Source], schema: ImageSchema) -> tuple[int, int, int]:
    """The shared ``(H, W, C)`` of all files, or :class:`SchemaError` naming the odd one out."""
    first = sources[0].rows.shape[1:]
    for s in sources[1:]:
        if s.rows.shape[1:] != first:
            raise SchemaError(f"{schema.name} files disagree on the image shape: {sources[0].rows.path!r} has "
                              f"(H, W, C) = {first}, {s.rows.path!r} has {s.rows.shape[1:]}; use files of one "
                              "resolution (or preprocess them separately)")
    return cast("tuple[int, int, int]", first)


def _resolve_channels(channels: Sequence[int | str] | None, schema: ImageSchema) -> list[int]:
    """Channel indices from indices/names (``None`` = all)."""
    names = [n.lower() for n in schema.channel_names]
    if channels is None:
        return list(range(len(names)))
    if isinstance(channels, (str, int)):
        channels = [channels]
    out = []
    for c in channels:
        if isinstance(c, str) and c.lower() in names:
            out.append(names.index(c.lower()))
        elif isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c < len(names):
            out.append(int(c))
        else:
            raise ConfigError(f"{schema.name}: unknown channel {c!r}; use indices 0..{len(names) - 1} or names "
                              f"{list(schema.channel_names)}")
    if not out:
        raise ConfigError(f"{schema.name}: empty channel selection; give at least one of {list(schema.channel_names)}")
    return out
