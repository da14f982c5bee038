"""Atomic checkpoint files.

:func:`atomic_write_bytes` writes to a temporary file in the target's folder, flushes and ``fsync``s it,
then ``os.replace``s it over the target (atomic on POSIX and Windows) and ``fsync``s the folder, so a
crash at any moment leaves either the old complete file or the new complete file, never a torn one.
:func:`save_checkpoint` serialises a state dict with ``torch.save`` that way; :func:`load_checkpoint`
reads it back with ``weights_only=True`` (only tensors, numbers, strings, lists and dicts are allowed,
so loading a checkpoint cannot run code).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from qhep_contrast.exceptions import CheckpointError

__all__ = ["CHECKPOINT_FORMAT", "atomic_write_bytes", "atomic_write_text", "save_checkpoint", "load_checkpoint",
           "remove_stale_temporaries", "file_mode"]

_TMP_SUFFIX = ".tmp"

CHECKPOINT_FORMAT = 1
"""Version of the checkpoint layout written by the fit loop (stored under ``"format"``)."""


def file_mode() -> int:
    """The mode a plain ``open()`` would give a new file under the process umask (``0o666 & ~umask``)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + ``os.replace`` + folder fsync).

    The file gets the mode of the user's umask (``mkstemp`` alone would leave it private, ``0o600``).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TMP_SUFFIX, dir=target.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporary files an interrupted :func:`atomic_write_bytes` left in ``folder``; return them."""
    stale = sorted(Path(folder).glob(f".*{_TMP_SUFFIX}")) if Path(folder).is_dir() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def atomic_write_text(path: str | Path, text: str) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Serialise ``state`` (tensors, numbers, strings, lists, dicts) to ``path`` atomically.

    The whole file is built in memory first, so a failure while serialising never touches ``path``.
    """
    buffer = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, **state}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises:
        CheckpointError: the file is missing, unreadable, or of another format version.
    """
    target = Path(path)
    if not target.is_file():
        raise CheckpointError(f"checkpoint {target} does not exist; is this a run folder written by qhep train?")
    try:
        state = torch.load(target, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises several types for truncated or foreign files
        raise CheckpointError(f"checkpoint {target} cannot be read ({type(err).__name__}: {err}); "
                              "it is not a qhep checkpoint or it is damaged.") from err
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(f"checkpoint {target} has format {found!r}, expected {CHECKPOINT_FORMAT}; it was "
                              "written by another version of qhep-contrast.")
    return state
