"""Run folders are safe: one writer at a time, divergence stops with the last good checkpoint kept, stale
temporaries are removed, resuming cannot shrink a run, damaged files are one-line errors."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.exceptions import CheckpointError, ConfigError, RunFolderBusyError, TrainingDivergedError
from qhep_contrast.experiment.config import load_config
from qhep_contrast.experiment.run_lock import RunLock
from qhep_contrast.pipeline import resume_run, train_run
from qhep_contrast.training import fit_loop
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT
from tests.training.conftest import CONFIG_DIR


@pytest.fixture
def config(tiny):
    return load_config(CONFIG_DIR / "simclr_jets.toml", tiny + ["train.evaluate=false", "data.limit=48"])


def test_second_writer_is_refused(tmp_path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(RunFolderBusyError, match="is being written by process"):
            with RunLock(tmp_path):
                pass
    with RunLock(tmp_path):  # released
        pass


def test_resume_of_a_locked_folder_is_refused(tmp_path, config) -> None:
    train_run(config, run_dir=tmp_path / "run")
    with RunLock(tmp_path / "run"):
        with pytest.raises(RunFolderBusyError):
            resume_run(tmp_path / "run")


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(tmp_path, config, monkeypatch) -> None:
    real = fit_loop._train_epoch

    def poisoned(model, objective, loader, optimizer, settings, epoch):
        if epoch == 2:
            def nan_objective(m, batch, device):
                loss, n = objective(m, batch, device)
                return loss * math.nan, n
            return real(model, nan_objective, loader, optimizer, settings, epoch)
        return real(model, objective, loader, optimizer, settings, epoch)

    monkeypatch.setattr(fit_loop, "_train_epoch", poisoned)
    with pytest.raises(TrainingDivergedError, match="training loss became NaN or infinite at epoch 2, step 1"):
        train_run(config, run_dir=tmp_path / "run")
    state = load_checkpoint(tmp_path / "run" / LAST_CHECKPOINT)
    assert state["epoch"] == 1 and all(torch.isfinite(v).all() for v in state["model"].values())


def test_stale_temporaries_are_removed_on_resume(tmp_path, config) -> None:
    train_run(config, run_dir=tmp_path / "run")
    stale = tmp_path / "run" / "checkpoints" / ".last.pt.abc123.tmp"
    stale.write_bytes(b"partial")
    resume_run(tmp_path / "run", overrides={"train.epochs": 3})
    assert not stale.exists()


def test_resume_cannot_shrink_a_run(tmp_path, config) -> None:
    train_run(config, run_dir=tmp_path / "run")
    before = (tmp_path / "run" / "config.toml").read_text()
    with pytest.raises(ConfigError, match="below the 2 epochs this run has already trained"):
        resume_run(tmp_path / "run", overrides={"train.epochs": 1})
    assert (tmp_path / "run" / "config.toml").read_text() == before


def test_damaged_env_json_is_a_checkpoint_error(tmp_path, config) -> None:
    train_run(config, run_dir=tmp_path / "run")
    (tmp_path / "run" / "env.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="env.json is damaged"):
        resume_run(tmp_path / "run")
