"""Exact-engine throughput: workloads W1, W2, W3 and the floor.

Every figure is a median over repeated steps after a warm-up, next to baselines measured in the same run:
a naive gate-by-gate batched torch simulator, qiskit-machine-learning's EstimatorQNN + TorchConnector
with its default estimator and parameter-shift gradient, and (when the ``bench`` extra is installed)
TensorCircuit-NG (jax, jit + vmap) at every batch size and PennyLane ``default.qubit``. Every
implementation's output is checked against qiskit.quantum_info.Statevector on fixed inputs before it is
timed. One step = forward + backward of ``output.sum()`` with respect to inputs and weights.

W1 and W2 run at B = 1, 8, 64 and 512 by default; a least-squares line through step time against B gives
the *fixed cost* per step (its intercept: dispatch and set-up paid whatever the batch) and the *per-sample
cost* (its slope), printed for the engine and each peer.

Examples:
    qhep bench engine                       # full run (the qiskit-machine-learning baseline takes ~1 min)
    qhep bench engine --quick               # seconds: fewer repeats, no W3 at 20 qubits, tiny baseline
    qhep bench engine --json runs/bench/engine.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from qhep_contrast.bench._peers import pennylane_w1, tensorcircuit_w1, tensorcircuit_w2
from qhep_contrast.bench._timing import (
    copy_gbps,
    format_table,
    machine_info,
    matmul_gflops,
    median_seconds,
    write_json,
)
from qhep_contrast.bench._workloads import (
    check_against_statevector,
    check_fidelities_against_statevector,
    w1_step,
    w2_step,
)
from qhep_contrast.circuits import w1_spec, w2_spec
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.execution.exact import compile as compile_exact

__all__ = ["add_arguments", "run", "flops_per_sample", "bytes_per_sample", "fixed_and_per_sample"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench engine``."""
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 64, 512],
                        help="W1 and W2 batch sizes (W2: pairs per step)")
    parser.add_argument("--w3-qubits", type=int, nargs="*", default=[12, 16, 20, 24], help="W3 widths")
    parser.add_argument("--w3-batch", type=int, default=64, help="W3 batch below --w3-wide-from qubits")
    parser.add_argument("--w3-wide-batch", type=int, default=8, help="W3 batch from --w3-wide-from qubits on")
    parser.add_argument("--w3-wide-from", type=int, default=24, help="width from which W3 uses --w3-wide-batch")
    parser.add_argument("--w3-repeats", type=int, default=3, help="timed W3 steps per point (median)")
    parser.add_argument("--w3-gradients", nargs="+", default=["auto"], choices=["auto", "fused", "adjoint"],
                        help="exact-engine gradient methods timed at every W3 point")
    parser.add_argument("--lightning-batch", type=int, default=8,
                        help="batch of PennyLane lightning.qubit (adjoint) at the W3 points (it runs sample by "
                             "sample, so its rate hardly depends on the batch)")
    parser.add_argument("--lightning-max-qubits", type=int, default=20,
                        help="widest W3 point timed with lightning.qubit")
    parser.add_argument("--repeats", type=int, default=30, help="timed steps per measurement (median)")
    parser.add_argument("--baseline-batch", type=int, default=8,
                        help="batch of the qiskit-machine-learning baseline (it runs at < 1 sample/s)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip qiskit-machine-learning")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run: 5 repeats, W3 at 12 qubits only, baseline batch 1")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")


def fixed_and_per_sample(batches: list[int], seconds: list[float]) -> tuple[float, float] | None:
    """Least-squares ``t = fixed + per_sample * B`` through (batch, step seconds); None for < 2 sizes."""
    if len(set(batches)) < 2:
        return None
    slope, intercept = np.polyfit(np.asarray(batches, dtype=float), np.asarray(seconds, dtype=float), 1)
    return float(intercept), float(slope)


def _qml_step(spec: CircuitSpec, batch: int):
    """qiskit-machine-learning EstimatorQNN + TorchConnector with its default estimator and gradient."""
    from qiskit_machine_learning.connectors import TorchConnector
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    qnn = EstimatorQNN(circuit=spec.circuit, observables=list(spec.observables), input_params=spec.inputs,
                       weight_params=spec.weights, input_gradients=True, default_precision=0.0)
    gen = torch.Generator().manual_seed(0)
    w0 = torch.rand(spec.num_weights, generator=gen)
    model = TorchConnector(qnn, initial_weights=w0.numpy())
    x = torch.rand(batch, spec.num_inputs, generator=gen).requires_grad_(True)
    check_against_statevector("qiskit-machine-learning", spec, model(x).detach().numpy(), x.detach(), w0)

    def step() -> None:
        x.grad = None
        model.zero_grad()
        model(x).sum().backward()

    return step


def bytes_per_sample(spec: CircuitSpec) -> dict[str, float]:
    """Bytes of state traffic per sample for forward + backward (3x forward), complex64.

    Every pass over the state reads and writes ``2**n`` complex64 amplitudes (8 bytes each), i.e.
    ``16 * 2**n`` bytes. Gate by gate, every gate is one pass (plus the read-out); fused, every stage
    (shared Kron windows counted separately), the prefix and the read-out.
    """
    dim_bytes = 2 * 8 * 2**spec.num_qubits
    gates = sum(1 for inst in spec.circuit.data if inst.operation.name != "barrier")
    program = compile_exact(spec.circuit, spec.inputs, spec.weights)._program
    passes = 2 + sum(len(s.windows) if type(s).__name__ == "KronLayer" and not s.per_sample else 1
                     for s in program.stages)
    return {"gate_by_gate": 3.0 * (gates + 1) * dim_bytes, "fused": 3.0 * passes * dim_bytes}


def flops_per_sample(spec: CircuitSpec) -> dict[str, float]:
    """Real floating-point operations per sample for forward + backward (3x the forward count).

    Gate by gate: a single-qubit gate updates ``2**n`` amplitudes with 2 complex multiply-adds (8 real
    FLOPs each), a CX moves data only. Fused (this engine): each shared window of ``k`` qubits costs
    ``2**n * 2**k`` complex multiply-adds, a per-sample rotation layer one phase multiplication
    (``~6 * 2**n``), the product prefix ``~6 * 2**n``. The read-out (``|psi|^2`` then a matmul with the
    ``2**n x n_obs`` sign matrix) is added to both.
    """
    n = spec.num_qubits
    dim = 2**n
    readout = dim * (3 + 2 * len(spec.observables))
    one_qubit = sum(1 for inst in spec.circuit.data if len(inst.qubits) == 1)
    gate_by_gate = one_qubit * dim * 2 * 8 + readout
    program = compile_exact(spec.circuit, spec.inputs, spec.weights)._program
    fused = 6.0 * dim + readout
    for stage in program.stages:
        name = type(stage).__name__
        if name == "KronLayer":
            fused += (sum(dim * 2**k * 8 for _, k in stage.windows) if not stage.per_sample
                      else len(stage.qubits) * dim * 2 * 8)
        elif name == "Diagonal":
            fused += dim * (2 * len(stage.angle_cols) + 12)
        elif name == "General":
            fused += dim * 2 ** len(stage.qubits) * 8
    return {"gate_by_gate": 3.0 * gate_by_gate, "fused": 3.0 * fused}


def _w3_subprocess(n: int, batch: int, impl: str, repeats: int, device: str) -> dict:
    """One W3 point (W1 at width ``n``) in a fresh process, so that its peak memory is its own."""
    cmd = [sys.executable, "-m", "qhep_contrast.bench._w3", "--qubits", str(n), "--batch", str(batch),
           "--impl", impl, "--repeats", str(repeats), "--device", device]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"killed (exit {proc.returncode})"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


_W3_IMPLS = {"auto": ("engine", "qhep exact"), "fused": ("engine-fused", "qhep exact (fused)"),
             "adjoint": ("engine-adjoint", "qhep exact (adjoint)")}
_LIGHTNING = "PennyLane lightning.qubit (adjoint)"


def _w3_rows(args: argparse.Namespace, repeats: int, device: str) -> list[dict]:
    """W3 at every width: the engine's gradient methods and lightning.qubit adjoint, with peak memory."""
    rows = []
    widths = [q for q in args.w3_qubits if q <= 12] if args.quick else args.w3_qubits
    for n in widths:
        batch = args.w3_batch if n < args.w3_wide_from else args.w3_wide_batch
        points = [(impl, label, batch) for impl, label in (_W3_IMPLS[g] for g in args.w3_gradients)]
        if n <= args.lightning_max_qubits:
            points.append(("lightning", _LIGHTNING, min(batch, args.lightning_batch)))
        for impl, label, b in points:
            r = _w3_subprocess(n, b, impl, repeats, device)
            row = {"workload": "W3", "impl": label, "qubits": n, "batch": b, "unit": "samples/s"}
            if "error" in r:
                row["note"] = r["error"]
            else:
                row.update(step_ms=1e3 * r["seconds"], rate=b / r["seconds"], peak_rss_mb=r["peak_rss_mb"])
            rows.append(row)
    return rows


def _w3_ratios(rows: list[dict]) -> list[dict]:
    """Same-run W3 ratios: the engine's samples/s over lightning.qubit's at every width both ran."""
    out = []
    light = {r["qubits"]: r for r in rows if r["workload"] == "W3" and r["impl"] == _LIGHTNING and "rate" in r}
    for r in rows:
        if r["workload"] == "W3" and r["impl"].startswith("qhep exact") and "rate" in r and r["qubits"] in light:
            peer = light[r["qubits"]]
            out.append({"workload": "W3", "qubits": r["qubits"], "impl": r["impl"], "batch": r["batch"],
                        "peer_batch": peer["batch"], "rate_ratio": r["rate"] / peer["rate"]})
    return out


def _peer_rows(workload: str, impl: str, spec: CircuitSpec, batches: list[int], repeats: int, make, check) -> list:
    """Rows of one optional peer at every batch size (one 'skipped' row when it is not installed)."""
    rows = []
    for batch in batches:
        peer = make(spec, 3, batch)
        if isinstance(peer, str):
            return [{"workload": workload, "impl": impl, "qubits": spec.num_qubits, "note": f"skipped: {peer}"}]
        check(peer)
        t = median_seconds(peer[0], repeats)
        rows.append({"workload": workload, "impl": impl, "qubits": spec.num_qubits, "batch": batch,
                     "step_ms": 1e3 * t, "rate": batch / t, "unit": "samples/s" if workload == "W1" else "pairs/s"})
    return rows


def _fit_rows(rows: list[dict]) -> list[dict]:
    """Fixed cost and per-sample cost of every (workload, implementation) timed at several batch sizes."""
    out = []
    for key in dict.fromkeys((r["workload"], r["impl"]) for r in rows if "step_ms" in r and r["workload"] != "W3"):
        timed = [r for r in rows if (r["workload"], r["impl"]) == key and "step_ms" in r]
        fit = fixed_and_per_sample([r["batch"] for r in timed], [r["step_ms"] / 1e3 for r in timed])
        if fit is not None:
            out.append({"workload": key[0], "impl": key[1], "fixed_ms": 1e3 * fit[0], "per_sample_us": 1e6 * fit[1],
                        "batches": [r["batch"] for r in timed]})
    return out


def _ratio_rows(rows: list[dict]) -> list[dict]:
    """Same-run ratios: peer step time / engine step time at every shared (workload, batch)."""
    engine = {(r["workload"], r["batch"]): r["step_ms"] for r in rows
              if r["impl"] == "qhep exact" and "step_ms" in r and r["workload"] != "W3"}
    out = []
    for r in rows:
        key = (r["workload"], r.get("batch"))
        if r["workload"] == "W3":  # several widths: compared by _w3_ratios
            continue
        if r["impl"] != "qhep exact" and "step_ms" in r and key in engine:
            out.append({"workload": r["workload"], "batch": r["batch"], "peer": r["impl"],
                        "engine_speedup": r["step_ms"] / engine[key]})
    return out


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the tables, optionally write JSON."""
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = 5 if args.quick else args.repeats
    baseline_batch = 1 if args.quick else args.baseline_batch
    device = args.device
    batches = list(args.batch_sizes)
    result: dict = {"machine": machine_info(device), "rows": []}
    print("machine: " + ", ".join(f"{k}={v}" for k, v in result["machine"].items()))

    w1 = w1_spec(8, 3)
    w2 = w2_spec(8, 3)
    rows = result["rows"]
    for batch in batches:
        t = median_seconds(w1_step(w1, batch, device, "engine"), repeats)
        rows.append({"workload": "W1", "impl": "qhep exact", "qubits": 8, "batch": batch, "step_ms": 1e3 * t,
                     "rate": batch / t, "unit": "samples/s"})
    peer_repeats = max(3, repeats // 3)
    rows += _peer_rows("W1", "TensorCircuit-NG (jax, jit+vmap)", w1, batches, repeats, tensorcircuit_w1,
                       lambda p: check_against_statevector("TensorCircuit-NG", w1, p[1](), p[2], p[3]))
    naive_batch = max(batches)
    t = median_seconds(w1_step(w1, naive_batch, device, "naive"), peer_repeats)
    rows.append({"workload": "W1", "impl": "naive gate-by-gate torch", "qubits": 8, "batch": naive_batch,
                 "step_ms": 1e3 * t, "rate": naive_batch / t, "unit": "samples/s"})
    rows += _peer_rows("W1", "PennyLane default.qubit (torch, backprop)", w1, [naive_batch], peer_repeats,
                       pennylane_w1, lambda p: check_against_statevector("PennyLane", w1, p[1]().detach().numpy(), p[2].detach(),
                                                      p[3].detach()))
    if not args.skip_baseline:
        t = median_seconds(_qml_step(w1, baseline_batch), 1 if args.quick else 3, warmup=1)
        rows.append({"workload": "W1", "impl": "qiskit-ml EstimatorQNN+TorchConnector", "qubits": 8,
                     "batch": baseline_batch, "step_ms": 1e3 * t, "rate": baseline_batch / t, "unit": "samples/s"})

    for batch in batches:
        t = median_seconds(w2_step(w2, batch, device), repeats)
        rows.append({"workload": "W2", "impl": "qhep exact", "qubits": 8, "batch": batch, "step_ms": 1e3 * t,
                     "rate": batch / t, "unit": "pairs/s"})
    rows += _peer_rows("W2", "TensorCircuit-NG (jax, jit+vmap)", w2, batches, repeats, tensorcircuit_w2,
                       lambda p: check_fidelities_against_statevector("TensorCircuit-NG", w2, p[1](), p[2], p[3], p[4]))

    rows += _w3_rows(args, 1 if args.quick else args.w3_repeats, device)

    engine_best = max(r["rate"] for r in rows if r["workload"] == "W1" and r["impl"] == "qhep exact")
    for r in rows:
        if r["workload"] == "W1" and "rate" in r:
            r["engine_speedup"] = engine_best / r["rate"]
    print()
    print(format_table(rows, [("workload", "workload"), ("impl", "implementation"), ("qubits", "n"),
                              ("batch", "B"), ("step_ms", "ms/step"), ("rate", "rate"), ("unit", "unit"),
                              ("engine_speedup", "best engine / this"), ("peak_rss_mb", "peak MB"),
                              ("note", "note")]))
    result["ratios"] = _ratio_rows(rows)
    if result["ratios"]:
        print("\nsame-run ratios (peer ms/step / engine ms/step at the same B):")
        print(format_table(result["ratios"], [("workload", "workload"), ("batch", "B"), ("peer", "peer"),
                                              ("engine_speedup", "engine speed-up")]))
    result["w3_ratios"] = _w3_ratios(rows)
    if result["w3_ratios"]:
        print("\nsame-run W3 ratios (engine samples/s / lightning.qubit adjoint samples/s):")
        print(format_table(result["w3_ratios"], [("qubits", "n"), ("impl", "implementation"), ("batch", "B"),
                                                 ("peer_batch", "lightning B"), ("rate_ratio", "ratio")]))
    result["fits"] = _fit_rows(rows)
    if result["fits"]:
        print("\nstep time = fixed + per-sample * B (least squares over the batch sizes):")
        print(format_table(result["fits"], [("workload", "workload"), ("impl", "implementation"),
                                            ("fixed_ms", "fixed ms/step"), ("per_sample_us", "per-sample us")]))

    gflops = matmul_gflops(device=device)
    gbps = copy_gbps(device=device)
    flops = flops_per_sample(w1)
    traffic = bytes_per_sample(w1)
    floor = {"matmul_gflops": gflops, "copy_gbps": gbps, "flops_per_sample": flops, "bytes_per_sample": traffic,
             "measured_best": engine_best}
    lines = []
    for impl in ("gate_by_gate", "fused"):
        compute = gflops * 1e9 / flops[impl]
        memory = gbps * 1e9 / traffic[impl]
        floor[f"ceiling_{impl}"] = min(compute, memory)
        lines.append(f"  {impl.replace('_', '-'):>12}: {flops[impl] / 1e6:.2f} MFLOP/sample -> compute ceiling "
                     f"{compute:,.0f}/s; {traffic[impl] / 1e3:.0f} kB/sample -> memory ceiling {memory:,.0f}/s")
    result["floor"] = floor
    print(f"\nfloor (W1, n=8, forward+backward; fp32 matmul {gflops:.1f} GFLOP/s, copy {gbps:.1f} GB/s):")
    print("\n".join(lines))
    print(f"  measured engine: {engine_best:,.0f} samples/s "
          f"({100 * engine_best / floor['ceiling_fused']:.0f}% of the fused ceiling)")
    write_json(args.json, result)
    return 0
