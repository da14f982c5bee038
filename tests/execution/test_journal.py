"""Job journal: durable entries, request keys stable across processes, resume fetches instead of resubmitting."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorSampler
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qhep_contrast.circuits import CircuitSpec, z_observables
from qhep_contrast.exceptions import BackendError, CheckpointError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.journal import JobJournal, JournaledSampler, pubs_key
from qhep_contrast.qnn import QuantumLayer


def _circuit() -> QuantumCircuit:
    x = ParameterVector("x", 2)  # a new ParameterVector (new UUIDs) on every call, as in a new process
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.rx(2 * x[1], 1)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_entries_are_appended_and_read_back(tmp_path) -> None:
    journal = JobJournal(tmp_path / "run" / "jobs.jsonl")
    assert journal.entries() == [] and journal.find("k") is None
    journal.append({"key": "k", "job_id": "a"})
    journal.append({"key": "k", "job_id": "b"})
    assert [e["job_id"] for e in journal.entries()] == ["a", "b"] and journal.find("k")["job_id"] == "b"
    with open(journal.path, "a") as handle:
        handle.write('{"key": "k", "job_')  # crash in the middle of a write
    assert len(journal.entries()) == 2
    with pytest.raises(CheckpointError, match="key"):
        journal.append({"job_id": "c"})
    journal.path.write_text('nonsense\n{"key": "k", "job_id": "a"}\n')
    with pytest.raises(CheckpointError, match="line 1"):
        journal.entries()


def test_request_keys_identify_requests() -> None:
    values = np.array([[0.1, 0.2], [0.3, 0.4]])
    key = pubs_key("sampler", [SamplerPub.coerce((_circuit(), values), 100)])
    assert key == pubs_key("sampler", [SamplerPub.coerce((_circuit(), values.copy()), 100)])  # rebuilt circuit
    assert key != pubs_key("sampler", [SamplerPub.coerce((_circuit(), values + 1e-12), 100)])
    assert key != pubs_key("sampler", [SamplerPub.coerce((_circuit(), values), 101)])
    assert key != pubs_key("estimator", [SamplerPub.coerce((_circuit(), values), 100)])


def test_journaled_sampler_records_before_returning_and_resumes(tmp_path) -> None:
    store: dict[str, object] = {}

    class Recording:
        calls = 0

        def run(self, pubs, shots=None):
            Recording.calls += 1
            job = StatevectorSampler(seed=1).run(pubs, shots=shots)
            store[job.job_id()] = job
            return job

    journal = JobJournal(tmp_path / "jobs.jsonl")
    pubs = [(_circuit(), np.array([[0.1, 0.2]]))]
    job = JournaledSampler(Recording(), journal, store.__getitem__, backend_name="fake").run(pubs, shots=50)
    entry = json.loads(journal.path.read_text())  # on disk before anyone waited on the job
    assert entry["job_id"] == job.job_id() and entry["primitive"] == "sampler" and entry["backend"] == "fake"
    resumed = JournaledSampler(Recording(), journal, store.__getitem__, resume=True).run(
        [(_circuit(), np.array([[0.1, 0.2]]))], shots=50)
    assert resumed is job and Recording.calls == 1


def _layer(config: ExecutionConfig) -> QuantumLayer:
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 2)
    qc = QuantumCircuit(2)
    qc.ry(x[0] + w[0], 0)
    qc.ry(x[1], 1)
    qc.cx(0, 1)
    qc.rx(w[1] * x[0], 1)
    return QuantumLayer(CircuitSpec(qc, list(x), list(w), z_observables(2)), execution=config, seed=3).double()


class _Interrupted(Exception):
    pass


def test_resume_after_an_interruption_fetches_the_submitted_job(tmp_path, monkeypatch) -> None:
    """A run dies after submitting (while waiting); the resumed run gets the journaled job's result."""
    cfg = ExecutionConfig(kind="ibm", backend="fake_manila", shots=4000, seed=5, local_noise=False,
                          journal=str(tmp_path / "jobs.jsonl"))
    x = torch.tensor([[0.2, 0.4], [1.0, -0.5]], dtype=torch.float64)
    first = _layer(cfg)
    runtime = first._runner.primitive
    submit = runtime.run
    submitted = []

    class DiesWhileWaiting:
        def __init__(self, job):
            self.job = job

        def job_id(self):
            return self.job.job_id()

        def result(self):
            raise _Interrupted("killed while waiting for the QPU")

    def run_then_die(*args, **kwargs):
        job = submit(*args, **kwargs)
        submitted.append(job)
        return DiesWhileWaiting(job)

    monkeypatch.setattr(runtime, "run", run_then_die)
    with pytest.raises(_Interrupted):
        first(x)
    [entry] = JobJournal(cfg.journal).entries()
    assert entry["job_id"] == submitted[0].job_id()

    second = _layer(cfg.replace(resume=True))  # rebuilt from scratch, as after a restart
    calls = []
    resubmit = second._runner.primitive.run
    monkeypatch.setattr(second._runner.primitive, "run", lambda *a, **k: calls.append(1) or resubmit(*a, **k))
    out = second(x)
    assert calls == []  # fetched, not resubmitted
    np.testing.assert_allclose(out.detach().numpy().T, submitted[0].result()[0].data.evs, atol=0)
    second(x + 0.1)  # a request that was never journaled is submitted
    assert calls == [1] and len(JobJournal(cfg.journal).entries()) == 2


def test_local_jobs_of_another_process_cannot_be_fetched(tmp_path, monkeypatch) -> None:
    from collections import OrderedDict

    from qhep_contrast.execution import ibm

    cfg = ExecutionConfig(kind="ibm", backend="fake_manila", shots=100, journal=str(tmp_path / "jobs.jsonl"))
    x = torch.zeros(1, 2, dtype=torch.float64)
    _layer(cfg)(x)
    monkeypatch.setattr(ibm, "_LOCAL_JOBS", OrderedDict())  # a new process has none of the old local jobs
    with pytest.raises(BackendError, match="local testing mode in another process"):
        _layer(cfg.replace(resume=True))(x)
