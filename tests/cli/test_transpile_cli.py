"""``qhep transpile`` end to end on tiny circuits and a 5-qubit fake backend."""

from __future__ import annotations

import csv
import json

from qiskit import qpy
from qiskit.circuit import Parameter, QuantumCircuit

from qhep_contrast.cli.main import main

_SMALL = ["--backends", "fake_manila", "--levels", "0", "1", "--seeds", "0", "--no-progress"]


def _run_folder(parent):
    (folder,) = list(parent.iterdir())
    return folder


def test_writes_table_summary_and_plots(tmp_path, capsys) -> None:
    code = main(["transpile", "--circuits", "w1", "compute_uncompute", "--sizes", "2", "3", *_SMALL,
                 "--out", str(tmp_path)])
    assert code == 0
    folder = _run_folder(tmp_path)
    assert folder.name[:8].isdigit() and folder.name[8] == "-"
    with (folder / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 * 2 * 1 * 2  # circuits x levels x seeds x layouts
    assert {r["layout"] for r in rows} == {"default", "best-error"}
    settings = json.loads((folder / "table.json").read_text())["settings"]
    assert settings["backends"] == "fake_manila"
    summary = (folder / "summary.md").read_text()
    assert "Hybrid layer" in summary and "![qubits_w1](plots/qubits_w1.png)" in summary
    assert (folder / "plots" / "levels_compute_uncompute_3q.png").is_file()
    assert str(folder) in capsys.readouterr().out


def test_circuit_from_qpy(tmp_path) -> None:
    circuit = QuantumCircuit(2, name="model")
    circuit.ry(Parameter("theta"), 0)
    circuit.cx(0, 1)
    circuit.measure_all()
    path = tmp_path / "model.qpy"
    with path.open("wb") as handle:
        qpy.dump(circuit, handle)
    out = tmp_path / "runs"
    assert main(["transpile", "--circuit-from", str(path), *_SMALL, "--no-layout-search", "--out", str(out)]) == 0
    with (_run_folder(out) / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["circuit"] for r in rows} == {"model"} and len(rows) == 2


def test_list_backends(capsys) -> None:
    assert main(["transpile", "--list-backends"]) == 0
    assert "fake_torino" in capsys.readouterr().out.split()


def test_unknown_backend_is_one_clear_line(tmp_path, capsys) -> None:
    code = main(["transpile", "--circuits", "w1", "--sizes", "2", "--backends", "fake_nowhere", "--out", str(tmp_path)])
    assert code == 2
    assert "unknown fake backend 'fake_nowhere'" in capsys.readouterr().err


def test_circuit_from_run_folder(tmp_path) -> None:
    from pathlib import Path

    from qhep_contrast.experiment.config import load_config
    from qhep_contrast.experiment.run_dir import write_config

    run = tmp_path / "fidelity_infonce_jets" / "20260101-000000"
    run.mkdir(parents=True)
    configs = Path(__file__).resolve().parents[2] / "runs" / "configs"
    write_config(run, load_config(configs / "fidelity_infonce_jets.toml"))
    out = tmp_path / "runs"
    args = ["transpile", "--circuit-from", str(run), "--backends", "fake_guadalupe", "--levels", "1", "--seeds", "0",
            "--no-layout-search", "--no-progress", "--out", str(out)]
    assert main(args) == 0
    with (_run_folder(out) / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    name = "fidelity_infonce_jets_20260101-000000"
    assert [r["circuit"] for r in rows] == [name, f"compute_uncompute_{name}", f"swap_test_{name}"]
