"""A human-readable summary of any HDF5 file (``qhep data inspect``), without loading the big arrays.

Only the label dataset ``y`` (one number per sample) is read, to count classes.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

from qhep_contrast.exceptions import CorruptFileError, DataFileNotFoundError

__all__ = ["summarise_h5", "label_counts"]

_LABEL_KEY = "y"
_LABEL_CHUNK = 1 << 20


def label_counts(dataset: h5py.Dataset) -> dict[float, int]:
    """Count each distinct value of a 1-D label dataset, reading ``2**20`` rows at a time."""
    counts: dict[float, int] = {}
    for start in range(0, dataset.shape[0], _LABEL_CHUNK):
        values, n = np.unique(dataset[start:start + _LABEL_CHUNK], return_counts=True)
        for v, c in zip(values.tolist(), n.tolist()):
            counts[v] = counts.get(v, 0) + c
    return counts


def _dataset_line(name: str, ds: h5py.Dataset) -> str:
    filters = f"{ds.compression}" + (f"({ds.compression_opts})" if ds.compression_opts is not None else "")
    return (f"  {name:<18} shape={ds.shape!s:<22} dtype={ds.dtype!s:<8} chunks={ds.chunks} "
            f"compression={filters if ds.compression else 'none'}")


def _attr_line(key: str, value: object) -> str:
    text = value.decode() if isinstance(value, bytes) else str(value)
    return f"  {key} = " + text.replace("\n", "\n      ")


def summarise_h5(path: str | os.PathLike[str]) -> str:
    """Summarise an HDF5 file: datasets (shape, dtype, chunks, compression), ``y`` balance, attributes.

    Args:
        path: HDF5 file.

    Returns:
        A multi-line report.

    Raises:
        DataFileNotFoundError: the file does not exist.
        CorruptFileError: the file is not readable HDF5.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"no such file: {path}; give the path of an HDF5 file.")
    try:
        handle = h5py.File(path, "r")
    except OSError as err:
        raise CorruptFileError(f"{path} is not a readable HDF5 file ({err}).") from err
    lines = [f"{path} ({path.stat().st_size / 1e6:.2f} MB)", "datasets:"]
    with handle:
        handle.visititems(lambda name, obj: lines.append(_dataset_line(name, obj))
                          if isinstance(obj, h5py.Dataset) else None)
        labels = handle.get(_LABEL_KEY)
        if isinstance(labels, h5py.Dataset) and labels.ndim == 1:
            counts = label_counts(labels)
            total = max(sum(counts.values()), 1)
            balance = ", ".join(f"{k:g}: {v} ({100 * v / total:.1f}%)" for k, v in sorted(counts.items()))
            lines.append(f"labels y: {balance}")
        lines.append("attributes:" if handle.attrs else "attributes: none")
        lines.extend(_attr_line(k, handle.attrs[k]) for k in sorted(handle.attrs))
    return "\n".join(lines)
