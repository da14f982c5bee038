"""Atomic checkpoints, the metrics log, and capture/restore of global random states."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
import torch

from qhep_contrast.exceptions import CheckpointError
from qhep_contrast.training import checkpoint as ckpt
from qhep_contrast.training.checkpoint import atomic_write_bytes, load_checkpoint, save_checkpoint
from qhep_contrast.training.metrics_log import MetricsLog, json_safe, read_metrics
from qhep_contrast.training.runtime import capture_rng_state, restore_rng_state


def _state(value: float) -> dict:
    return {"epoch": 1, "model": {"w": torch.full((3,), value)}, "history": [{"loss": value}]}


def test_round_trip(tmp_path):
    path = tmp_path / "c" / "last.pt"
    save_checkpoint(path, _state(1.5))
    state = load_checkpoint(path)
    assert state["format"] == ckpt.CHECKPOINT_FORMAT and state["epoch"] == 1
    assert torch.equal(state["model"]["w"], torch.full((3,), 1.5)) and state["history"] == [{"loss": 1.5}]


def test_crash_while_writing_leaves_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_checkpoint(path, _state(1.0))
    before = path.read_bytes()

    def crash(fd: int) -> None:  # the new bytes are written but the process dies before they are durable
        raise OSError("simulated power loss during fsync")

    monkeypatch.setattr(ckpt.os, "fsync", crash)
    with pytest.raises(OSError, match="simulated"):
        save_checkpoint(path, _state(2.0))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert torch.equal(load_checkpoint(path)["model"]["w"], torch.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]  # no temporary file left behind


def test_interrupt_during_write_and_unserialisable_state(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_checkpoint(path, _state(1.0))
    real_replace = os.replace

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(ckpt.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, _state(3.0))
    monkeypatch.setattr(ckpt.os, "replace", real_replace)
    with pytest.raises((TypeError, AttributeError, RuntimeError, ValueError)):  # torch.save: not picklable
        save_checkpoint(path, {"bad": lambda: None})
    assert torch.equal(load_checkpoint(path)["model"]["w"], torch.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]


def test_unreadable_checkpoints(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "none.pt")
    atomic_write_bytes(tmp_path / "junk.pt", b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read"):
        load_checkpoint(tmp_path / "junk.pt")
    torch.save({"format": 99}, tmp_path / "old.pt")
    with pytest.raises(CheckpointError, match="format 99"):
        load_checkpoint(tmp_path / "old.pt")


def test_metrics_log_appends_and_rewrites_from_history(tmp_path):
    path = tmp_path / "metrics.jsonl"
    log = MetricsLog(path)
    log.append({"epoch": 1, "loss": 0.5})
    log.append({"epoch": 2, "loss": float("inf")})
    assert read_metrics(path) == [{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": "inf"}]
    MetricsLog(path, [{"epoch": 1, "loss": 0.5}])  # resume from a checkpoint that knows only epoch 1
    assert read_metrics(path) == [{"epoch": 1, "loss": 0.5}]
    assert json_safe({"a": [float("nan"), -float("inf")]}) == {"a": ["nan", "-inf"]}


def test_rng_state_capture_restore(tmp_path):
    state = capture_rng_state()
    first = (random.random(), np.random.rand(), torch.rand(2))
    save_checkpoint(tmp_path / "rng.pt", {"rng": state})  # checkpoint-safe: loads with weights_only=True
    restore_rng_state(load_checkpoint(tmp_path / "rng.pt")["rng"])
    second = (random.random(), np.random.rand(), torch.rand(2))
    assert first[0] == second[0] and first[1] == second[1] and torch.equal(first[2], second[2])
