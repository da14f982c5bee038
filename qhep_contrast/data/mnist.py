"""MNIST-format IDX files from a local folder (MNIST, Fashion-MNIST, KMNIST share the format).

The folder (or its ``raw/`` sub-folder, torchvision's layout) must hold the standard file names, each
optionally gzipped: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte`` (split ``"train"``) and
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (split ``"test"``). Nothing is downloaded.

IDX layout (Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database"): two zero bytes, a type byte
(0x08 = unsigned byte, the only type these data sets use), the number of dimensions ``d``, then ``d``
big-endian uint32 sizes, then the values in C order.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Sequence

import numpy as np

from qhep_contrast.data.base import ImageTransform
from qhep_contrast.data.in_memory import InMemoryImageDataset, select_classes
from qhep_contrast.exceptions import ConfigError, CorruptFileError, DataFileNotFoundError, SchemaError

__all__ = ["MNISTDataset", "read_idx", "IDX_FILE_NAMES"]

IDX_FILE_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""Standard (images, labels) file names of each split, without the optional ``.gz``."""

_UBYTE = 0x08


class MNISTDataset(InMemoryImageDataset):
    """An MNIST-format split as ``(1, H, W)`` float32 images in [0, 1] (pixels / 255).

    Args:
        root: folder holding the IDX files (or with them in ``root/raw``).
        split: ``"train"`` or ``"test"``.
        classes: classes to keep, e.g. ``(0, 1)``; labels become their positions in ``classes``.
        transform: applied to each ``(1, H, W)`` image.
        num_classes: number of classes of the data set (10 for MNIST, Fashion-MNIST and KMNIST).

    Raises:
        DataFileNotFoundError: the folder or a file is missing (the message lists the names searched).
        CorruptFileError: a file is truncated, not gzip, or not IDX.
        SchemaError: wrong IDX type or rank, image/label counts differ, or labels out of range.
    """

    def __init__(self, root: str | os.PathLike, split: str = "train", *, classes: Sequence[int] | None = None,
                 transform: ImageTransform | None = None, num_classes: int = 10) -> None:
        if split not in IDX_FILE_NAMES:
            raise ConfigError(f"MNIST split must be one of {sorted(IDX_FILE_NAMES)}; got {split!r}")
        image_path, label_path = (_find_idx(Path(root), name) for name in IDX_FILE_NAMES[split])
        images = read_idx(image_path, rank=3)
        labels = read_idx(label_path, rank=1)
        if labels.shape[0] != images.shape[0]:
            raise SchemaError(f"{str(image_path)!r} holds {images.shape[0]} images but {str(label_path)!r} holds "
                              f"{labels.shape[0]} labels; use the matching pair of files")
        if labels.max() >= num_classes:
            bad = int(np.flatnonzero(labels >= num_classes)[0])
            raise SchemaError(f"{str(label_path)!r}: label {labels[bad]} at sample {bad} is outside "
                              f"0..{num_classes - 1}")
        keep, new_labels = select_classes(labels, classes, num_classes, repr(str(label_path)))
        names = [str(c) for c in (classes if classes is not None else range(num_classes))]
        super().__init__(images[keep][:, None], new_labels, len(names), scale=1.0 / 255.0,
                         transform=transform, class_names=names)
        self.root, self.split = Path(root), split


def read_idx(path: str | os.PathLike, rank: int) -> np.ndarray:
    """Read an unsigned-byte IDX file (optionally gzipped) of the given rank into a uint8 array.

    Raises:
        DataFileNotFoundError: ``path`` does not exist.
        CorruptFileError: truncated, trailing bytes, bad gzip stream, or bad magic number.
        SchemaError: a valid IDX file of another value type or rank.
    """
    p = Path(path)
    raw = _read_bytes(p)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise CorruptFileError(f"{str(p)!r} is not an IDX file (bad magic number {raw[:4].hex() or 'empty'}); "
                               "expected the MNIST format: 00 00 <type> <ndim> ...")
    dtype, ndim = raw[2], raw[3]
    if dtype != _UBYTE or ndim != rank:
        raise SchemaError(f"{str(p)!r}: expected an unsigned-byte (0x08) IDX array of rank {rank}; got type "
                          f"0x{dtype:02x}, rank {ndim}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise CorruptFileError(f"{str(p)!r} is truncated inside its header ({len(raw)} bytes)")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "longer than its header says"
        raise CorruptFileError(f"{str(p)!r} is {what}: header {dims} needs {expected} bytes, file has {len(raw)}; "
                               "download it again")
    if dims[0] == 0:
        raise SchemaError(f"{str(p)!r} holds no samples (shape {dims})")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _read_bytes(path: Path) -> bytes:
    """Whole file content, gunzipped when the name ends in ``.gz``."""
    if not path.is_file():
        raise DataFileNotFoundError(f"IDX file {str(path)!r} does not exist")
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptFileError(f"{str(path)!r} is not a complete gzip file ({err}); download it again") from err


def _find_idx(root: Path, name: str) -> Path:
    """``root/name``, ``root/name.gz``, ``root/raw/name`` or ``root/raw/name.gz``, whichever exists first."""
    if not root.is_dir():
        raise DataFileNotFoundError(f"MNIST folder {str(root)!r} does not exist; pass the folder holding the "
                                    "IDX files (e.g. train-images-idx3-ubyte.gz)")
    candidates = [d / (name + ext) for d in (root, root / "raw") for ext in ("", ".gz")]
    for c in candidates:
        if c.is_file():
            return c
    raise DataFileNotFoundError(f"no {name}[.gz] in {str(root)!r} or its raw/ sub-folder; expected the standard "
                                f"MNIST file names {[n for pair in IDX_FILE_NAMES.values() for n in pair]}")
