"""qhep compare on one-class anomaly models: anomaly AUC over seeds, controls, the circuit diagnostic."""

from __future__ import annotations

import json

import pytest

from qhep_contrast.cli.main import main
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline.study import HYBRID, available_controls, load_study
from tests.training.conftest import CONFIG_DIR, tiny_overrides

HYBRID_AE = CONFIG_DIR / "sqae_hybrid_ae_quark.toml"


@pytest.fixture(scope="module")
def anomaly_study(tmp_path_factory):
    root = tmp_path_factory.mktemp("anomaly_study")
    sets = [arg for item in tiny_overrides(HYBRID_AE, root) if item != "compare.twin=false" for arg in ("--set", item)]
    code = main(["compare", str(HYBRID_AE), "--seeds", "2", "--controls", "frozen_circuit", "equal_width_twin",
                 "--jobs", "1", "--runs-root", str(root), "--no-progress", *sets])
    assert code == 0
    [folder] = (root / "sqae_hybrid_ae_quark").iterdir()
    return folder


def test_anomaly_kinds_offer_their_controls() -> None:
    assert "frozen_circuit" in available_controls(load_config(HYBRID_AE))
    assert available_controls(load_config(CONFIG_DIR / "sqae_quark.toml")) == []  # all circuit: seeds only


def test_report_leads_with_the_anomaly_auc(anomaly_study) -> None:
    study = load_study(anomaly_study)
    assert study.complete and study.models == [HYBRID, "frozen_circuit", "equal_width_twin"]
    report = json.loads((anomaly_study / "report.json").read_text())
    assert report["headline"] == {"key": "anomaly_auc", "label": "anomaly AUC"}
    hybrid = report["models"][HYBRID]
    per_seed = [study.summaries[HYBRID][s]["evaluation"]["anomaly_auc"] for s in study.seeds]
    assert [hybrid["seeds"][str(s)]["anomaly_auc"] for s in study.seeds] == per_seed
    assert hybrid["anomaly_auc"]["mean"] == pytest.approx(sum(per_seed) / 2)
    assert "rejection_0.3" in hybrid and "knn_auc" not in hybrid
    assert report["models"]["equal_width_twin"]["anomaly_auc_vs_hybrid"]["n"] == 2
    assert report["n_test_positive"] == report["n_test"] // 2  # a balanced test set
    for seed in study.seeds:
        run = report["contribution"]["seeds"][str(seed)]
        assert run["anomaly_auc_trained"] == pytest.approx(run["anomaly_auc_reset"] + run["reset_gap"])
        # the diagnostic scores the same balanced test set as the run's own evaluation
        assert run["anomaly_auc_trained"] == pytest.approx(study.summaries[HYBRID][seed]["evaluation"]["anomaly_auc"])
        assert run["weight_change"] > 0 and run["probe_auc_angles"] is None
    assert any("anomaly AUC" in line for line in report["verdict"])
    markdown = (anomaly_study / "report.md").read_text()
    assert "| model | anomaly AUC | 1/eps_B @ 0.3 |" in markdown
    assert "probe AUC" not in markdown.split("## Circuit contribution")[0]
    assert (anomaly_study / "figures" / "paired_anomaly_auc.png").is_file()
