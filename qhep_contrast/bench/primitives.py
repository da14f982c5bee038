"""Primitive execution, workload P1: W1 through QuantumLayer on Aer, against qiskit-machine-learning's default path.

W1 (8 qubits, RY encoding, 3 layers of RY/RZ/CX ring, 48 weights, <Z_i> on every qubit) runs through
``QuantumLayer(execution=ExecutionConfig(kind="aer", ...))`` on Aer primitives -- exact ``EstimatorV2``
and 1024-shot ``SamplerV2`` -- and, in the same run, through qiskit-machine-learning's ``EstimatorQNN`` +
``TorchConnector`` with its default estimator and parameter-shift gradient. One step = forward + backward of
``output.sum()`` with respect to inputs and weights. Reported: median ms/step after a warm-up, samples/s,
primitive ``run`` calls and PUBs per step, median CPU time of the process per step (steadier than wall
time on a shared machine), and the baseline's time at the package's batch size, extrapolated
linearly from its per-sample time (its cost is one PUB per sample x observable x shifted parameter set).

Examples:
    qhep bench primitives                      # B = 64; the qiskit-ml baseline (B = 8) takes a few minutes
    qhep bench primitives --quick              # smoke run: B = 16, baseline B = 1, no shots row
    qhep bench primitives --json runs/bench/primitives.json
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

import numpy as np
import torch

from qhep_contrast.bench._timing import format_table, machine_info, median_wall_and_cpu, write_json
from qhep_contrast.circuits import w1_spec
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import QHEPError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.qnn import QuantumLayer
from qhep_contrast.qnn.primitive_runner import PrimitiveRunner

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench primitives``."""
    parser.add_argument("--batch", type=int, default=64, help="batch of the package's Aer rows (default 64)")
    parser.add_argument("--shots", type=int, default=1024, help="shots of the sampled row (default 1024)")
    parser.add_argument("--repeats", type=int, default=3, help="timed steps of the exact Aer row (median)")
    parser.add_argument("--shots-repeats", type=int, default=1, help="timed steps of the sampled row")
    parser.add_argument("--baseline-batch", type=int, default=8,
                        help="batch of the qiskit-machine-learning baseline (it runs at < 1 sample/s)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip qiskit-machine-learning")
    parser.add_argument("--skip-shots", action="store_true", help="skip the 1024-shot row (tens of seconds)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--quick", action="store_true", help="smoke run: B = 16, baseline B = 1, 1 repeat, no shots")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")


class _Counter:
    """Count ``run`` calls and PUBs of a primitive (wraps ``run`` on the instance)."""

    def __init__(self, primitive) -> None:
        self.calls = self.pubs = 0
        original = primitive.run

        def run(pubs, *args, **kwargs):
            pubs = list(pubs)
            self.calls += 1
            self.pubs += len(pubs)
            return original(pubs, *args, **kwargs)

        primitive.run = run

    def per_step(self, step) -> tuple[int, int]:
        self.calls = self.pubs = 0
        step()
        return self.calls, self.pubs


def _inputs(spec: CircuitSpec, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, spec.num_inputs, generator=gen, dtype=torch.float64) * np.pi
    w = torch.rand(spec.num_weights, generator=gen, dtype=torch.float64) * 2 - 1
    return x, w


def _check(name: str, got: torch.Tensor, spec: CircuitSpec, x: torch.Tensor, w: torch.Tensor, atol: float) -> None:
    """Refuse to time an implementation whose outputs differ from the exact engine's."""
    exact = QuantumLayer(spec).double()
    exact.weight.data.copy_(w)
    err = (got.detach().double() - exact(x).detach()).abs().max().item()
    if err > atol:
        raise QHEPError(f"{name}: outputs differ from the exact engine by {err:.2e} (> {atol:.1e}); not timing it.")


def _layer_row(spec: CircuitSpec, batch: int, config: ExecutionConfig, repeats: int, warmup: int) -> dict:
    x, w = _inputs(spec, batch)
    layer = QuantumLayer(spec, execution=config).double()
    layer.weight.data.copy_(w)
    counter = _Counter(cast(PrimitiveRunner, layer._runner).primitive)
    x.requires_grad_(True)
    shots = config.shots
    _check(f"aer {shots or 'exact'}", layer(x), spec, x.detach(), w, 1e-8 if shots is None else 6 / np.sqrt(shots))

    def step() -> None:
        x.grad = None
        layer.zero_grad()
        layer(x).sum().backward()

    calls, pubs = counter.per_step(step)
    seconds, cpu = median_wall_and_cpu(step, repeats, warmup=warmup)
    impl = f"qhep QuantumLayer, Aer {'EstimatorV2 exact' if shots is None else f'SamplerV2 {shots} shots'}"
    return {"impl": impl, "batch": batch, "step_ms": 1e3 * seconds, "cpu_ms": 1e3 * cpu, "rate": batch / seconds,
            "runs_per_step": calls, "pubs_per_step": pubs}


def _baseline_row(spec: CircuitSpec, batch: int, repeats: int) -> dict:
    """qiskit-machine-learning EstimatorQNN + TorchConnector with its default estimator and gradient."""
    from qiskit_machine_learning.connectors import TorchConnector
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    x, w = _inputs(spec, batch)
    qnn = EstimatorQNN(circuit=spec.circuit, observables=list(spec.observables), input_params=spec.inputs,
                       weight_params=spec.weights, input_gradients=True, default_precision=0.0)
    model = TorchConnector(qnn, initial_weights=w.numpy())
    counter = _Counter(qnn.estimator)
    xf = x.float().requires_grad_(True)
    _check("qiskit-machine-learning", model(xf), spec, x, w, 1e-5)

    def step() -> None:
        xf.grad = None
        model.zero_grad()
        model(xf).sum().backward()

    calls, pubs = counter.per_step(step)
    seconds, cpu = median_wall_and_cpu(step, repeats, warmup=0)
    return {"impl": "qiskit-ml EstimatorQNN+TorchConnector (default)", "batch": batch, "step_ms": 1e3 * seconds,
            "cpu_ms": 1e3 * cpu, "rate": batch / seconds, "runs_per_step": calls, "pubs_per_step": pubs}


def run(args: argparse.Namespace) -> int:
    """Run P1, print the table and the speed-up, optionally write JSON."""
    if args.threads:
        torch.set_num_threads(args.threads)
    batch = 16 if args.quick else args.batch
    repeats = 1 if args.quick else args.repeats
    baseline_batch = 1 if args.quick else args.baseline_batch
    spec = w1_spec(8, 3)
    result: dict = {"workload": "P1", "machine": machine_info("cpu"), "rows": []}
    print("machine: " + ", ".join(f"{k}={v}" for k, v in result["machine"].items()))
    rows = result["rows"]
    rows.append(_layer_row(spec, batch, ExecutionConfig(kind="aer", seed=0), repeats, warmup=1))
    if not (args.skip_shots or args.quick):
        rows.append(_layer_row(spec, batch, ExecutionConfig(kind="aer", shots=args.shots, seed=0),
                               args.shots_repeats, warmup=0))
    if not args.skip_baseline:
        base = _baseline_row(spec, baseline_batch, 1)
        rows.append(base)
        per_sample = base["step_ms"] / base["batch"]
        cpu_per_sample = base["cpu_ms"] / base["batch"]
        for row in rows:
            row["qml_step_ms_same_batch"] = per_sample * row["batch"]
            row["speedup_vs_qml"] = per_sample * row["batch"] / row["step_ms"]
            row["cpu_speedup_vs_qml"] = cpu_per_sample * row["batch"] / row["cpu_ms"]
        result["baseline_note"] = (f"qiskit-ml measured at B={base['batch']}; its per-step time at other batch sizes "
                                   f"is its per-sample time ({per_sample / 1e3:.2f} s) times B (linear: one PUB per "
                                   "sample x observable x shift)")
    print()
    print(format_table(rows, [("impl", "implementation"), ("batch", "B"), ("step_ms", "ms/step"),
                              ("cpu_ms", "CPU ms/step"), ("rate", "samples/s"), ("runs_per_step", "runs/step"),
                              ("pubs_per_step", "PUBs/step"), ("qml_step_ms_same_batch", "qiskit-ml ms/step at this B"),
                              ("speedup_vs_qml", "speed-up (wall)"), ("cpu_speedup_vs_qml", "speed-up (CPU)")]))
    if "baseline_note" in result:
        print(f"\n{result['baseline_note']}. Target: Aer exact >= 100x per training step at B = {batch}: "
              f"{rows[0]['speedup_vs_qml']:.0f}x wall, {rows[0]['cpu_speedup_vs_qml']:.0f}x CPU time.")
    write_json(args.json, result)
    return 0
