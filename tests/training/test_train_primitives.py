"""Training on Qiskit primitives from a config: Aer with shots and IBM Runtime in local testing mode."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from qhep_contrast.execution.journal import JobJournal
from qhep_contrast.experiment.builders import build_data, build_model, build_objective
from qhep_contrast.experiment.config import load_config
from qhep_contrast.experiment.execution import JOURNAL_NAME, training_execution
from qhep_contrast.pipeline import resume_run, train_run
from qhep_contrast.qnn import QuantumLayer
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT
from qhep_contrast.training.metrics_log import read_metrics
from tests.qnn.conftest import CallCounter
from tests.training.conftest import CONFIG_DIR, TINY

AER_CONFIG = CONFIG_DIR / "siamese_digits_aer.toml"
_SMALL = [*TINY, "circuit.num_qubits=3", "data.limit=40", "data.batch_size=8", "train.evaluate=false"]
_IBM = ["execution.kind=\"ibm\"", "execution.backend=\"fake_manila\"", "execution.shots=256",
        "execution.seed=3", "execution.local_noise=false", "execution.optimization_level=1"]


def _quantum_layer(model: torch.nn.Module) -> QuantumLayer:
    [layer] = [m for m in model.modules() if isinstance(m, QuantumLayer)]
    return layer


def test_one_forward_job_and_one_backward_job_per_training_step(tmp_path, monkeypatch) -> None:
    config = load_config(AER_CONFIG, [*_SMALL, "execution.shots=128"])
    objective = build_objective(config)
    data = build_data(config, objective)
    model = build_model(config, data.image_shape, training_execution(config.execution, tmp_path, False))
    layer = _quantum_layer(model)
    assert layer.execution.kind == "aer" and layer.execution.shots == 128
    counter = CallCounter(monkeypatch, layer._runner.primitive)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    batch = next(iter(DataLoader(data.train_set, batch_size=8)))
    loss, _ = objective(model, batch, torch.device("cpu"))
    assert counter.calls == 1  # both views of every pair in one job
    loss.backward()
    optimizer.step()
    assert counter.calls == 2
    assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0
    front = [p for n, p in model.named_parameters() if "conv" in n or "front" in n]
    assert front and all(p.grad is not None for p in front)  # gradients reach the conv front-end


def test_aer_run_with_shots_resumes_exactly(tmp_path) -> None:
    """Seeded shots: 1 epoch + kill + resume to 2 gives the weights of 2 uninterrupted epochs."""
    config = load_config(AER_CONFIG, [*_SMALL, "execution.shots=64"])
    straight = train_run(config, run_dir=tmp_path / "straight")

    def stop(done: int, record: dict) -> None:
        if done == 1:
            raise KeyboardInterrupt

    killed = train_run(config, run_dir=tmp_path / "killed", on_epoch_end=stop)
    assert killed.interrupted
    resumed = resume_run(tmp_path / "killed")
    assert not resumed.interrupted and resumed.fit.last_epoch == 2
    a, b = (load_checkpoint(tmp_path / d / LAST_CHECKPOINT)["model"] for d in ("straight", "killed"))
    for name, tensor in a.items():
        assert torch.equal(tensor, b[name]), name
    records = read_metrics(tmp_path / "killed" / "metrics.jsonl")
    assert [r["epoch"] for r in records] == [1, 2] and all(math.isfinite(r["train_loss"]) for r in records)
    assert straight.fit.last_epoch == 2


def test_ibm_local_training_journals_every_job_in_the_run_folder(tmp_path) -> None:
    config = load_config(AER_CONFIG, [*_SMALL, "train.epochs=1", *_IBM])
    outcome = train_run(config, run_dir=tmp_path / "run")
    assert not outcome.interrupted
    entries = JobJournal(tmp_path / "run" / JOURNAL_NAME).entries()
    # one forward and one backward job per training batch, plus the validation forward passes
    assert len(entries) >= 2 and all(e["job_id"] for e in entries)
    assert "token" not in (tmp_path / "run" / JOURNAL_NAME).read_text().lower()


def test_resumed_ibm_runs_fetch_journaled_jobs_from_real_devices_only(tmp_path) -> None:
    real = load_config(AER_CONFIG, [*_SMALL, *[s for s in _IBM if "backend" not in s and "local_noise" not in s],
                                    "execution.backend=\"ibm_torino\""])
    first = training_execution(real.execution, tmp_path, resume=False)
    again = training_execution(real.execution, tmp_path, resume=True)
    assert first.journal == again.journal == str(tmp_path / JOURNAL_NAME)
    assert not first.resume and again.resume
    # local testing mode: jobs of a killed process cannot be fetched, so a resumed run recomputes them
    local = load_config(AER_CONFIG, [*_SMALL, *_IBM])
    assert not training_execution(local.execution, tmp_path, resume=True).resume


@pytest.mark.parametrize("override, message", [
    ("execution.shots=0", "shots"),
    ("execution.kind=\"aer\"\nexecution.backend=\"fake_manila\"", "backend"),
])
def test_bad_execution_tables_are_config_errors(override: str, message: str) -> None:
    from qhep_contrast.exceptions import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_config(AER_CONFIG, [*_SMALL, *override.split("\n")])


def test_dry_run_submits_nothing_to_a_mocked_service(monkeypatch, capsys) -> None:
    """``qhep train --dry-run`` on a real device name: the service only resolves the backend, nothing runs."""
    import qiskit_ibm_runtime

    from qhep_contrast.cli.main import main
    from qhep_contrast.execution import ibm
    from qhep_contrast.execution.fake_backends import fake_backend

    calls: list[str] = []

    class Service:
        def backend(self, name: str):
            calls.append(name)
            return fake_backend("fake_torino")

    def refuse(*args, **kwargs):
        raise AssertionError("a dry run submitted a job")

    monkeypatch.setattr(ibm, "runtime_service", lambda *a, **k: Service())
    for cls in (qiskit_ibm_runtime.EstimatorV2, qiskit_ibm_runtime.SamplerV2):
        monkeypatch.setattr(cls, "run", refuse)
    sets = [f"--set={s}" for s in [*_SMALL, *_IBM] if "backend" not in s]
    code = main(["train", str(AER_CONFIG), *sets, "--set=execution.backend=\"ibm_torino\"", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and calls == ["ibm_torino"]
    assert "jobs" in out and "PUBs" in out and "two-qubit gates per circuit" in out and "QPU time ~" in out


def test_training_cost_counts_the_jobs_a_run_submits(tmp_path, monkeypatch) -> None:
    """The dry-run count equals the jobs an Aer training run (with evaluation) really submits."""
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    from qhep_contrast.execution import aer
    from qhep_contrast.experiment.cost import training_cost

    config = load_config(AER_CONFIG, [*_SMALL, "execution.shots=32", "train.epochs=1", "train.evaluate=true",
                                      "eval.plots=false"])
    runs: list[int] = []
    make = aer.aer_sampler

    def counting_sampler(*args, **kwargs):
        sampler = make(*args, **kwargs)
        submit = sampler.run

        def run(pubs, *a, **k):
            pubs = list(pubs)
            runs.append(sum(int(np.prod(SamplerPub.coerce(p).shape)) for p in pubs))
            return submit(pubs, *a, **k)

        sampler.run = run
        return sampler

    monkeypatch.setattr(aer, "aer_sampler", counting_sampler)
    cost = training_cost(config)
    runs.clear()
    train_run(config, run_dir=tmp_path / "run")
    assert cost.jobs == len(runs) and cost.pubs == len(runs)
    assert cost.circuits == sum(runs)


def test_runtime_options_from_the_command_line() -> None:
    from qhep_contrast.cli.main import build_parser
    from qhep_contrast.exceptions import ConfigError
    from qhep_contrast.experiment.execution import resolve_execution

    args = build_parser().parse_args(["eval", "run", "--execution", "ibm", "--backend", "ibm_torino", "--shots", "100",
                                      "--mode", "batch", "--resilience-level", "2", "--twirling",
                                      "--dynamical-decoupling", "--max-execution-time", "300"])
    runtime = {k: getattr(args, k) for k in ("mode", "resilience_level", "twirling", "dynamical_decoupling",
                                             "max_execution_time")}
    config = resolve_execution("ibm", shots=100, backend="ibm_torino", runtime=runtime)
    assert (config.mode, config.resilience_level, config.twirling, config.dynamical_decoupling,
            config.max_execution_time) == ("batch", 2, True, True, 300)
    unset = build_parser().parse_args(["eval", "run"])
    default = resolve_execution("ibm", shots=100, backend="ibm_torino",
                                runtime={k: getattr(unset, k) for k in runtime})
    assert (default.mode, default.resilience_level, default.twirling) == ("job", 1, False)
    with pytest.raises(ConfigError, match="--twirling set IBM Runtime options and apply to --execution ibm only"):
        resolve_execution("aer", shots=100, runtime={"twirling": True})
    with pytest.raises(ConfigError, match="local testing mode"):
        resolve_execution("ibm", shots=100, backend="fake_torino", runtime={"twirling": True})
