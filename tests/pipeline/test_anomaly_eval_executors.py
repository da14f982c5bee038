"""A trained SQAE evaluated on Aer (swap test or inverse reference) gives the exact engine's anomaly figures."""

from __future__ import annotations

import pytest

from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline import evaluate_run, train_run
from tests.training.conftest import CONFIG_DIR, tiny_overrides


@pytest.fixture(scope="module")
def sqae_run(tmp_path_factory: pytest.TempPathFactory):
    """A two-epoch SQAE run on the shipped jets."""
    path = CONFIG_DIR / "sqae_quark.toml"
    root = tmp_path_factory.mktemp("sqae")
    return train_run(load_config(path, tiny_overrides(path, root)), root).run_dir


@pytest.mark.parametrize("fidelity", ["cu", "swap"])
def test_aer_exact_values_reproduce_the_engine_anomaly_auc(sqae_run, fidelity: str) -> None:
    exact = evaluate_run(sqae_run, limit=8, plots=False)
    aer = evaluate_run(sqae_run, execution="aer", shots=0, limit=8, plots=False, fidelity=fidelity)
    assert aer["fidelity"] == fidelity and "fidelity" not in exact
    assert aer["n_test"] == exact["n_test"] == 8
    assert aer["anomaly_auc"] == pytest.approx(exact["anomaly_auc"], abs=1e-9)
    for c in (0, 1):
        assert aer[f"score_mean_class_{c}"] == pytest.approx(exact[f"score_mean_class_{c}"], abs=1e-4)


def test_qhep_eval_prints_the_anomaly_figures(sqae_run, capsys) -> None:
    from qhep_contrast.cli.main import main

    assert main(["eval", str(sqae_run), "--limit", "8", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "N_test 8 (4 normal + 4 anomalous)" in out and "anomaly_auc" in out
