"""Two-epoch smoke run of every shipped configuration (and twin) on tiny data, evaluation included."""

from __future__ import annotations

import math

import pytest

from qhep_contrast.experiment.config import load_config, read_config_tree
from qhep_contrast.pipeline import train_run
from qhep_contrast.training.metrics_log import read_metrics
from tests.training.conftest import CONFIG_DIR, tiny_overrides

CONFIGS = sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))
ANOMALY = {c for c in CONFIGS if read_config_tree(CONFIG_DIR / f"{c}.toml").get("objective", {}).get("name") == "anomaly"}
"""One-class autoencoder configs: their baselines are other model kinds, not twins."""


def test_every_experiment_has_a_twin_config():
    base = [c for c in CONFIGS if not c.endswith("_twin") and c not in ANOMALY]
    assert len(base) >= 4 and all(f"{c}_twin" in CONFIGS for c in base)


@pytest.mark.parametrize("name", CONFIGS)
def test_two_epoch_smoke_run(tmp_path, name):
    config = load_config(CONFIG_DIR / f"{name}.toml", tiny_overrides(CONFIG_DIR / f"{name}.toml", tmp_path))
    outcome = train_run(config, tmp_path)
    records = read_metrics(outcome.run_dir / "metrics.jsonl")
    assert [r["epoch"] for r in records] == [1, 2]
    assert all(math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"]) for r in records)
    evaluation = outcome.summary["evaluation"]
    if name in ANOMALY:
        assert 0.0 <= evaluation["anomaly_auc"] <= 1.0 and evaluation["n_normal"] == evaluation["n_anomaly"]
        return
    assert 0.0 <= evaluation["probe_auc"] <= 1.0 and 0.0 <= evaluation["knn_accuracy"] <= 1.0
    assert (evaluation["circuit_weights"] == 0) == config.model.twin
    if getattr(config.model.options, "output", "expval") == "state":
        assert 0.0 <= evaluation["fidelity_same_class_mean"] <= 1.0
