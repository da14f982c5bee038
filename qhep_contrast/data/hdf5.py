"""Lazy, chunked, validated access to HDF5 arrays (h5py).

A multi-GB image array is never loaded whole: :class:`ChunkedRows` reads blocks of consecutive rows
(samples) whose boundaries are aligned to the dataset's HDF5 chunking along axis 0, keeps the most
recently used blocks in a byte-bounded LRU cache, and checks every block for NaN/inf when it is read.
The file is opened lazily in the process that reads it (and reopened after a ``fork``), so one object
can be handed to ``torch.utils.data.DataLoader`` workers safely.

The small helpers (:func:`open_hdf5`, :func:`require_key`, :func:`check_array`, :func:`read_labels`,
:func:`read_column`) validate a file against a schema and raise a
:class:`~qhep_contrast.exceptions.DataError` subclass that names the file, the key and what was expected.

Sizes declared in the metadata are never trusted blindly (a 2 KB file can declare a billion rows):

* :func:`check_stored` rejects a dataset that declares more data than the file stores: a chunked dataset
  must have every chunk of its extent written (``dataset.id.get_num_chunks()`` equals the number of chunks
  its shape needs; an unwritten chunk would read as fill values, not data), a contiguous one must have
  ``dataset.id.get_storage_size()`` of at least its declared bytes. Compression does not matter: the rule
  counts chunks, not bytes.
* Arrays read whole (labels, per-sample columns) must fit :data:`WHOLE_READ_BUDGET` bytes as int64/float64.
* :class:`ChunkedRows` can also reject negative values in chosen channels (``nonnegative``), for images
  that a log scale ``log(1 + x/s)`` follows.
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Collection, Sequence

import h5py
import numpy as np

from qhep_contrast.exceptions import CorruptFileError, DataFileNotFoundError, SchemaError

__all__ = [
    "ChunkedRows",
    "open_hdf5",
    "require_key",
    "check_array",
    "read_labels",
    "read_column",
    "check_stored",
    "resolve_key",
    "DEFAULT_CACHE_BYTES",
    "DEFAULT_BLOCK_BYTES",
    "WHOLE_READ_BUDGET",
]

DEFAULT_CACHE_BYTES = 64 * 2**20
"""Default byte budget of the LRU block cache of one :class:`ChunkedRows` (per process)."""

DEFAULT_BLOCK_BYTES = 4 * 2**20
"""Target size of one cached block: a whole number of HDF5 chunks of about this many bytes."""

WHOLE_READ_BUDGET = 2**30
"""Largest 1-D array (labels, per-sample columns) read whole, in bytes as int64/float64: 2**27 samples."""


def open_hdf5(path: str | os.PathLike) -> h5py.File:
    """Open ``path`` read-only, translating failures into package errors.

    Raises:
        DataFileNotFoundError: the path does not exist or is a directory.
        CorruptFileError: the file exists but is not a readable HDF5 file (truncated, other format).
    """
    p = Path(path)
    if not p.is_file():
        what = "is a directory" if p.is_dir() else "does not exist"
        raise DataFileNotFoundError(f"HDF5 file {str(p)!r} {what}; pass the path of an existing .h5/.hdf5 file")
    try:
        return h5py.File(p, "r")
    except OSError as err:
        raise CorruptFileError(
            f"{str(p)!r} ({p.stat().st_size} bytes) is not a readable HDF5 file ({err}); it may be "
            "truncated (an interrupted download) or another format: download or generate it again") from err


def require_key(file: h5py.File, candidates: Sequence[str]) -> str:
    """Return the first of ``candidates`` present in ``file`` as a dataset.

    Raises:
        SchemaError: none of them is present; the message lists the keys the file has.
    """
    for key in candidates:
        if key in file and isinstance(resolve_key(file, key), h5py.Dataset):
            return key
    wanted = " or ".join(repr(k) for k in candidates)
    raise SchemaError(f"{file.filename!r}: missing dataset {wanted}; the file has keys "
                      f"{sorted(file.keys())}")


def resolve_key(file: h5py.File, key: str) -> h5py.Dataset | h5py.Group:
    """``file[key]``; a link that cannot be followed (dangling external or soft link) becomes a package error.

    Raises:
        DataFileNotFoundError: ``key`` is an external link to a file that does not exist.
        CorruptFileError: ``key`` cannot be opened for another reason (dangling link, damaged metadata).
    """
    try:
        return file[key]
    except (KeyError, OSError, RuntimeError) as err:
        link = file.get(key, getlink=True)
        where = f"{file.filename!r}, key {key!r}"
        if isinstance(link, h5py.ExternalLink):
            target = Path(file.filename).parent / link.filename
            fix = ("copy the data into the file, or put the linked file back" if not target.exists()
                   else "repair the linked file or copy the data into this file")
            cls = DataFileNotFoundError if not target.exists() else CorruptFileError
            raise cls(f"{where} is an external link to {link.path!r} in {link.filename!r}, which cannot be "
                      f"opened ({_first_line(err)}); {fix}") from err
        if isinstance(link, h5py.SoftLink):
            raise CorruptFileError(f"{where} is a link to {link.path!r}, which does not exist; rewrite the file "
                                   "with the data under this key") from err
        raise CorruptFileError(f"{where} cannot be opened ({_first_line(err)}); the file is damaged: download or "
                               "generate it again") from err


def _first_line(err: BaseException) -> str:
    """The first line of an error message (h5py messages can span lines)."""
    text = str(err).strip().strip('"')
    return text.splitlines()[0] if text else type(err).__name__


def check_stored(file: h5py.File, key: str, ds: h5py.Dataset) -> None:
    """Reject a dataset that declares more data than the file stores (rule in the module docstring).

    Raises:
        CorruptFileError: unwritten chunks, or less contiguous storage than the declared size.
    """
    if ds.size == 0 or ds.is_virtual or ds.external:
        return
    where = f"{file.filename!r}, key {key!r}"
    fix = ("the data was never written (an interrupted or pre-allocated file, or a forged header); generate or "
           "download the file again")
    try:
        if ds.chunks is not None:
            needed = math.prod(math.ceil(n / c) for n, c in zip(ds.shape, ds.chunks))
            stored = ds.id.get_num_chunks()
            if stored < needed:
                raise CorruptFileError(f"{where} declares shape {ds.shape} ({needed} chunks) but only {stored} chunks "
                                       f"are stored: {fix}")
        else:
            declared = ds.size * ds.dtype.itemsize
            stored = ds.id.get_storage_size()
            if stored < declared:
                raise CorruptFileError(f"{where} declares shape {ds.shape} ({declared} bytes) but stores "
                                       f"{stored} bytes: {fix}")
    except (OSError, RuntimeError) as err:
        if isinstance(err, CorruptFileError):
            raise
        raise CorruptFileError(f"{where}: cannot read the storage layout ({_first_line(err)}); the file is "
                               "damaged: download or generate it again") from err


def check_array(file: h5py.File, key: str, *, shape: Sequence[int | None], kinds: str,
                expected: str, length: int | None = None) -> h5py.Dataset:
    """Check rank, shape and dtype of ``file[key]`` without reading it.

    Args:
        file: an open h5py file.
        key: dataset name.
        shape: expected shape; ``None`` entries match any size (axis 0 is normally ``None``).
        kinds: accepted numpy dtype kinds, e.g. ``"f"`` (float) or ``"fiub"`` (any real number).
        expected: human-readable schema for the message, e.g. ``"float32 (N, 32, 32, 2)"``.
        length: if given, the required size of axis 0 (e.g. the number of images for a label array).

    Returns:
        The h5py dataset.

    Raises:
        SchemaError: wrong rank, shape, dtype, axis-0 length, or zero samples.
        CorruptFileError, DataFileNotFoundError: the key cannot be opened (dangling link), or it declares more
            data than the file stores (:func:`check_stored`).
    """
    ds = resolve_key(file, key)
    where = f"{file.filename!r}, key {key!r}"
    if not isinstance(ds, h5py.Dataset):
        raise SchemaError(f"{where}: expected {expected}; got an HDF5 group, not a dataset")
    if ds.dtype.kind not in kinds or ds.dtype.names is not None:
        raise SchemaError(f"{where}: expected {expected}; got dtype {ds.dtype}")
    if len(ds.shape) != len(shape) or any(s is not None and s != d for s, d in zip(shape, ds.shape)):
        raise SchemaError(f"{where}: expected {expected}; got shape {ds.shape}")
    if ds.shape[0] == 0:
        raise SchemaError(f"{where}: the file holds no samples (shape {ds.shape}); expected {expected} "
                          "with N >= 1")
    if length is not None and ds.shape[0] != length:
        raise SchemaError(f"{where}: expected {length} entries (one per image), got {ds.shape[0]}")
    check_stored(file, key, ds)
    return ds


def read_labels(file: h5py.File, key: str, length: int, allowed: Collection[int],
                meaning: str) -> np.ndarray:
    """Read a 1-D label array whole (``length`` numbers: cheap) and check its values.

    Args:
        file: an open h5py file.
        key: label dataset name (``"y"`` in the ML4SCI files).
        length: number of images the labels must match.
        allowed: valid integer label values; labels stored as floats must be integral.
        meaning: what the values mean, for the message (e.g. ``"photon 0, electron 1"``).

    Returns:
        Labels as int64, shape ``(length,)``.

    Raises:
        SchemaError: wrong shape/dtype, NaN/inf, non-integral or unknown label values.
    """
    values = _read_all(file, key, check_array(file, key, shape=(None,), kinds="fiub",
                                              expected=f"numeric labels of shape ({length},)",
                                              length=length))
    ok = np.isin(values, np.asarray(sorted(allowed), dtype=np.float64))
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        raise SchemaError(f"{file.filename!r}, key {key!r}: label {values[bad].item()!r} at sample {bad} is "
                          f"outside the schema (allowed {sorted(allowed)}: {meaning}); "
                          f"{int((~ok).sum())} labels are invalid")
    return values.astype(np.int64)


def read_column(file: h5py.File, key: str, length: int) -> np.ndarray:
    """Read a 1-D per-sample numeric array (e.g. jet ``pt``, ``m0``) whole as float64, checking finiteness."""
    values = _read_all(file, key, check_array(file, key, shape=(None,), kinds="fiu",
                                              expected=f"numeric values of shape ({length},)",
                                              length=length)).astype(np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise SchemaError(f"{file.filename!r}, key {key!r}: non-finite value {values[bad].item()} at sample {bad}")
    return values


def _read_all(file: h5py.File, key: str, ds: h5py.Dataset) -> np.ndarray:
    """Read a 1-D dataset whole (at most :data:`WHOLE_READ_BUDGET` bytes as 64-bit numbers).

    Raises:
        SchemaError: the array is over the budget.
        CorruptFileError: a low-level read failure.
    """
    need = 8 * ds.size
    if need > WHOLE_READ_BUDGET:
        raise SchemaError(f"{file.filename!r}, key {key!r}: {ds.shape[0]} samples would need {need / 2**30:.1f} GiB "
                          f"in memory for this array alone (limit {WHOLE_READ_BUDGET / 2**30:.0f} GiB); split the "
                          "file into parts of at most "
                          f"{WHOLE_READ_BUDGET // 8} samples")
    try:
        return np.asarray(ds[()])
    except OSError as err:
        raise CorruptFileError(f"{file.filename!r}, key {key!r}: cannot read the data ({err}); the file "
                               "is damaged: download or generate it again") from err


class ChunkedRows:
    """Lazy row access to one N-D HDF5 dataset with a chunk-aligned LRU block cache.

    Rows (samples, axis 0) are read in blocks of ``block_rows`` consecutive rows, a whole number of
    HDF5 chunks along axis 0 (or about ``block_bytes`` for a contiguous dataset), converted to float32,
    checked for NaN/inf (the error names the sample index) and cached; at most ``cache_bytes`` of blocks
    (at least one block) are kept per process. Memory is therefore bounded by
    ``max(cache_bytes, block bytes)`` however large the file.

    The h5py file is opened on first use in the calling process and reopened when the process id
    changes (forked ``DataLoader`` workers); pickling drops the handle and the cache.

    Args:
        path: HDF5 file.
        key: dataset name, e.g. ``"X_jets"``.
        cache_bytes: byte budget of the block cache.
        block_bytes: target block size; rounded to whole chunks (never below one chunk).
        check_finite: check each block for NaN/inf when it is read.
        nonnegative: indices along the last axis (channels) whose values must be ``>= 0``, checked per block
            (for images that a log scale follows); ``nonnegative_reason`` ends the message.
        nonnegative_reason: why negative values are refused and how to fix it.
        channel_names: names of the last-axis entries, for messages.
    """

    def __init__(self, path: str | os.PathLike, key: str, *, cache_bytes: int = DEFAULT_CACHE_BYTES,
                 block_bytes: int = DEFAULT_BLOCK_BYTES, check_finite: bool = True,
                 nonnegative: Sequence[int] = (), nonnegative_reason: str = "expected values >= 0",
                 channel_names: Sequence[str] | None = None) -> None:
        self.path = str(path)
        self.key = key
        self.check_finite = check_finite
        self.nonnegative = tuple(int(c) for c in nonnegative)
        self.nonnegative_reason = nonnegative_reason
        self.channel_names = tuple(channel_names) if channel_names is not None else None
        with open_hdf5(path) as f:
            key = require_key(f, (key,))
            ds = f[key]
            check_stored(f, key, ds)
            self.shape: tuple[int, ...] = tuple(ds.shape)
            chunk_rows = ds.chunks[0] if ds.chunks is not None else 1
        row_bytes = 4 * int(np.prod(self.shape[1:], dtype=np.int64))
        per_chunk = max(1, row_bytes * chunk_rows)
        self.block_rows = int(chunk_rows * max(1, block_bytes // per_chunk))
        self.capacity = max(1, cache_bytes // (row_bytes * self.block_rows))
        self._file: h5py.File | None = None
        self._dataset: h5py.Dataset | None = None
        self._pid: int | None = None
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return self.shape[0]

    def row(self, index: int) -> np.ndarray:
        """Row ``index`` (``0 <= index < len(self)``) as a float32 array of shape ``shape[1:]``.

        The array is a read-only view into the cache: copy it before modifying.
        """
        block = self._block(index // self.block_rows)
        return block[index % self.block_rows]

    @property
    def num_blocks(self) -> int:
        """Number of cache blocks (the last one may hold fewer than ``block_rows`` rows)."""
        return -(-self.shape[0] // self.block_rows)

    def block(self, block_id: int) -> np.ndarray:
        """Rows ``[block_id * block_rows, ...)`` of one block as a read-only float32 array (validated, cached)."""
        if not 0 <= block_id < self.num_blocks:
            raise IndexError(f"block {block_id} is out of range for {self.num_blocks} blocks")
        return self._block(block_id)

    def close(self) -> None:
        """Close the file handle of this process and drop the cache (reopened on next use)."""
        if self._file is not None and self._pid == os.getpid():
            self._file.close()
        self._file, self._dataset, self._pid = None, None, None
        self._cache.clear()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_file=None, _dataset=None, _pid=None, _cache=OrderedDict())
        return state

    def _handle(self) -> h5py.Dataset:
        """The dataset in this process's own file handle (opened lazily, reopened after fork)."""
        if self._pid != os.getpid():
            # A handle inherited through fork is abandoned, not closed: it belongs to the parent.
            self._file, self._pid = open_hdf5(self.path), os.getpid()
            self._dataset = self._file[self.key]
            self._cache.clear()
        return self._dataset

    def _block(self, block_id: int) -> np.ndarray:
        """Block ``block_id`` from the cache, reading (and validating) it on a miss."""
        if self._pid == os.getpid() and block_id in self._cache:
            self._cache.move_to_end(block_id)
            return self._cache[block_id]
        ds = self._handle()
        start = block_id * self.block_rows
        stop = min(start + self.block_rows, self.shape[0])
        block = self._read(ds, start, stop)
        if self.check_finite:
            self._check_finite(block, start)
        if self.nonnegative:
            self._check_nonnegative(block, start)
        block.flags.writeable = False
        self._cache[block_id] = block
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        return block

    def _read(self, ds: h5py.Dataset, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` as float32; low-level failures become :class:`CorruptFileError`."""
        try:
            return np.asarray(ds[start:stop], dtype=np.float32)
        except OSError as err:
            raise CorruptFileError(f"{self.path!r}, key {self.key!r}: cannot read samples {start}..{stop - 1} "
                                   f"({err}); the file is damaged: download or generate it again") from err

    def _check_finite(self, block: np.ndarray, start: int) -> None:
        """Raise :class:`SchemaError` naming the first sample of ``block`` with a NaN/inf value."""
        finite = np.isfinite(block.reshape(block.shape[0], -1)).all(axis=1)
        if not finite.all():
            bad = np.flatnonzero(~finite)
            raise SchemaError(f"{self.path!r}, key {self.key!r}: sample {start + int(bad[0])} contains NaN or "
                              f"inf pixels ({bad.size} bad samples in rows {start}..{start + block.shape[0] - 1}); "
                              "expected finite values: regenerate the file or exclude these samples")

    def _check_nonnegative(self, block: np.ndarray, start: int) -> None:
        """Raise :class:`SchemaError` naming the first sample of ``block`` with a negative value in a checked channel."""
        values = block[..., list(self.nonnegative)]
        negative = (values < 0).reshape(block.shape[0], -1).any(axis=1)
        if negative.any():
            bad = int(np.flatnonzero(negative)[0])
            row = values[bad]
            where = np.unravel_index(int(np.argmin(row)), row.shape)
            channel = self.nonnegative[where[-1]]
            name = f"{self.channel_names[channel]!r}" if self.channel_names else str(channel)
            raise SchemaError(f"{self.path!r}, key {self.key!r}: sample {start + bad} has negative value "
                              f"{float(row[where]):g} in channel {name} ({int(negative.sum())} such samples in rows "
                              f"{start}..{start + block.shape[0] - 1}); {self.nonnegative_reason}")
