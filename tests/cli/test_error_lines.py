"""User errors and environment faults end in one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from qhep_contrast.cli.main import main
from tests.training.conftest import CONFIG_DIR, TINY

MAIN = str(CONFIG_DIR / "simclr_jets.toml")
_SETS = [a for item in TINY for a in ("--set", item)]


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line (progress lines before it are allowed; a traceback is not)."""
    err = capsys.readouterr().err.strip()
    errors = [line for line in err.splitlines() if line.startswith("qhep train: error:")]
    assert "Traceback" not in err and len(errors) == 1 and err.splitlines()[-1] == errors[0], err
    return errors[0]


@pytest.mark.parametrize("item, fragment", [
    ("experiment='..'", "experiment must be a folder name"),
    ("train.threads=10000", "train.threads = 10000 but this process may use"),
    ("circuit.ansatz.num_layers=100000", "circuit.ansatz.num_layers must be in [1, 64]"),
    ("seed=9999999999999", "seed must be in [0, 4.29497e+09]"),
    ("eval.knn_k=5000", "eval.knn_k = 5000 needs more training images"),
    ("data.batch_size=1", "data.batch_size = 1 is too small for objective 'two_views'"),
    ("optimizer.lr=1e30", "optimizer.lr must be in (0, 10]"),
    ("data.classes=[0]", "unknown key 'data.classes'"),
])
def test_bad_configs_are_one_line_and_leave_no_run_folder(tmp_path: Path, capsys, item: str, fragment: str) -> None:
    assert main(["train", MAIN, *_SETS, "--set", item, "--runs-root", str(tmp_path / "runs")]) == 2
    assert fragment in _one_line(capsys)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("config.toml"))


def test_non_utf8_config(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(b"experiment = '\xff\xfe'\n")
    assert main(["train", str(config)]) == 2
    assert "not UTF-8" in _one_line(capsys)


def test_runs_root_that_is_a_file(tmp_path: Path, capsys) -> None:
    root = tmp_path / "file"
    root.write_text("x")
    assert main(["train", MAIN, *_SETS, "--runs-root", str(root)]) == 2
    assert "is a file, not a folder" in _one_line(capsys)


@pytest.mark.parametrize("code, hint", [(errno.ENOSPC, "free disk space"), (errno.EROFS, "read-only")])
def test_environment_faults_become_one_line(tmp_path: Path, capsys, monkeypatch, code: int, hint: str) -> None:
    import importlib

    def full(*args, **kwargs):
        raise OSError(code, "simulated", str(tmp_path / "runs" / "x"))

    monkeypatch.setattr(importlib.import_module("qhep_contrast.pipeline.train_run"), "write_config", full)
    assert main(["train", MAIN, *_SETS, "--runs-root", str(tmp_path / "runs")]) == 2
    assert hint in _one_line(capsys)


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QHEP_DEBUG", "1")
    config = tmp_path / "c.toml"
    config.write_text("experiment = '..'\n")
    with pytest.raises(Exception, match="experiment must be a folder name"):
        main(["train", str(config)])


def test_eval_limit_must_not_be_negative(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["eval", "somewhere", "--limit", "-1"])
    assert info.value.code == 2 and "expected a whole number >= 0" in capsys.readouterr().err


def test_one_spelling_for_one_idea() -> None:
    from qhep_contrast.cli.main import build_parser

    parser = build_parser()
    assert parser.parse_args(["transpile", "--runs-root", "x"]).out == parser.parse_args(["transpile", "--out", "x"]).out
    jets = ["data", "generate-jets", "o.h5"]
    assert parser.parse_args([*jets, "--n", "7"]).n == parser.parse_args([*jets, "--n-jets", "7"]).n == 7
    assert parser.parse_args(["data", "generate-egamma", "o.h5", "--n", "7"]).n == 7
    assert parser.parse_args(["train", "--no-progress"]).no_progress


def test_train_no_progress_is_train_progress_false(tmp_path, capsys) -> None:
    assert main(["train", MAIN, *_SETS, "--set", "train.progress=true", "--no-progress",
                 "--runs-root", str(tmp_path)]) == 0
    (run_dir,) = (tmp_path / "simclr_jets").iterdir()
    assert "progress = false" in (run_dir / "config.toml").read_text()
