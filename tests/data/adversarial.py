"""A corpus of malformed data files, each built under a given folder by a small function.

Every :class:`Case` names the file it writes, the reader that must refuse it, the package error class and
message fragments expected, and what ``qhep data inspect`` must do with it (exit 2 with a one-line error,
or exit 0 with a note for files that are readable HDF5 and only wrong for some uses).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import h5py
import numpy as np

from qhep_contrast.exceptions import CorruptFileError, DataFileNotFoundError, QHEPError, SchemaError

__all__ = ["Case", "CASES"]

_N, _PIX = 6, 8


def _images(n: int = _N, channels: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (rng.exponential(1.0, (n, _PIX, _PIX, channels)) * (rng.random((n, _PIX, _PIX, channels)) < 0.3)
            ).astype(np.float32)


def _labels(n: int = _N) -> np.ndarray:
    return (np.arange(n) % 2).astype(np.float32)


def _h5(path: Path, **arrays: object) -> Path:
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f[key] = value
    return path


def _with_pixel(value: float, channel: int = 1) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        x = _images()
        x[3, 2, 5, channel] = value
        return _h5(path, X_jets=x, y=_labels())
    return build


def _labels_of(y: object) -> Callable[[Path], Path]:
    return lambda path: _h5(path, X_jets=_images(), y=y)


def _string_labels(path: Path) -> Path:
    with h5py.File(path, "w") as f:
        f["X_jets"] = _images()
        f.create_dataset("y", data=["quark", "gluon"] * (_N // 2), dtype=h5py.string_dtype())
    return path


def _forged_rows(chunked: bool) -> Callable[[Path], Path]:
    """A ~2 KB file declaring a billion jets (metadata only, no data written)."""
    def build(path: Path) -> Path:
        with h5py.File(path, "w") as f:
            f.create_dataset("X_jets", shape=(10**9, _PIX, _PIX, 3), dtype="f4",
                             chunks=(64, _PIX, _PIX, 3) if chunked else None)
            f.create_dataset("y", shape=(10**9,), dtype="f4")
        return path
    return build


def _forged_labels(path: Path) -> Path:
    """Real images, but a label array with declared rows and no stored data (contiguous, never written)."""
    with h5py.File(path, "w") as f:
        f["X_jets"] = _images()
        f.create_dataset("y", shape=(_N,), dtype="f4")
    return path


def _dangling_external(key: str) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        arrays: dict[str, object] = {"X_jets": _images(), "y": _labels()}
        arrays[key] = h5py.ExternalLink("gone.h5", "/data")
        return _h5(path, **arrays)
    return build


def _dangling_soft(path: Path) -> Path:
    return _h5(path, X_jets=_images(), y=h5py.SoftLink("/nowhere"))


def _group_labels(path: Path) -> Path:
    with h5py.File(path, "w") as f:
        f["X_jets"] = _images()
        f.create_group("y")
    return path


def _compound_images(path: Path) -> Path:
    x = np.zeros((_N, _PIX, _PIX, 3), dtype=[("a", "f4"), ("b", "f4")])
    return _h5(path, X_jets=x, y=_labels())


def _truncated(path: Path) -> Path:
    whole = _h5(path.with_name("whole_" + path.name), X_jets=_images(200), y=_labels(200))
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    return path


def _bytes(content: bytes) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        path.write_bytes(content)
        return path
    return build


def _idx(header: bytes, payload: bytes = b"", gz: bool = False) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        data = header + payload
        path.write_bytes(gzip.compress(data) if gz else data)
        return path
    return build


_IDX3 = bytes([0, 0, 8, 3]) + np.array([2, 4, 4], ">u4").tobytes()


@dataclass(frozen=True)
class Case:
    """One malformed file.

    Attributes:
        name: file name (also the test id).
        build: writes the file at the given path and returns it.
        error: the package error the reader raises.
        fragments: text the reader's message contains (besides the file name).
        reader: ``"quark_gluon"`` (QuarkGluonDataset with a log-scale preprocessing, every item read) or
            ``"idx"`` (read_idx of rank 3).
        inspect_ok: ``qhep data inspect`` exits 0 (readable HDF5, only wrong where a log scale follows) and
            prints ``inspect_note``; otherwise it exits 2 with a one-line error naming the file.
    """

    name: str
    build: Callable[[Path], Path]
    error: type[QHEPError]
    fragments: tuple[str, ...]
    reader: str = "quark_gluon"
    inspect_ok: bool = False
    inspect_note: str = ""


CASES: tuple[Case, ...] = (
    Case("no_images.h5", lambda p: _h5(p, y=_labels()), SchemaError, ("missing dataset", "'X_jets' or 'X'")),
    Case("no_labels.h5", lambda p: _h5(p, X_jets=_images()), SchemaError, ("missing dataset", "'y'")),
    Case("rank3.h5", lambda p: _h5(p, X_jets=_images()[..., 0], y=_labels()), SchemaError,
         ("'X_jets'", "shape (6, 8, 8)")),
    Case("two_channels.h5", lambda p: _h5(p, X_jets=_images(channels=2), y=_labels()), SchemaError,
         ("'X_jets'", "(N, H, W, 3)")),
    Case("int_images.h5", lambda p: _h5(p, X_jets=_images().astype(np.int32), y=_labels()), SchemaError,
         ("'X_jets'", "dtype int32")),
    Case("compound_images.h5", _compound_images, SchemaError, ("'X_jets'", "dtype")),
    Case("zero_rows.h5", lambda p: _h5(p, X_jets=_images(0), y=_labels(0)), SchemaError, ("'X_jets'", "no samples")),
    Case("nan_pixel.h5", _with_pixel(np.nan), SchemaError, ("'X_jets'", "sample 3", "NaN or inf")),
    Case("inf_pixel.h5", _with_pixel(np.inf), SchemaError, ("'X_jets'", "sample 3", "NaN or inf")),
    Case("negative_pixel.h5", _with_pixel(-2.5), SchemaError,
         ("'X_jets'", "sample 3", "-2.5", "'ecal'", "log_scale"), inspect_ok=True, inspect_note="NEGATIVE"),
    Case("byte_labels.h5", _labels_of(np.array([b"q", b"g"] * (_N // 2))), SchemaError, ("'y'", "dtype |S1")),
    Case("string_labels.h5", _string_labels, SchemaError, ("'y'", "dtype object")),
    Case("label_2.h5", _labels_of(np.array([0, 1, 2, 1, 0, 1], np.float32)), SchemaError,
         ("'y'", "label 2.0 at sample 2")),
    Case("label_half.h5", _labels_of(np.array([0, 0.5, 1, 1, 0, 1], np.float32)), SchemaError, ("'y'", "label 0.5")),
    Case("label_nan.h5", _labels_of(np.array([0, 1, np.nan, 1, 0, 1], np.float32)), SchemaError, ("'y'", "sample 2")),
    Case("label_negative.h5", _labels_of(np.array([0, -1, 1, 1, 0, 1], np.int64)), SchemaError, ("'y'", "label -1")),
    Case("labels_short.h5", _labels_of(_labels(_N - 1)), SchemaError, ("'y'", f"expected {_N} entries")),
    Case("labels_2d.h5", _labels_of(_labels()[None]), SchemaError, ("'y'", "shape (1, 6)")),
    Case("labels_group.h5", _group_labels, SchemaError, ("'y'",)),
    Case("forged_rows_chunked.h5", _forged_rows(True), CorruptFileError,
         ("'X_jets'", "(1000000000, 8, 8, 3)", "chunks are stored")),
    Case("forged_rows_contiguous.h5", _forged_rows(False), CorruptFileError,
         ("'X_jets'", "(1000000000, 8, 8, 3)", "stores 0 bytes")),
    Case("forged_labels.h5", _forged_labels, CorruptFileError, ("'y'", "stores 0 bytes")),
    Case("dangling_link_labels.h5", _dangling_external("y"), DataFileNotFoundError,
         ("'y'", "external link", "gone.h5")),
    Case("dangling_link_images.h5", _dangling_external("X_jets"), DataFileNotFoundError,
         ("'X_jets'", "external link", "gone.h5")),
    Case("dangling_soft_link.h5", _dangling_soft, CorruptFileError, ("'y'", "/nowhere")),
    Case("empty.h5", _bytes(b""), CorruptFileError, ("0 bytes", "not a readable HDF5")),
    Case("truncated.h5", _truncated, CorruptFileError, ("not a readable HDF5",)),
    Case("text.h5", _bytes("x,y\n1,0\n".encode() * 100), CorruptFileError, ("not a readable HDF5",)),
    Case("binary_junk.h5", _bytes(bytes(range(256)) * 20), CorruptFileError, ("not a readable HDF5",)),
    Case("idx_bad_magic", _idx(b"\x01\x02\x08\x03" + _IDX3[4:], bytes(32)), CorruptFileError,
         ("not an IDX file",), reader="idx"),
    Case("idx_empty", _idx(b""), CorruptFileError, ("not an IDX file",), reader="idx"),
    Case("idx_truncated_header", _idx(_IDX3[:9]), CorruptFileError, ("truncated inside its header",), reader="idx"),
    Case("idx_truncated_data", _idx(_IDX3, bytes(20)), CorruptFileError, ("truncated",), reader="idx"),
    Case("idx_trailing_bytes", _idx(_IDX3, bytes(40)), CorruptFileError, ("longer than its header",), reader="idx"),
    Case("idx_float_type", _idx(bytes([0, 0, 0x0D, 3]) + _IDX3[4:], bytes(32 * 4)), SchemaError,
         ("type 0x0d",), reader="idx"),
    Case("idx_wrong_rank", _idx(bytes([0, 0, 8, 1]) + np.array([4], ">u4").tobytes(), bytes(4)), SchemaError,
         ("rank 3", "rank 1"), reader="idx"),
    Case("idx_zero_samples", _idx(bytes([0, 0, 8, 3]) + np.array([0, 4, 4], ">u4").tobytes()), SchemaError,
         ("no samples",), reader="idx"),
    Case("idx_bad_gzip.gz", _bytes(b"\x1f\x8b\x08\x00junk"), CorruptFileError, ("gzip",), reader="idx"),
)
