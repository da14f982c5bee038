"""The memory_bank objective: indexed items, first-pass initialisation, momentum updates, exact resume."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader

from qhep_contrast.exceptions import CheckpointError, ConfigError
from qhep_contrast.experiment.builders import build_data, build_model, build_objective
from qhep_contrast.experiment.config import load_config
from qhep_contrast.objectives import MemoryBank
from qhep_contrast.pipeline import resume_run, train_run
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT
from qhep_contrast.training.metrics_log import read_metrics
from tests.training.conftest import CONFIG_DIR

_TINY = ["data.limit=60", "data.batch_size=8", "train.progress=false", "train.threads=0", "train.evaluate=false",
         "eval.plots=false"]
_TIMING = ("seconds", "samples_per_s")


def _setup(*overrides: str):
    config = load_config(CONFIG_DIR / "qssl_digits.toml", [*_TINY, *overrides])
    objective = build_objective(config)
    data = build_data(config, objective)
    model = build_model(config, data.image_shape)
    return config, objective, data, model


def test_items_carry_the_sample_index_and_bank() -> None:
    _, objective, data, _ = _setup()
    assert isinstance(objective, MemoryBank)
    a, b, label, index, bank = data.train_set[5]
    assert int(index) == 5 and int(bank) == 0 and int(label) == int(data.train.labels[5])
    assert a.shape == b.shape == data.train[5][0].shape and not torch.equal(a, b)
    assert int(data.val_set[0][4]) == 1
    assert [tuple(x.bank.shape) for x in objective.banks] == [(len(data.train), 2), (len(data.val), 2)]


def test_image_and_view_keeps_the_image_as_first_input() -> None:
    _, _, data, _ = _setup("objective.positive=\"image_and_view\"")
    a, b, *_ = data.train_set[3]
    assert torch.equal(a, data.train[3][0]) and not torch.equal(b, a)


def test_first_call_initialises_the_bank_then_updates_with_momentum() -> None:
    config, objective, data, model = _setup()
    batch = next(iter(DataLoader(data.train_set, batch_size=8, shuffle=False)))
    model.eval()
    with torch.no_grad():
        images = torch.stack([data.train[i][0] for i in range(len(data.train))])
        first_pass = model.embed(images)
        pa, pb = model(batch[0], batch[1])
    loss, n = objective(model, batch, torch.device("cpu"))
    assert n == 8 and torch.isfinite(loss)
    bank = objective.banks[0].bank
    m = config.loss.momentum
    expected = m * first_pass[:8] + (1 - m) * (pa + pb) / 2
    torch.testing.assert_close(bank[:8], expected / expected.sum(1, keepdim=True))
    torch.testing.assert_close(bank[8:], first_pass[8:])  # untouched entries keep the first pass
    assert objective.initialised == [True, False]


def test_state_dict_round_trip_and_mismatch() -> None:
    _, objective, data, model = _setup()
    objective(model, next(iter(DataLoader(data.train_set, batch_size=8))), torch.device("cpu"))
    state = objective.state_dict()
    _, other, _, _ = _setup()
    other.load_state_dict(state)
    assert torch.equal(other.banks[0].bank, objective.banks[0].bank) and other.initialised == [True, False]
    _, smaller, _, _ = _setup("data.limit=40")
    with pytest.raises(CheckpointError, match="memory banks"):
        smaller.load_state_dict(state)


def test_needs_its_loss_and_views() -> None:
    with pytest.raises(ConfigError, match="memory_bank_kl"):
        MemoryBank(torch.nn.Identity()).dataset(_setup()[2].train, lambda x, g: x, 0)
    with pytest.raises(ConfigError, match="views.kind"):
        _setup("views.kind=\"none\"")


def _interrupt_after(epoch: int):
    def callback(done: int, record: dict) -> None:
        if done == epoch:
            raise KeyboardInterrupt
    return callback


def test_two_plus_two_epochs_equal_four(tmp_path) -> None:
    config = load_config(CONFIG_DIR / "qssl_digits.toml", [*_TINY, "train.epochs=4"])
    train_run(config, run_dir=tmp_path / "straight")
    killed = train_run(config, run_dir=tmp_path / "killed", on_epoch_end=_interrupt_after(2))
    assert killed.interrupted and killed.fit.last_epoch == 2
    resume_run(tmp_path / "killed")
    records = [read_metrics(tmp_path / name / "metrics.jsonl") for name in ("straight", "killed")]
    a, b = ([{k: v for k, v in r.items() if k not in _TIMING} for r in rs] for rs in records)
    assert [r["epoch"] for r in b] == [1, 2, 3, 4] and a == b
    last_a, last_b = (load_checkpoint(tmp_path / name / LAST_CHECKPOINT) for name in ("straight", "killed"))
    for name, tensor in last_a["model"].items():
        assert torch.equal(tensor, last_b["model"][name]), name
    assert last_a["objective"]["initialised"] == last_b["objective"]["initialised"] == [True, True]
    for bank_a, bank_b in zip(last_a["objective"]["banks"], last_b["objective"]["banks"]):
        assert torch.equal(bank_a, bank_b)


def test_summary_and_qhep_eval_report_zero_shot_accuracy(tmp_path) -> None:
    from qhep_contrast.pipeline import evaluate_run

    config = load_config(CONFIG_DIR / "qssl_digits.toml", [*_TINY, "train.epochs=1", "train.evaluate=true"])
    summary = train_run(config, run_dir=tmp_path / "run").summary["evaluation"]
    assert 0.0 <= summary["zero_shot_accuracy"] <= 1.0 and summary["zero_shot_k1_size"] == 24
    assert summary["zero_shot_k10_size"] == 2  # 60 images: 24 test, splits of 24 / k
    exact = evaluate_run(tmp_path / "run", plots=False)
    assert exact["zero_shot_accuracy"] == summary["zero_shot_accuracy"]
    aer = evaluate_run(tmp_path / "run", execution="aer", shots=4000, plots=False)
    assert aer["executor"] == "aer" and 0.0 <= aer["zero_shot_accuracy"] <= 1.0
    assert (tmp_path / "run" / "evaluation-aer.json").is_file()
