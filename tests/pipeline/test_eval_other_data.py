"""qhep eval RUN --data FILE: score a trained run on another file of its schema; scale/channel warnings."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from qhep_contrast.cli.main import main
from qhep_contrast.data.compatibility import channel_statistics, compatibility_warnings
from qhep_contrast.data.quark_gluon import QuarkGluonDataset
from qhep_contrast.data.shipped import SHIPPED, resolve_path
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline import train_run
from tests.training.conftest import CONFIG_DIR, tiny_overrides


def _copy(path, scale: float = 1.0, order: tuple[int, ...] = (0, 1, 2), n: int = 300):
    with h5py.File(resolve_path(SHIPPED), "r") as source, h5py.File(path, "w") as out:
        images = np.asarray(source["X_jets"][-n:], dtype=np.float32)[..., list(order)] * scale
        out["X_jets"] = images
        out["y"] = np.asarray(source["y"][-n:])
    return path


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    path = CONFIG_DIR / "simclr_jets.toml"
    config = load_config(path, [*tiny_overrides(path), "train.epochs=1"])
    return train_run(config, run_dir=tmp_path_factory.mktemp("run") / "run").run_dir


def test_eval_on_another_file_scores_every_image_with_the_runs_preprocessing(tiny_run, tmp_path, capsys) -> None:
    other = _copy(tmp_path / "other_jets.h5", n=120)
    assert main(["eval", str(tiny_run), "--data", str(other), "--no-plots"]) == 0
    captured = capsys.readouterr()
    values = json.loads((tiny_run / "evaluation-other_jets.json").read_text())
    assert values["n_test"] == 120 and values["test_data"] == str(other) and values["data_warnings"] == []
    assert 0.0 <= values["probe_auc"] <= 1.0
    assert "test data:" in captured.out and "other_jets.h5: " not in captured.err
    assert values["folder"].endswith("other_jets")


def test_a_file_in_other_units_or_channel_order_is_warned_about(tiny_run, tmp_path, capsys) -> None:
    mev = _copy(tmp_path / "mev.h5", scale=1000.0)
    assert main(["eval", str(tiny_run), "--data", str(mev), "--no-plots"]) == 0
    assert "different units or energy scale" in capsys.readouterr().err
    swapped = _copy(tmp_path / "swapped.h5", order=(2, 1, 0))
    assert main(["eval", str(tiny_run), "--data", str(swapped), "--no-plots"]) == 0
    assert "same order" in capsys.readouterr().err


def test_channel_statistics_and_warnings_directly(tmp_path) -> None:
    reference = channel_statistics(QuarkGluonDataset([resolve_path(SHIPPED)]))
    same = channel_statistics(QuarkGluonDataset([_copy(tmp_path / "same.h5")]))
    assert compatibility_warnings(reference, same) == []
    scaled = channel_statistics(QuarkGluonDataset([_copy(tmp_path / "x3.h5", scale=3.0)]))
    np.testing.assert_allclose(scaled.median_sum, 3.0 * same.median_sum, rtol=1e-5)
    assert len(compatibility_warnings(reference, scaled, ["Tracks", "ECAL", "HCAL"])) == 3


def test_eval_data_needs_a_file_reading_dataset(tmp_path, capsys) -> None:
    path = CONFIG_DIR / "siamese_digits.toml"
    config = load_config(path, [*tiny_overrides(path), "train.epochs=1", "train.evaluate=false"])
    run_dir = train_run(config, run_dir=tmp_path / "digits").run_dir
    assert main(["eval", str(run_dir), "--data", str(tmp_path / "x.h5"), "--no-plots"]) == 2
    assert "reads files" in capsys.readouterr().err
