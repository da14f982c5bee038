"""Append-only HDF5 writer for generated samples: chunked, gzip-compressed, written atomically and checked.

Rows arrive in batches (dicts of equally long arrays). Every key becomes a resizable dataset with the
batch's trailing shape and dtype, chunked along the first axis and compressed with gzip + shuffle. The file
is written as ``<path>.partial`` and renamed on a clean exit, so an interrupted run never leaves a file that
looks complete.

Write failures (disk full, file-size limit, quota, read-only folder) surface as one
:class:`~qhep_contrast.exceptions.DataWriteError` and the partial file is removed. To make that possible
the file is opened without a chunk cache (every write reaches the disk inside :meth:`H5Appender.append`,
where its error is caught) and flushed after every batch; with a chunk cache, HDF5 defers the failing write
to the moment a dataset handle is garbage-collected, where the error is only printed and closing the
damaged file can crash the interpreter. After closing, the file is reopened and the last row of every
dataset is read back before the rename.

An existing output is never overwritten unless ``force=True``; a ``<path>.partial`` left by an
interrupted run is reported (or removed with ``force=True``).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import h5py
import numpy as np

from qhep_contrast.exceptions import DataWriteError, OutputExistsError, ShapeError

__all__ = ["H5Appender", "GZIP_LEVEL", "check_output"]

GZIP_LEVEL = 4
"""gzip level of every generated dataset (with the shuffle filter)."""

_CHUNK_BYTES = 1 << 19

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file exceeds the size limit of this process (ulimit -f)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def _chunk_rows(row_shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Rows per chunk: about 512 KiB per chunk, at least 1 row."""
    row_bytes = int(np.prod(row_shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    return max(1, _CHUNK_BYTES // max(row_bytes, 1))


def _partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def check_output(path: str | os.PathLike[str], force: bool = False) -> None:
    """Refuse to overwrite ``path`` or a leftover ``<path>.partial`` unless ``force``.

    With ``force`` a leftover partial file is removed (an existing ``path`` is replaced only when the new
    file is complete).

    Raises:
        OutputExistsError: ``path`` exists (or is a folder), or ``<path>.partial`` exists, and not ``force``.
    """
    target = Path(path)
    partial = _partial_path(target)
    if target.is_dir():
        raise OutputExistsError(f"output {str(target)!r} is a folder; give the path of an HDF5 file to write")
    if target.exists() and not force:
        raise OutputExistsError(f"output {str(target)!r} exists; choose another path, or rerun with --force "
                                "(force=True) to replace it")
    if partial.exists():
        if not force:
            raise OutputExistsError(f"{str(partial)!r} is left from an interrupted generation (or one still "
                                    "running); delete it, or rerun with --force (force=True) to replace it")
        partial.unlink()


def _errno_of(err: BaseException) -> int | None:
    """The OS error number behind an h5py/OS error (h5py often only puts it in the message)."""
    code = getattr(err, "errno", None)
    if isinstance(code, int):
        return code
    found = re.search(r"errno = (\d+)", str(err))
    return int(found.group(1)) if found else None


def _write_error(path: Path, err: BaseException) -> DataWriteError:
    """A one-line :class:`DataWriteError` saying why ``path`` could not be written and what to do."""
    code = _errno_of(err)
    if code in _REASONS:
        reason = _REASONS[code]
    else:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    try:
        free = f"; {shutil.disk_usage(path.parent).free / 1e6:.1f} MB are free there"
    except OSError:
        free = ""
    return DataWriteError(f"cannot write {str(path)!r}: {reason}{free}; no partial file is left "
                          "behind: free space or write to another folder, then run again")


class H5Appender:
    """Context manager that appends row batches to a new HDF5 file.

    Example:
        >>> with H5Appender("out.h5", attrs={"synthetic": True}) as out:  # doctest: +SKIP
        ...     out.append({"X": x_batch, "y": y_batch})

    Args:
        path: final file path (parent folders are created).
        attrs: file attributes (str, bool, int, float or arrays).
        force: replace an existing ``path`` and remove a leftover ``<path>.partial``.

    Raises:
        OutputExistsError: on entry, ``path`` or ``<path>.partial`` exists and not ``force``.
        DataWriteError: a write, the close or the read-back check failed (the partial file is removed).
    """

    def __init__(self, path: str | os.PathLike[str], attrs: Mapping[str, object], *, force: bool = False) -> None:
        self.path = Path(path)
        self._partial = _partial_path(self.path)
        self._attrs = dict(attrs)
        self._force = force
        self._file: h5py.File | None = None
        self._datasets: dict[str, h5py.Dataset] = {}
        self.rows = 0

    def __enter__(self) -> H5Appender:
        check_output(self.path, self._force)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # rdcc_nbytes=0: no chunk cache, so a failing write raises here and not at garbage collection.
            self._file = h5py.File(self._partial, "x", rdcc_nbytes=0)
        except FileExistsError as err:  # another generation created it since check_output
            raise OutputExistsError(f"{str(self._partial)!r} appeared while starting: another generation is "
                                    "writing this output; wait for it or choose another path") from err
        except OSError as err:
            raise _write_error(self.path, err) from err
        with self._writing():
            for key, value in self._attrs.items():
                self._file.attrs[key] = value
            self._file.flush()
        return self

    def append(self, batch: Mapping[str, np.ndarray]) -> None:
        """Append one batch; all arrays need the same first-axis length and the keys of the first batch."""
        assert self._file is not None, "use H5Appender as a context manager"
        lengths = {k: len(v) for k, v in batch.items()}
        if len(set(lengths.values())) != 1:
            raise ShapeError(f"all arrays of a batch need the same number of rows; got {lengths}.")
        n = next(iter(lengths.values()))
        if self._datasets and set(batch) != set(self._datasets):
            raise ShapeError(f"batch keys {sorted(batch)} differ from the file's {sorted(self._datasets)}.")
        with self._writing():
            if not self._datasets:
                for key, value in batch.items():
                    self._datasets[key] = self._file.create_dataset(
                        key, shape=(0, *value.shape[1:]), maxshape=(None, *value.shape[1:]), dtype=value.dtype,
                        chunks=(_chunk_rows(value.shape[1:], value.dtype), *value.shape[1:]),
                        compression="gzip", compression_opts=GZIP_LEVEL, shuffle=True)
            for key, value in batch.items():
                dataset = self._datasets[key]
                dataset.resize(self.rows + n, axis=0)
                dataset[self.rows:] = value
            self._file.flush()
        self.rows += n

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:  # the error on its way wins over a failing close
            self._close(quiet=True)
            self._partial.unlink(missing_ok=True)
            return
        with self._writing():
            self._close()
            self._verify()
            os.replace(self._partial, self.path)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn an OS/HDF5 failure inside the block into a :class:`DataWriteError`, removing the partial file."""
        try:
            yield
        except (OSError, RuntimeError) as err:
            if isinstance(err, DataWriteError):
                raise
            self._close(quiet=True)
            self._partial.unlink(missing_ok=True)
            raise _write_error(self.path, err) from err

    def _close(self, quiet: bool = False) -> None:
        """Close the file (once); with ``quiet`` a failing close is ignored (an error is already on its way)."""
        file, self._file, self._datasets = self._file, None, {}
        if file is None:
            return
        try:
            file.close()
        except (OSError, RuntimeError):
            if not quiet:
                raise

    def _verify(self) -> None:
        """Reopen the closed partial file and read the last row of every dataset back."""
        with h5py.File(self._partial, "r") as f:
            for key in f:
                if f[key].shape[0] != self.rows:
                    raise OSError(f"dataset {key!r} holds {f[key].shape[0]} rows after closing, expected {self.rows}")
                if self.rows:
                    f[key][self.rows - 1]
