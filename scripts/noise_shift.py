"""How far device noise moves a layer trained on the exact engine.

Trains W1 (8 qubits, RY encoding, 3 RY/RZ/CX-ring layers, 48 weights) on the exact engine to reproduce a
teacher W1 with random weights (MSE on the 8 <Z_i>), then evaluates the trained weights unchanged on Aer
with device noise from fake backends (noise model restricted to the qubits the transpiled circuit uses):

* ``exact``: density-matrix expectation values (gate errors and thermal relaxation; no readout error,
  since expectation values are read from the state);
* ``shots``: ``SamplerV2`` counts (gate, relaxation and readout errors, plus shot noise);

next to an ideal ``shots`` row that shows the size of shot noise alone. Prints a Markdown table of
mean / max |delta <Z_i>| against the exact engine and the Pearson correlation over all outputs.

Usage (from the repository root, with the package installed or PYTHONPATH=.):
    python scripts/noise_shift.py                                  # ~ 7 minutes on 2 cores
    python scripts/noise_shift.py --backends fake_torino fake_fez --samples 16 --json runs/noise_shift.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from qhep_contrast.circuits import w1_spec
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.qnn import QuantumLayer


def train(steps: int, batch: int, seed: int) -> tuple[QuantumLayer, QuantumLayer, float, float]:
    """Fit a student W1 to a teacher W1 on the exact engine; returns (student, teacher, first loss, last loss).

    The teacher's weights are small (normal, scale 0.4), so its outputs span [-1, 1] like cos(x_i) with
    some entanglement, instead of the near-zero <Z_i> of a random deep circuit.
    """
    spec = w1_spec()
    teacher = QuantumLayer(spec, init="normal", init_scale=0.4, seed=seed + 1)
    student = QuantumLayer(spec, init="normal", init_scale=0.5, seed=seed)
    optimizer = torch.optim.Adam(student.parameters(), lr=0.05)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        x = torch.rand(batch, spec.num_inputs, generator=gen) * np.pi
        with torch.no_grad():
            target = teacher(x)
        loss = torch.nn.functional.mse_loss(student(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return student, teacher, losses[0], float(np.mean(losses[-10:]))


def evaluate(student: QuantumLayer, x: torch.Tensor, config: ExecutionConfig) -> tuple[np.ndarray, dict, float]:
    """Outputs of the trained weights on ``config``, the program record, and the seconds it took."""
    layer = QuantumLayer(student.spec, execution=config)
    layer.load_state_dict(student.state_dict())
    t0 = time.perf_counter()
    with torch.no_grad():
        out = layer(x.double()).numpy()
    return out, layer._runner.program.record, time.perf_counter() - t0


def compare(out: np.ndarray, ref: np.ndarray) -> dict:
    delta = np.abs(out - ref)
    return {"mean_abs_delta": float(delta.mean()), "max_abs_delta": float(delta.max()),
            "correlation": float(np.corrcoef(out.ravel(), ref.ravel())[0, 1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300, help="exact-engine training steps")
    parser.add_argument("--batch", type=int, default=64, help="training batch")
    parser.add_argument("--samples", type=int, default=8,
                        help="evaluation samples (a 12-qubit noisy density matrix takes ~15 s each)")
    parser.add_argument("--shots", type=int, default=1024,
                        help="shots of the sampled rows (noisy trajectories: ~10 ms per shot at 12 qubits)")
    parser.add_argument("--backends", nargs="+", default=["fake_torino", "fake_sherbrooke"], help="noise sources")
    parser.add_argument("--optimization-level", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    student, teacher, first, last = train(args.steps, args.batch, args.seed)
    print(f"trained W1 on the exact engine: {args.steps} steps, MSE {first:.4f} -> {last:.5f}")
    x = torch.rand(args.samples, 8, generator=torch.Generator().manual_seed(args.seed + 100)) * np.pi
    with torch.no_grad():
        ref = student.double()(x.double()).numpy()
    rows = []
    out, record, seconds = evaluate(student, x, ExecutionConfig(kind="aer", shots=args.shots, seed=args.seed))
    rows.append({"noise": "none (ideal)", "mode": f"{args.shots} shots", **compare(out, ref), "seconds": seconds})
    for name in args.backends:
        for shots in (None, args.shots):
            cfg = ExecutionConfig(kind="aer", noise=name, shots=shots, seed=args.seed,
                                  optimization_level=args.optimization_level, seed_transpiler=args.seed)
            out, record, seconds = evaluate(student, x, cfg)
            rows.append({"noise": name, "mode": "exact (density matrix)" if shots is None else f"{shots} shots",
                         **compare(out, ref), "seconds": seconds,
                         "two_qubit_gates": record["transpile"]["two_qubit_gates"],
                         "simulated_qubits": len(record["simulated_qubits"])})
            print(f"  {name} {rows[-1]['mode']}: {seconds:.1f} s", flush=True)

    print(f"\nW1 trained on the exact engine, {args.samples} inputs x 8 outputs, optimization level "
          f"{args.optimization_level}, seed_transpiler {args.seed}:\n")
    print("| noise source | mode | mean abs delta <Z> | max abs delta <Z> | correlation | 2q gates | sim. qubits |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['noise']} | {r['mode']} | {r['mean_abs_delta']:.4f} | {r['max_abs_delta']:.4f} | "
              f"{r['correlation']:.4f} | {r.get('two_qubit_gates', '')} | {r.get('simulated_qubits', '')} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"train_mse": [first, last], "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
