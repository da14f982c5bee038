"""Hardware job journal: every submitted job id is on disk before anything waits on it.

QPU time is paid per job. If a run dies while a job is queued or running, the job still completes on the
service; the journal lets the resumed run fetch that result instead of paying for it twice.

* :class:`JobJournal`: a JSON-lines file; :meth:`JobJournal.append` writes one line, flushes and
  ``fsync`` s before returning.
* :func:`pubs_key`: SHA-256 of what a job computes (primitive, circuits, observables, parameter values,
  shots/precision), so a resume matches a journaled job to the identical request, not to "the n-th job".
* :class:`JournaledEstimator` / :class:`JournaledSampler`: primitives that journal every ``run`` and, when
  resuming, return the journaled job (fetched by id) for a request already submitted.

Entries hold the key, the job id, the primitive, the backend name, PUB shapes and a UTC time: never
credentials. This module depends only on qiskit and the standard library (it is used by the executors).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qhep_contrast.exceptions import CheckpointError

__all__ = ["JobJournal", "pubs_key", "circuit_text", "JournaledEstimator", "JournaledSampler"]

_log = logging.getLogger(__name__)


class JobJournal:
    """Append-only JSON-lines journal of submitted jobs.

    Args:
        path: the journal file (created with its folder on the first append).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def append(self, entry: dict[str, Any]) -> None:
        """Write ``entry`` as one line and force it to disk (flush + fsync) before returning."""
        if "key" not in entry or "job_id" not in entry:
            raise CheckpointError(f"journal entries need 'key' and 'job_id'; got keys {sorted(entry)}.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[dict[str, Any]]:
        """All entries in order (a truncated last line, from a crash mid-write, is skipped)."""
        if not self.path.exists():
            return []
        out = []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                if number == len(lines):
                    _log.warning("journal %s: ignoring a truncated last line", self.path)
                    continue
                raise CheckpointError(f"journal {self.path} line {number} is not JSON ({exc.msg}); "
                                      "the file is damaged: restore it or start without resume.") from exc
        return out

    def find(self, key: str) -> dict[str, Any] | None:
        """The latest entry with ``key``, or None."""
        return next((e for e in reversed(self.entries()) if e.get("key") == key), None)


def circuit_text(circuit: QuantumCircuit) -> str:
    """Canonical text of a circuit: width, global phase and every instruction with its bits and angles.

    Parameter identities (UUIDs) are left out, so a circuit rebuilt in a new process has the same text.
    """
    parts = [f"{circuit.num_qubits}q{circuit.num_clbits}c|{circuit.global_phase}"]
    for inst in circuit.data:
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        clbits = [circuit.find_bit(c).index for c in inst.clbits]
        parts.append(f"{inst.operation.name}{qubits}{clbits}{[str(p) for p in inst.operation.params]}")
    return ";".join(parts)


def _array_digest(h: Any, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values, dtype=np.float64)
    h.update(repr(values.shape).encode())
    h.update(values.tobytes())


def pubs_key(primitive: str, pubs: Sequence[EstimatorPub | SamplerPub]) -> str:
    """SHA-256 hex digest of a primitive request (coerced PUBs), identical across processes."""
    h = hashlib.sha256(primitive.encode())
    for pub in pubs:
        h.update(circuit_text(pub.circuit).encode())
        _array_digest(h, pub.parameter_values.as_array(pub.circuit.parameters))
        if isinstance(pub, EstimatorPub):
            h.update(repr(pub.observables.shape).encode())
            for obs in pub.observables.ravel():
                h.update(repr(sorted((k, complex(v)) for k, v in obs.items())).encode())
            h.update(f"precision={pub.precision}".encode())
        else:
            h.update(f"shots={pub.shots}".encode())
    return h.hexdigest()


class _Journaled:
    """Shared ``run`` of the journaled primitives."""

    _kind = ""

    def __init__(self, primitive: Any, journal: JobJournal, fetch: Callable[[str], Any], resume: bool = False,
                 backend_name: str = "") -> None:
        self.primitive = primitive
        self.journal = journal
        self.fetch = fetch
        self.resume = resume
        self.backend_name = backend_name

    def _coerce(self, pubs: Iterable, option: Any) -> list:
        raise NotImplementedError

    def _run(self, pubs: Iterable, option_name: str, option: Any) -> Any:
        coerced = self._coerce(pubs, option)
        key = pubs_key(self._kind, coerced)
        if self.resume:
            entry = self.journal.find(key)
            if entry is not None:
                _log.info("resume: fetching journaled %s job %s instead of resubmitting", self._kind, entry["job_id"])
                return self.fetch(entry["job_id"])
        job = self.primitive.run(coerced, **{option_name: option})
        self.journal.append({
            "key": key, "job_id": str(job.job_id()), "primitive": self._kind, "backend": self.backend_name,
            "pub_shapes": [list(p.shape) for p in coerced],
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
        return job


class JournaledEstimator(_Journaled, BaseEstimatorV2):
    """Estimator V2 that journals every job (see :class:`_Journaled` arguments: primitive, journal, fetch,
    resume, backend_name)."""

    _kind = "estimator"

    def _coerce(self, pubs: Iterable, option: Any) -> list:
        return [EstimatorPub.coerce(pub, option) for pub in pubs]

    def run(self, pubs: Iterable, *, precision: float | None = None) -> Any:
        """Submit (or, when resuming, fetch) the job; its id is on disk when this returns."""
        return self._run(pubs, "precision", precision)


class JournaledSampler(_Journaled, BaseSamplerV2):
    """Sampler V2 that journals every job (arguments as :class:`JournaledEstimator`)."""

    _kind = "sampler"

    def _coerce(self, pubs: Iterable, option: Any) -> list:
        return [SamplerPub.coerce(pub, option) for pub in pubs]

    def run(self, pubs: Iterable, *, shots: int | None = None) -> Any:
        """Submit (or, when resuming, fetch) the job; its id is on disk when this returns."""
        return self._run(pubs, "shots", shots)
