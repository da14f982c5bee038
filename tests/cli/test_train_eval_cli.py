"""``qhep train`` and ``qhep eval`` end to end on tiny data: run folder layout, printed AUCs, Ctrl-C, resume."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from qhep_contrast.cli.main import main
from qhep_contrast.training import fit_loop as fit_module
from tests.training.conftest import CONFIG_DIR, TINY

MAIN = str(CONFIG_DIR / "simclr_jets.toml")
_SETS = [arg for item in TINY if item != "compare.twin=false" and item != "eval.plots=false"
         for arg in ("--set", item)]


@pytest.fixture(scope="module")
def main_run(tmp_path_factory) -> tuple[Path, str]:
    """The main command on tiny data: hybrid and twin, figures on."""
    root = tmp_path_factory.mktemp("runs")
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["train", MAIN, *_SETS, "--runs-root", str(root)])
    assert code == 0
    (run_dir,) = (root / "simclr_jets").iterdir()
    return run_dir, out.getvalue()


def test_main_command_prints_both_aucs(main_run):
    run_dir, printed = main_run
    assert f"run folder: {run_dir}" in printed
    rows = {line.split()[0]: line.split() for line in printed.splitlines()[2:]}
    assert set(rows) == {"hybrid", "twin"}
    for row in rows.values():
        assert 0.0 <= float(row[1]) <= 1.0  # probe AUC column
    summary = json.loads((run_dir / "summary.json").read_text())
    assert float(rows["hybrid"][1]) == pytest.approx(summary["evaluation"]["probe_auc"], abs=5e-4)
    assert set(summary["comparison"]) == {"hybrid", "twin"}
    assert summary["comparison"]["twin"]["circuit_weights"] == 0 < summary["comparison"]["hybrid"]["circuit_weights"]


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_run_folder_layout(main_run):
    run_dir, _ = main_run
    assert re.fullmatch(r"\d{8}-\d{6}(-\d+)?", run_dir.name)
    for name in ("config.toml", "env.json", "metrics.jsonl", "summary.json", "checkpoints/last.pt",
                 "checkpoints/best.pt", "figures/roc.png", "figures/loss_curves.png", "figures/embedding_pca.png",
                 "twin/config.toml", "twin/summary.json", "twin/checkpoints/last.pt",
                 "figures/roc_hybrid_vs_twin.png"):
        assert (run_dir / name).is_file(), name
    assert oct((run_dir / "summary.json").stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # not 0600
    env = json.loads((run_dir / "env.json").read_text())
    assert {"git", "versions", "seed", "executor", "device", "threads", "job_ids"} <= set(env)
    assert env["versions"]["torch"] and env["executor"] == "exact"
    config = tomllib.loads((run_dir / "config.toml").read_text())
    assert config["train"]["epochs"] == 2 and config["compare"]["twin"] is True
    assert tomllib.loads((run_dir / "twin" / "config.toml").read_text())["model"]["twin"] is True
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]


def test_eval_command_reproduces_training_evaluation(main_run, capsys):
    run_dir, _ = main_run
    assert main(["eval", str(run_dir), "--no-plots"]) == 0
    assert "probe_auc" in capsys.readouterr().out
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    assert evaluation["probe_auc"] == summary["evaluation"]["probe_auc"]
    assert evaluation["knn_auc"] == summary["evaluation"]["knn_auc"]


def test_eval_on_aer_matches_exact_engine(main_run):
    run_dir, _ = main_run
    sets = ["--limit", "16", "--no-plots"]
    assert main(["eval", str(run_dir), "--execution", "aer", *sets]) == 0  # Aer EstimatorV2, no shots
    aer = json.loads((run_dir / "evaluation-aer.json").read_text())
    assert main(["eval", str(run_dir), *sets]) == 0
    exact = json.loads((run_dir / "evaluation.json").read_text())
    assert aer["executor"] == "aer" and aer["n_test"] == exact["n_test"] and aer["n_train"] == exact["n_train"] == 16
    assert aer["probe_auc"] == pytest.approx(exact["probe_auc"], abs=1e-6)
    assert aer["knn_accuracy"] == pytest.approx(exact["knn_accuracy"], abs=1e-6)


def test_eval_executor_option_errors(main_run, capsys, monkeypatch):
    run_dir = str(main_run[0])
    assert main(["eval", run_dir, "--shots", "100"]) == 2
    assert "apply to --execution aer/ibm" in capsys.readouterr().err
    assert main(["eval", run_dir, "--execution", "aer", "--backend", "fake_manila"]) == 2
    assert "--noise fake_<name>" in capsys.readouterr().err
    assert main(["eval", run_dir, "--execution", "aerr"]) == 2
    assert "--execution = 'aerr' is not a registered executor. Did you mean 'aer'?" in capsys.readouterr().err


def test_config_errors_exit_2(tmp_path, capsys):
    assert main(["train", MAIN, "--set", "loss.temperature=0", "--runs-root", str(tmp_path)]) == 2
    assert "loss.temperature must be in (0, inf)" in capsys.readouterr().err
    assert main(["train", MAIN, "--resume", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_ctrl_c_writes_checkpoint_and_resume_finishes(tmp_path, capsys, monkeypatch):
    real = fit_module._one_epoch
    calls = []

    def interrupted_second_epoch(epoch, *args, **kwargs):
        calls.append(epoch)
        if epoch == 2:
            raise KeyboardInterrupt
        return real(epoch, *args, **kwargs)

    monkeypatch.setattr(fit_module, "_one_epoch", interrupted_second_epoch)
    sets = [*_SETS, "--set", "compare.twin=false", "--set", "eval.plots=false"]
    assert main(["train", MAIN, *sets, "--runs-root", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    (run_dir,) = (tmp_path / "simclr_jets").iterdir()
    assert f"qhep train --resume {run_dir}" in err and "interrupted after epoch 1" in err
    monkeypatch.setattr(fit_module, "_one_epoch", real)
    assert main(["train", "--resume", str(run_dir)]) == 0
    assert [json.loads(x)["epoch"] for x in (run_dir / "metrics.jsonl").read_text().splitlines()] == [1, 2]
    assert json.loads((run_dir / "summary.json").read_text())["finished"] is True


def test_each_evaluation_has_its_own_folder_and_context(main_run, capsys):
    run_dir = str(main_run[0])
    sets = ["--limit", "12"]
    root = main_run[0] / "evaluations"
    before = set(root.iterdir()) if root.is_dir() else set()  # other tests evaluate the same run
    assert main(["eval", run_dir, *sets, "--no-plots"]) == 0
    assert main(["eval", run_dir, *sets, "--no-plots"]) == 0
    out, err = capsys.readouterr()
    folders = sorted(set(root.iterdir()) - before)
    assert len(folders) == 2 and all((f / "evaluation.json").is_file() for f in folders)
    assert all("-exact-limit12" in f.name for f in folders)
    metric_lines = [line for line in out.splitlines() if "probe_auc" in line]
    assert metric_lines and all("[N_test" in line and "exact" in line for line in metric_lines)
    assert "warning: N_test =" in err  # small test sets are flagged with the AUC's statistical error


def test_ibm_evaluation_needs_shots(main_run, capsys):
    assert main(["eval", str(main_run[0]), "--execution", "ibm", "--backend", "fake_torino"]) == 2
    assert "give --shots N" in capsys.readouterr().err


def test_git_revision_from_the_working_checkout(tmp_path, monkeypatch):
    from qhep_contrast.experiment import run_dir as rd

    monkeypatch.setattr(rd, "_git_at", lambda folder: {"sha": "abc" if folder == tmp_path else None,
                                                        "dirty": False})
    monkeypatch.setattr(rd, "_holds_package", lambda folder: folder == tmp_path)
    monkeypatch.chdir(tmp_path)
    assert rd.git_revision() == {"sha": "abc", "dirty": False, "where": "working directory"}
