"""A human-readable summary of any HDF5 file (``qhep data inspect``) that reads a bounded amount of data.

What is read, whatever sizes the file declares:

* metadata of every dataset (shape, dtype, chunks, compression); a dataset that declares more data than
  the file stores is an error (:func:`~qhep_contrast.data.hdf5.check_stored`), as is a link that cannot be
  followed;
* the label dataset ``y``: counted in slices of ``2**20`` rows, over at most :data:`LABEL_ROWS` rows (the
  report says when it counted only the first rows);
* pixel statistics of the image dataset (``X_jets`` or ``X``, rank 4): per channel minimum, maximum, mean
  and fraction of zeros over the first :data:`PIXEL_SAMPLE_BYTES` of samples (the report says how many);
  a NaN/inf pixel there is an error;
* for a file with any of the keys ``X_jets``, ``X``, ``y`` (the quark/gluon or electron/photon layout; ``X``
  with 2 channels is electron/photon), the reader's own checks
  (keys, shapes, dtypes, label values, per-sample columns), so a file that ``inspect`` accepts is one that
  training can open.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np

from qhep_contrast.data.hdf5 import ChunkedRows, check_stored, open_hdf5, resolve_key

if TYPE_CHECKING:
    from qhep_contrast.data.hdf5_images import ImageSchema

__all__ = ["summarise_h5", "label_counts", "LABEL_ROWS", "PIXEL_SAMPLE_BYTES"]

_LABEL_KEY = "y"
_IMAGE_KEYS = ("X_jets", "X")
_LABEL_CHUNK = 1 << 20

LABEL_ROWS = 1 << 24
"""At most this many labels are counted (the first ones)."""

PIXEL_SAMPLE_BYTES = 64 * 2**20
"""Pixel statistics use the first samples up to this many bytes (as float32), at least one sample."""


def label_counts(dataset: h5py.Dataset, max_rows: int | None = None) -> dict[float, int]:
    """Count each distinct value of a numeric 1-D label dataset, reading ``2**20`` rows at a time.

    Args:
        dataset: 1-D numeric dataset.
        max_rows: count only the first ``max_rows`` rows (``None``: all).
    """
    stop = dataset.shape[0] if max_rows is None else min(dataset.shape[0], max_rows)
    counts: dict[float, int] = {}
    for start in range(0, stop, _LABEL_CHUNK):
        values, n = np.unique(dataset[start:min(start + _LABEL_CHUNK, stop)], return_counts=True)
        for v, c in zip(values.tolist(), n.tolist()):
            counts[v] = counts.get(v, 0) + c
    return counts


def _dataset_line(name: str, ds: h5py.Dataset) -> str:
    filters = f"{ds.compression}" + (f"({ds.compression_opts})" if ds.compression_opts is not None else "")
    return (f"  {name:<18} shape={ds.shape!s:<22} dtype={ds.dtype!s:<8} chunks={ds.chunks} "
            f"compression={filters if ds.compression else 'none'}")


def _attr_line(handle: h5py.File, key: str) -> str:
    try:
        value = handle.attrs[key]
    except (OSError, TypeError, ValueError) as err:
        value = f"<unreadable attribute: {str(err).splitlines()[0] if str(err) else type(err).__name__}>"
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
    return f"  {key} = " + text.replace("\n", "\n      ")


def _datasets(handle: h5py.File) -> list[tuple[str, h5py.Dataset]]:
    """Every dataset reachable by a link, in visiting order; a link that cannot be followed is an error."""
    names: list[str] = []
    handle.visit_links(names.append)
    found = []
    for name in names:
        obj = resolve_key(handle, name)
        if isinstance(obj, h5py.Dataset):
            check_stored(handle, name, obj)
            found.append((name, obj))
    return found


def _label_line(labels: h5py.Dataset) -> str:
    if labels.dtype.kind not in "fiub" or labels.dtype.names is not None:
        return f"labels y: not numeric (dtype {labels.dtype})"
    n = labels.shape[0]
    counts = label_counts(labels, LABEL_ROWS)
    total = max(sum(counts.values()), 1)
    balance = ", ".join(f"{k:g}: {v} ({100 * v / total:.1f}%)" for k, v in sorted(counts.items()))
    scope = "" if n <= LABEL_ROWS else f" (first {LABEL_ROWS} of {n} rows)"
    return f"labels y{scope}: {balance}"


def _pixel_lines(path: Path, key: str, ds: h5py.Dataset, channel_names: tuple[str, ...] | None) -> list[str]:
    """Per-channel statistics over the first samples (at most :data:`PIXEL_SAMPLE_BYTES`), NaN/inf checked."""
    rows = ChunkedRows(path, key, cache_bytes=0, block_bytes=min(PIXEL_SAMPLE_BYTES, 4 * 2**20))
    row_bytes = 4 * int(np.prod(ds.shape[1:], dtype=np.int64))
    budget = max(1, PIXEL_SAMPLE_BYTES // max(row_bytes, 1))
    n = min(ds.shape[0], budget)
    low = np.full(ds.shape[-1], np.inf)
    high = np.full(ds.shape[-1], -np.inf)
    total = np.zeros(ds.shape[-1])
    zeros = np.zeros(ds.shape[-1])
    done = 0
    try:
        while done < n:
            block = rows.block(done // rows.block_rows)[: n - done]
            done += block.shape[0]
            flat = block.reshape(-1, ds.shape[-1])
            low, high = np.minimum(low, flat.min(axis=0)), np.maximum(high, flat.max(axis=0))
            total += flat.sum(axis=0, dtype=np.float64)
            zeros += (flat == 0).sum(axis=0)
    finally:
        rows.close()
    per_row = int(np.prod(ds.shape[1:-1], dtype=np.int64))
    names = channel_names or tuple(str(c) for c in range(ds.shape[-1]))
    scope = "all" if n == ds.shape[0] else f"first {n} of {ds.shape[0]}"
    lines = [f"pixels {key} ({scope} samples):"]
    for c, name in enumerate(names):
        note = "  NEGATIVE: readers refuse it where a log scale follows" if low[c] < 0 else ""
        lines.append(f"  {name:<8} min={low[c]:.4g} max={high[c]:.4g} mean={total[c] / (n * per_row):.4g} "
                     f"zeros={100 * zeros[c] / (n * per_row):.1f}%{note}")
    return lines


def _schema(handle: h5py.File) -> ImageSchema | None:
    """The schema a file's keys point to: any of ``X_jets``, ``X``, ``y`` marks the ML4SCI layout."""
    from qhep_contrast.data.egamma import EGAMMA_SCHEMA
    from qhep_contrast.data.quark_gluon import QUARK_GLUON_SCHEMA

    if "X_jets" in handle:
        return QUARK_GLUON_SCHEMA
    if "X" in handle:
        x = handle["X"]
        two = isinstance(x, h5py.Dataset) and x.ndim == 4 and x.shape[-1] == 2
        return EGAMMA_SCHEMA if two else QUARK_GLUON_SCHEMA
    return QUARK_GLUON_SCHEMA if _LABEL_KEY in handle else None


def _schema_lines(path: Path, schema: ImageSchema | None) -> list[str]:
    """Validate a file of a known schema with its reader; a note for other files."""
    if schema is None:
        return ["schema: no X_jets, X or y: not a quark/gluon or electron/photon file, not checked"]
    from qhep_contrast.data.hdf5_images import HDF5ImageDataset

    dataset = HDF5ImageDataset(path, schema)  # raises the reader's errors (file, key, what was expected)
    try:
        present = sorted(set(dataset.labels.tolist()))
        lines = [f"schema: {schema.name}, {len(dataset)} samples, image (C, H, W) = {dataset.image_shape}: "
                 "passes the reader's checks"]
        if len(present) < len(schema.class_names):
            names = ", ".join(schema.class_names[i] for i in present)
            lines.append(f"note: only class {names} present; training needs every class "
                         f"({', '.join(schema.class_names)}): combine files")
    finally:
        dataset.close()
    return lines


def summarise_h5(path: str | os.PathLike[str]) -> str:
    """Summarise an HDF5 file: datasets, ``y`` balance, pixel statistics, schema check, attributes.

    Reads a bounded amount of data (see the module docstring).

    Args:
        path: HDF5 file.

    Returns:
        A multi-line report.

    Raises:
        DataFileNotFoundError: the file (or a file it links to) does not exist.
        CorruptFileError: the file is not readable HDF5, a link cannot be followed, or a dataset declares
            more data than the file stores.
        SchemaError: a file of a known schema breaks it (bad labels, NaN/inf pixels, ...).
    """
    path = Path(path)
    with open_hdf5(path) as handle:
        lines = [f"{path} ({path.stat().st_size / 1e6:.2f} MB)", "datasets:"]
        datasets = dict(_datasets(handle))
        lines.extend(_dataset_line(name, ds) for name, ds in datasets.items())
        labels = datasets.get(_LABEL_KEY)
        if labels is not None and labels.ndim == 1:
            lines.append(_label_line(labels))
        image_key = next((k for k in _IMAGE_KEYS if k in datasets and datasets[k].ndim == 4
                          and datasets[k].dtype.kind in "fiu" and datasets[k].shape[0] > 0), None)
        schema = _schema(handle)
        if image_key is not None and schema is not None:
            names = schema.channel_names if len(schema.channel_names) == datasets[image_key].shape[-1] else None
            lines.extend(_pixel_lines(path, image_key, datasets[image_key], names))
        lines.append("attributes:" if handle.attrs else "attributes: none")
        lines.extend(_attr_line(handle, k) for k in sorted(handle.attrs))
    lines.extend(_schema_lines(path, schema))
    return "\n".join(lines)
