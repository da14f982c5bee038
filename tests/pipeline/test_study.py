"""qhep compare on tiny data: controls over seeds, one test set, report, resume, circuit contribution."""

from __future__ import annotations

import json
import shutil

import pytest

from qhep_contrast.cli.main import main
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.config import STUDY_CONTROLS, load_config
from qhep_contrast.pipeline.study import HYBRID, _unseen_values, available_controls, load_study, variant_config
from qhep_contrast.pipeline.study_report import study_results
from tests.pipeline.test_eval_other_data import _copy
from tests.training.conftest import CONFIG_DIR, TINY

MAIN = CONFIG_DIR / "simclr_jets.toml"
_SETS = [arg for item in TINY if item not in ("train.progress=false", "compare.twin=false", "train.threads=0")
         for arg in ("--set", item)]


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("study")
    unseen = _copy(root / "unseen_jets.h5", n=100)
    code = main(["compare", str(MAIN), "--seeds", "2", "--controls", "frozen_circuit", "product_standin",
                 "--jobs", "2", "--runs-root", str(root), "--no-progress", "--unseen-data", str(unseen), *_SETS])
    assert code == 0
    [folder] = (root / "simclr_jets").iterdir()
    return folder


def test_every_model_and_seed_is_scored_on_one_test_set(study_dir) -> None:
    study = load_study(study_dir)
    assert study.models == [HYBRID, "frozen_circuit", "product_standin"] and study.seeds == [0, 1]
    assert study.complete
    configs = [load_config(study.run_dir(m, s) / "config.toml") for m in study.models for s in study.seeds]
    assert {c.data.split_seed for c in configs} == {0} and {c.seed for c in configs} == {0, 1}
    assert {c.model.control for c in configs} == {"none", "frozen_circuit", "product_standin"}
    n_test = {study.summaries[m][s]["evaluation"]["n_test"] for m in study.models for s in study.seeds}
    assert len(n_test) == 1


def test_report_has_means_paired_differences_and_the_circuit_diagnostic(study_dir, capsys) -> None:
    report = json.loads((study_dir / "report.json").read_text())
    hybrid = report["models"][HYBRID]
    per_seed = [hybrid["seeds"][s]["probe_auc"] for s in ("0", "1")]
    assert hybrid["probe_auc"]["mean"] == pytest.approx(sum(per_seed) / 2)
    assert report["models"]["frozen_circuit"]["probe_auc_vs_hybrid"]["n"] == 2
    contribution = report["contribution"]
    assert set(contribution["seeds"]) == {"0", "1"}
    for run in contribution["seeds"].values():
        assert run["probe_auc_trained"] == pytest.approx(run["probe_auc_reset"] + run["reset_gap"])
        assert run["weight_change"] > 0  # the circuit trained
    assert report["verdict"] and "circuit" in report["verdict"][0]
    markdown = (study_dir / "report.md").read_text()
    for heading in ("## Results", "Paired differences", "## Every seed", "## Circuit contribution", "## Verdict",
                    "## Re-measured on unseen data"):
        assert heading in markdown
    assert {p.name for p in (study_dir / "figures").iterdir()} == {"seeds.png", "paired_probe_auc.png",
                                                                   "roc_mean.png"}


def test_every_model_is_re_measured_on_the_unseen_file(study_dir) -> None:
    report = json.loads((study_dir / "report.json").read_text())
    unseen = report["unseen"]
    assert unseen["file"].endswith("unseen_jets.h5") and unseen["n_test"] == 100 and unseen["data_warnings"] == []
    assert set(unseen["models"]) == {HYBRID, "frozen_circuit", "product_standin"}
    assert all(len(entry["seeds"]) == 2 for entry in unseen["models"].values())


def test_resume_keeps_finished_runs_and_redoes_the_missing_ones(study_dir) -> None:
    study = load_study(study_dir)
    kept = study.run_dir(HYBRID, 0) / "summary.json"
    stamp = kept.stat().st_mtime_ns
    (study.run_dir("frozen_circuit", 1) / "summary.json").unlink()  # killed after its last checkpoint
    shutil.rmtree(study.run_dir("product_standin", 0))  # killed before it started
    assert not load_study(study_dir).complete
    assert main(["compare", "--resume", str(study_dir), "--jobs", "1", "--no-progress", "--no-plots"]) == 0
    again = load_study(study_dir)
    assert again.complete and kept.stat().st_mtime_ns == stamp
    before = json.loads((study_dir / "report.json").read_text())
    assert before["models"]["frozen_circuit"]["seeds"]["1"]["probe_auc"] is not None


def test_variants_and_their_errors() -> None:
    config = load_config(MAIN)
    assert available_controls(config) == list(STUDY_CONTROLS)
    twin = variant_config(config, "matched_twin", 3)
    assert twin.model.twin and twin.seed == 3 and twin.data.split_seed == config.seed and not twin.compare.twin
    with pytest.raises(ConfigError, match="already a control"):
        variant_config(twin, HYBRID, 0)
    qssl = load_config(CONFIG_DIR / "qssl_digits.toml")
    assert "matched_twin" in available_controls(qssl)


def test_cli_refuses_resume_with_new_settings_and_unknown_controls(tmp_path, capsys) -> None:
    assert main(["compare", "--resume", str(tmp_path), "--seeds", "3"]) == 2
    assert "--resume STUDY_DIR continues" in capsys.readouterr().err
    assert main(["compare", str(MAIN), "--unseen-data", str(tmp_path / "missing.h5"), "--runs-root",
                 str(tmp_path), *_SETS]) == 2
    assert "missing.h5" in capsys.readouterr().err and not (tmp_path / "simclr_jets").exists()
    assert main(["compare", "--resume", str(tmp_path)]) == 2
    assert "holds no study" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["compare", str(MAIN), "--controls", "melted"])


def test_cli_control_names_match_the_configuration_names() -> None:
    from qhep_contrast.cli.compare import _CONTROLS

    assert _CONTROLS == STUDY_CONTROLS


def test_study_results_of_a_collapsed_seed_are_flagged(study_dir) -> None:
    study = load_study(study_dir)
    study.summaries[HYBRID][1]["evaluation"] = dict(study.summaries[HYBRID][1]["evaluation"], probe_auc=0.5)
    results = study_results(study)
    assert 1 in results["models"][HYBRID]["collapsed_seeds"]


def test_unseen_evaluations_keep_a_classifiers_own_auc() -> None:
    """A supervised model re-measured on unseen data keeps its classifier AUC (the study report's main metric)
    beside the probe and kNN; figures and curves are dropped."""
    values = {"probe_auc": 0.8, "knn_auc": 0.7, "classifier_auc": 0.83, "classifier_auc_error": 0.006,
              "classifier_rejection": {"0.3": 30.0}, "anomaly_auc": 0.6, "figures": ["roc.png"],
              "probe_roc": {"tpr": [0.0], "fpr": [0.0]}}
    kept = _unseen_values(values)
    assert kept == {k: values[k] for k in ("probe_auc", "knn_auc", "classifier_auc", "classifier_auc_error",
                                           "classifier_rejection", "anomaly_auc")}
