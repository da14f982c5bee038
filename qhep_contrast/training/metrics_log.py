"""``metrics.jsonl``: one JSON object per epoch, appended, flushed and fsynced as soon as it is known."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from qhep_contrast.training.checkpoint import atomic_write_text

__all__ = ["MetricsLog", "read_metrics", "json_safe"]


def json_safe(value: Any) -> Any:
    """``value`` with non-finite floats replaced by the strings ``"inf"``, ``"-inf"``, ``"nan"``.

    Strict JSON has no infinities; a background rejection of ``inf`` (no background passes the cut)
    is written as ``"inf"``.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


class MetricsLog:
    """Append-only epoch log at ``path``.

    Args:
        path: the ``metrics.jsonl`` file.
        history: records already known (on resume, from the checkpoint): the file is rewritten to hold
            exactly these before anything is appended, which drops lines of an epoch that was logged but
            not checkpointed when the run was killed.
    """

    def __init__(self, path: str | Path, history: Iterable[Mapping[str, Any]] = ()) -> None:
        self.path = Path(path)
        self.records: list[dict[str, Any]] = [dict(r) for r in history]
        atomic_write_text(self.path, "".join(_line(r) for r in self.records))

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one epoch's record and make it durable (flush + fsync)."""
        self.records.append(dict(record))
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(_line(record))
            handle.flush()
            os.fsync(handle.fileno())


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(json_safe(record), allow_nan=False, sort_keys=True) + "\n"


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """All records of a ``metrics.jsonl`` file, in order (a missing file reads as empty)."""
    target = Path(path)
    if not target.is_file():
        return []
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]
