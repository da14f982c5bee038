"""An exclusive lock on a run folder while a process writes it (training, resuming).

Two processes resuming the same folder would overwrite each other's checkpoints and append epochs twice to
``metrics.jsonl``. :class:`RunLock` takes an advisory ``flock`` on ``<run_dir>/.lock`` (released by the
kernel when the process dies, so a killed run never leaves a stale lock) and refuses a second writer with
:class:`~qhep_contrast.exceptions.RunFolderBusyError`.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from qhep_contrast.exceptions import RunFolderBusyError

__all__ = ["RunLock", "LOCK_FILE"]

LOCK_FILE = ".lock"


class RunLock:
    """``with RunLock(run_dir): ...`` holds the folder's write lock (non-blocking: busy -> error).

    Args:
        run_dir: the run folder (must exist).
    """

    def __init__(self, run_dir: str | Path) -> None:
        self.path = Path(run_dir) / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise RunFolderBusyError(f"run folder {self.path.parent} is being written by {holder}; wait for it to "
                                     "finish (or stop it) before resuming, or start a new run.") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        self._fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
