"""`qhep bench engine`: its cost model, its naive baseline, and a tiny end-to-end run."""

from __future__ import annotations

import json

import torch
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.bench._naive import naive_expectations
from qhep_contrast.bench.engine import bytes_per_sample, flops_per_sample
from qhep_contrast.circuits import CircuitSpec, w1_spec, z_observables
from qhep_contrast.cli.main import main
from qhep_contrast.execution.exact import compile


def test_naive_baseline_matches_engine() -> None:
    spec = w1_spec(4, 2)
    x = torch.rand(3, 4)
    w = torch.rand(spec.num_weights)
    ref = compile(spec.circuit, spec.inputs, spec.weights).expectation(x, w, spec.observables)
    torch.testing.assert_close(naive_expectations(spec.circuit, spec.inputs, spec.weights, x, w), ref,
                               atol=1e-5, rtol=0)


def test_cost_model_hand_count() -> None:
    """Two RY gates + one CX on 2 qubits, one observable."""
    x = ParameterVector("x", 2)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.ry(x[1], 1)
    qc.cx(0, 1)
    spec = CircuitSpec(qc, list(x), [], z_observables(2, [0]))
    dim = 4
    readout = dim * (3 + 2 * 1)
    assert flops_per_sample(spec)["gate_by_gate"] == 3 * (2 * dim * 2 * 8 + readout)
    # fused: the RYs are the product prefix, the CX one gather (no FLOPs)
    assert flops_per_sample(spec)["fused"] == 3 * (6 * dim + readout)
    assert bytes_per_sample(spec)["gate_by_gate"] == 3 * (3 + 1) * 16 * dim
    assert bytes_per_sample(spec)["fused"] == 3 * (2 + 1) * 16 * dim


def test_tiny_run_writes_json(tmp_path, capsys, monkeypatch) -> None:
    """The table, ratios and JSON of a tiny run (machine probes and the optional peer stubbed for speed)."""
    import qhep_contrast.bench.engine as engine

    monkeypatch.setattr(engine, "matmul_gflops", lambda device: 100.0)
    monkeypatch.setattr(engine, "copy_gbps", lambda device: 10.0)
    for peer in ("pennylane_w1", "tensorcircuit_w1", "tensorcircuit_w2"):
        monkeypatch.setattr(engine, peer, lambda *a: "stubbed in tests")
    out = tmp_path / "engine.json"
    code = main(["bench", "engine", "--batch-sizes", "2", "4", "--w3-qubits", "--repeats", "1",
                 "--skip-baseline", "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    rates = {r["impl"]: r["rate"] for r in data["rows"] if "rate" in r}
    assert rates["qhep exact"] > 0 and rates["naive gate-by-gate torch"] > 0
    assert data["floor"]["ceiling_fused"] == min(100e9 / data["floor"]["flops_per_sample"]["fused"],
                                                 10e9 / data["floor"]["bytes_per_sample"]["fused"])
    printed = capsys.readouterr().out
    assert "floor" in printed and "skipped: stubbed in tests" in printed
    fits = {(f["workload"], f["impl"]): f for f in data["fits"]}
    assert set(fits) == {("W1", "qhep exact"), ("W2", "qhep exact")} and "fixed ms/step" in printed


def test_fixed_and_per_sample_fit() -> None:
    from qhep_contrast.bench.engine import fixed_and_per_sample

    fixed, per_sample = fixed_and_per_sample([1, 8, 64, 512], [0.5e-3 + b * 2e-6 for b in (1, 8, 64, 512)])
    assert abs(fixed - 0.5e-3) < 1e-12 and abs(per_sample - 2e-6) < 1e-15
    assert fixed_and_per_sample([64], [1.0]) is None


def test_w3_points_in_fresh_processes(monkeypatch) -> None:
    """W3 rows from real subprocesses at 6 qubits: both gradient methods timed with their peak memory, the
    lightning.qubit row skipped or timed, and same-run ratios only where lightning ran."""
    import argparse

    import qhep_contrast.bench.engine as engine

    args = argparse.Namespace(quick=False, w3_qubits=[6], w3_batch=4, w3_wide_batch=2, w3_wide_from=6,
                              w3_gradients=["fused", "adjoint"], lightning_max_qubits=6, lightning_batch=1)
    rows = engine._w3_rows(args, 1, "cpu")
    by_impl = {r["impl"]: r for r in rows}
    for label in ("qhep exact (fused)", "qhep exact (adjoint)"):
        assert by_impl[label]["batch"] == 2 and by_impl[label]["rate"] > 0 and by_impl[label]["peak_rss_mb"] > 50
    light = by_impl["PennyLane lightning.qubit (adjoint)"]
    assert light["batch"] == 1 and ("rate" in light or light["note"].startswith("skipped"))
    ratios = engine._w3_ratios(rows)
    assert len(ratios) == (2 if "rate" in light else 0)


def test_w3_ratio_arithmetic() -> None:
    from qhep_contrast.bench.engine import _w3_ratios

    rows = [{"workload": "W3", "impl": "qhep exact", "qubits": 16, "batch": 64, "rate": 30.0},
            {"workload": "W3", "impl": "PennyLane lightning.qubit (adjoint)", "qubits": 16, "batch": 8, "rate": 10.0},
            {"workload": "W3", "impl": "qhep exact", "qubits": 24, "batch": 8, "rate": 1.0}]
    assert _w3_ratios(rows) == [{"workload": "W3", "qubits": 16, "impl": "qhep exact", "batch": 64, "peer_batch": 8,
                                 "rate_ratio": 3.0}]
