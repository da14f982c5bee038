"""Kill-and-resume: 2 epochs + Ctrl-C + --resume to 4 ends exactly where 4 uninterrupted epochs end."""

from __future__ import annotations

import pytest
import torch

from qhep_contrast.exceptions import CheckpointError, ConfigError
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline import resume_run, train_run
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT
from qhep_contrast.training.metrics_log import read_metrics
from tests.training.conftest import CONFIG_DIR

_TIMING = ("seconds", "samples_per_s")


def _deterministic(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in _TIMING} for r in records]


def _interrupt_after(epoch: int):
    def callback(done: int, record: dict) -> None:
        if done == epoch:
            raise KeyboardInterrupt  # what Ctrl-C does at this point
    return callback


@pytest.fixture
def config(tiny):
    # augmentations, a cosine schedule and two learning rates: every piece of state must survive the restart
    return load_config(CONFIG_DIR / "simclr_jets.toml",
                       tiny + ["train.epochs=4", "train.evaluate=false", "data.limit=48"])


def test_killed_and_resumed_run_equals_uninterrupted_run(tmp_path, config):
    straight = train_run(config, run_dir=tmp_path / "straight")
    assert not straight.interrupted and straight.fit.last_epoch == 4

    killed = train_run(config, run_dir=tmp_path / "killed", on_epoch_end=_interrupt_after(2))
    assert killed.interrupted and killed.fit.last_epoch == 2
    assert [r["epoch"] for r in read_metrics(tmp_path / "killed" / "metrics.jsonl")] == [1, 2]
    assert not killed.summary["finished"]

    resumed = resume_run(tmp_path / "killed")
    assert not resumed.interrupted and resumed.fit.last_epoch == 4

    a = read_metrics(tmp_path / "straight" / "metrics.jsonl")
    b = read_metrics(tmp_path / "killed" / "metrics.jsonl")
    assert [r["epoch"] for r in b] == [1, 2, 3, 4]
    assert _deterministic(a) == _deterministic(b)  # bit-identical losses, learning rates, best flags
    last_a = load_checkpoint(tmp_path / "straight" / LAST_CHECKPOINT)
    last_b = load_checkpoint(tmp_path / "killed" / LAST_CHECKPOINT)
    for name, tensor in last_a["model"].items():
        assert torch.equal(tensor, last_b["model"][name]), name
    for key, state in last_a["optimizer"]["state"].items():
        assert torch.equal(state["exp_avg"], last_b["optimizer"]["state"][key]["exp_avg"])
    assert last_a["scheduler"] == last_b["scheduler"]
    assert len(resumed_env := (tmp_path / "killed" / "env.json").read_text()) > 0 and "resumed" in resumed_env


def test_resume_refuses_changes_and_missing_checkpoints(tmp_path, config):
    run = train_run(config, run_dir=tmp_path / "r", on_epoch_end=_interrupt_after(1))
    with pytest.raises(ConfigError, match="cannot change a run being resumed"):
        resume_run(run.run_dir, overrides={"optimizer.lr": 0.1})
    with pytest.raises(CheckpointError, match="already holds a run"):
        train_run(config, run_dir=run.run_dir)
    with pytest.raises(CheckpointError, match="not a run folder"):
        resume_run(tmp_path / "nothing")
    (run.run_dir / LAST_CHECKPOINT).unlink()
    with pytest.raises(CheckpointError, match="stopped before its first checkpoint"):
        resume_run(run.run_dir)


def test_resume_can_extend_training(tmp_path, config):
    run = train_run(config, run_dir=tmp_path / "r", on_epoch_end=_interrupt_after(1))
    longer = resume_run(run.run_dir, overrides={"train.epochs": 2})
    assert longer.fit.last_epoch == 2 and load_config(run.run_dir / "config.toml").train.epochs == 2
