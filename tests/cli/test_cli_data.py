"""``qhep data``: help, generate-egamma, generate-jets (with the extra) and inspect through the CLI entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import pytest

from qhep_contrast.cli.main import main


def test_data_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data"]) == 1
    out = capsys.readouterr().out
    assert "generate-jets" in out and "generate-egamma" in out and "inspect" in out
    for command in ("generate-jets", "generate-egamma", "inspect"):
        with pytest.raises(SystemExit) as exit_info:
            main(["data", command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: qhep data " + command in capsys.readouterr().out


def test_generate_egamma_then_inspect(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eg.h5"
    assert main(["data", "generate-egamma", str(out), "--n", "40", "--seed", "9", "--noise", "0.05"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    with h5py.File(out, "r") as f:
        assert f["X"].shape == (40, 32, 32, 2) and f.attrs["synthetic"]
        command = f.attrs["command"]
        assert '"noise_gev": 0.05' in f.attrs["config"]
    assert command.startswith("qhep data generate-egamma") and "--seed 9" in command and "--noise 0.05" in command
    assert main(["data", "inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "labels y: 0: 20 (50.0%), 1: 20 (50.0%)" in text and "synthetic = True" in text


def test_inspect_missing_file_is_a_clear_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "inspect", str(tmp_path / "nope.h5")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_generate_jets_cli(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pythia8mc")
    pytest.importorskip("fastjet")
    out = tmp_path / "jets.h5"
    argv = ["data", "generate-jets", str(out), "--n-jets", "20", "--seed", "3", "--workers", "1",
            "--shard-size", "10", "--pixels", "8", "--no-mpi", "--no-particles"]
    assert main(argv) == 0
    assert "jets/s" in capsys.readouterr().out
    with h5py.File(out, "r") as f:
        assert f["X_jets"].shape == (20, 8, 8, 3) and "particles" not in f
        assert "--no-mpi" in f.attrs["command"] and not f.attrs["with_particles"]


def test_data_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["data", "--help"])
    out = capsys.readouterr().out
    assert "``" not in out and "\n* " not in out and ":func:" not in out
    assert "qhep data inspect FILE" in out and "--force" in out


def test_data_cli_module_imports_no_heavy_modules() -> None:
    """Building ``qhep data``'s parser (its option defaults included) imports neither numpy nor h5py nor torch."""
    code = ("import sys, argparse; import qhep_contrast.cli.data as d; "
            "d.register(argparse.ArgumentParser().add_subparsers()); "
            "print(sorted(m for m in ('torch', 'numpy', 'h5py', 'qiskit', 'sympy', 'tqdm', 'scipy') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout.strip() == "[]"


def test_generate_egamma_refuses_to_overwrite(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eg.h5"
    assert main(["data", "generate-egamma", str(out), "--n", "8"]) == 0
    capsys.readouterr()
    assert main(["data", "generate-egamma", str(out), "--n", "8", "--seed", "2"]) == 2
    err = capsys.readouterr().err
    assert "eg.h5" in err and "exists" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert main(["data", "generate-egamma", str(out), "--n", "8", "--seed", "2", "--force"]) == 0
    with h5py.File(out, "r") as f:
        assert "--force" not in f.attrs["command"] and "--seed 2" in f.attrs["command"]


def test_inspect_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "inspect", "shipped"]) == 0
    out = capsys.readouterr().out
    assert "qg_jets_2k_16x16.h5" in out and "X_jets" in out
