"""Append-only HDF5 writer for generated samples: chunked, gzip-compressed, written atomically.

Rows arrive in batches (dicts of equally long arrays). Every key becomes a resizable dataset with the
batch's trailing shape and dtype, chunked along the first axis and compressed with gzip + shuffle. The file
is written as ``<path>.partial`` and renamed on a clean exit, so an interrupted run never leaves a file that
looks complete.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import h5py
import numpy as np

from qhep_contrast.exceptions import ShapeError

__all__ = ["H5Appender", "GZIP_LEVEL"]

GZIP_LEVEL = 4
"""gzip level of every generated dataset (with the shuffle filter)."""

_CHUNK_BYTES = 1 << 19


def _chunk_rows(row_shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Rows per chunk: about 512 KiB per chunk, at least 1 row."""
    row_bytes = int(np.prod(row_shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    return max(1, _CHUNK_BYTES // max(row_bytes, 1))


class H5Appender:
    """Context manager that appends row batches to a new HDF5 file.

    Example:
        >>> with H5Appender("out.h5", attrs={"synthetic": True}) as out:  # doctest: +SKIP
        ...     out.append({"X": x_batch, "y": y_batch})

    Args:
        path: final file path (parent folders are created).
        attrs: file attributes (str, bool, int, float or arrays).
    """

    def __init__(self, path: str | os.PathLike[str], attrs: Mapping[str, object]) -> None:
        self.path = Path(path)
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._attrs = dict(attrs)
        self._file: h5py.File | None = None
        self.rows = 0

    def __enter__(self) -> H5Appender:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = h5py.File(self._partial, "w")
        for key, value in self._attrs.items():
            self._file.attrs[key] = value
        return self

    def append(self, batch: Mapping[str, np.ndarray]) -> None:
        """Append one batch; all arrays need the same first-axis length and the keys of the first batch."""
        assert self._file is not None, "use H5Appender as a context manager"
        lengths = {k: len(v) for k, v in batch.items()}
        if len(set(lengths.values())) != 1:
            raise ShapeError(f"all arrays of a batch need the same number of rows; got {lengths}.")
        n = next(iter(lengths.values()))
        if not self._file.keys():
            for key, value in batch.items():
                self._file.create_dataset(
                    key, shape=(0, *value.shape[1:]), maxshape=(None, *value.shape[1:]), dtype=value.dtype,
                    chunks=(_chunk_rows(value.shape[1:], value.dtype), *value.shape[1:]),
                    compression="gzip", compression_opts=GZIP_LEVEL, shuffle=True)
        if set(batch) != set(self._file.keys()):
            raise ShapeError(f"batch keys {sorted(batch)} differ from the file's {sorted(self._file.keys())}.")
        for key, value in batch.items():
            dataset = self._file[key]
            dataset.resize(self.rows + n, axis=0)
            dataset[self.rows:] = value
        self.rows += n

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._file is not None
        self._file.close()
        if exc_type is None:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)
