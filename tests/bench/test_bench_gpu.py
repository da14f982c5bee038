"""`qhep bench gpu`: its options, its refusal without CUDA, and a CPU rehearsal at tiny sizes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from qhep_contrast.bench import gpu
from qhep_contrast.bench._workloads import check_against_statevector
from qhep_contrast.circuits import w1_spec
from qhep_contrast.cli.bench import workload_parser
from qhep_contrast.cli.main import main
from qhep_contrast.exceptions import BackendError, QHEPError


def test_defaults_are_the_gpu_workloads() -> None:
    args = workload_parser("gpu").parse_args([])
    assert args.device == "cuda"
    assert args.batch_sizes == [512, 4096, 32768]
    assert args.w3_qubits == [16, 20, 24, 28]
    assert args.sections == list(gpu.SECTIONS)
    assert args.swap_qubits == 7  # 2 * 7 + 1 = 15 qubits
    args = workload_parser("gpu").parse_args(["--device", "cpu", "--quick", "--sections", "w3", "aer"])
    assert (args.device, args.quick, args.sections) == ("cpu", True, ["w3", "aer"])
    with pytest.raises(SystemExit):
        workload_parser("gpu").parse_args(["--sections", "everything"])


def test_refuses_without_cuda(monkeypatch, capsys) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["bench", "gpu", "--sections", "engine"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "sees no CUDA device" in err and "--device cpu --quick" in err
    assert issubclass(gpu.CudaUnavailableError, BackendError) and issubclass(gpu.CudaUnavailableError, QHEPError)


def test_cpu_rehearsal_engine_and_aer(tmp_path, capsys) -> None:
    out = tmp_path / "gpu.json"
    assert main(["bench", "gpu", "--device", "cpu", "--quick", "--sections", "engine", "aer", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    rows = {(r["workload"], r["impl"], r.get("batch")): r for r in result["rows"]}
    for batch in (16, 64):
        assert rows[("W1", "qhep exact", batch)]["rate"] > 0
        assert rows[("W2", "qhep exact", batch)]["rate"] > 0
    assert rows[("swap test", "qhep exact", 8)]["qubits"] == 7
    assert rows[("W1", "Aer CPU statevector", 8)]["rate"] > 0
    assert rows[("swap test", "Aer CPU statevector", 8)]["rate"] > 0
    probe = result["aer_gpu_probe"]["gpu"]
    assert probe == "usable" or probe.startswith("not usable: ")
    assert "W1" in capsys.readouterr().out


def test_w3_width_in_a_fresh_process() -> None:
    row = gpu._w3_width(6, 4, 1, "cpu", timeout=120)
    assert row["qubits"] == 6 and row["batch"] == 4 and row["rate"] > 0 and row["peak_rss_mb"] > 0
    assert gpu._w3_width(6, 4, 1, "cpu", timeout=0.01)["note"].startswith("failed: timed out")


def test_tensorcircuit_peer_matches_statevector() -> None:
    pytest.importorskip("tensorcircuit", reason="TensorCircuit-NG not installed (an optional peer)")
    from qhep_contrast.bench._peers import tensorcircuit_w1

    spec = w1_spec(4, 2)
    peer = tensorcircuit_w1(spec, 2, 3)
    assert not isinstance(peer, str), peer
    step, forward, x, w = peer
    check_against_statevector("TensorCircuit-NG", spec, forward(), x, w)
    step()
    assert np.asarray(forward()).shape == (3, 4)
