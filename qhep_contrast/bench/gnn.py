"""G1: one training step of the quantum LorentzNet variant (QLieGEB blocks) vs its classical twin, jets/s.

Both models are built in the same run from ``[model] kind = "lorentznet"`` at the same widths (node width
``H``, edge width ``2H + 2``: the quantum ``phi_e`` has ``2H + 2`` qubits) and take full training steps
(forward, BCE with logits, backward, Adam) on the same batch of the shipped generated jets (the ``M`` leading
particles each). Reported: median wall and CPU time per step, jets/s, the edges per batch, and the
quantum/classical step-time ratio measured in this run.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

from qhep_contrast.bench._timing import machine_info, median_wall_and_cpu, supervised_step, write_json

__all__ = ["add_arguments", "run", "step_timing"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench gnn``."""
    parser.add_argument("--batch-size", type=int, default=32, help="jets per training step (default 32)")
    parser.add_argument("--particles", type=int, default=16, help="leading particles per jet, M (default 16)")
    parser.add_argument("--width", type=int, default=4, help="node width H (default 4: 10-qubit edge circuits)")
    parser.add_argument("--layers", type=int, default=4, help="blocks (default 4)")
    parser.add_argument("--quantum", default="phi_e", help="quantum block networks, comma-separated (default phi_e)")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per model (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per model (default 2)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: every available core)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")


def _batch(batch_size: int, particles: int) -> tuple[torch.Tensor, torch.Tensor]:
    from qhep_contrast.data.particle_jets import ParticleJetDataset
    from qhep_contrast.data.shipped import shipped_jet_file

    data = ParticleJetDataset([shipped_jet_file()], particles)
    items = [data[i] for i in range(min(batch_size, len(data)))]
    return torch.stack([x for x, _ in items]), torch.stack([y for _, y in items]).float()


def step_timing(quantum: list[str], *, jets: torch.Tensor, labels: torch.Tensor, width: int, layers: int, repeats: int,
                warmup: int, device: torch.device) -> dict:
    """Median wall/CPU seconds of one training step of the quantum variant (``quantum`` non-empty) or its twin."""
    from qhep_contrast.models import count_parameters
    from qhep_contrast.models.registry import MODELS

    selection = MODELS.select({"kind": "lorentznet", "quantum": quantum, "twin": not quantum, "width": width,
                               "layers": layers}, default_name="lorentznet")
    model = MODELS.build(selection, image_shape=tuple(jets.shape[1:]), seed=0).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = jets.to(device), labels.to(device)
    step = supervised_step(model, optimizer, x, y)
    wall, cpu = median_wall_and_cpu(step, repeats, warmup)
    return {"parameters": count_parameters(model), "step_s": wall, "cpu_s": cpu, "jets_per_s": x.shape[0] / wall}


def run(args: argparse.Namespace) -> int:
    """Run G1 and print the table (and ``--json``)."""
    from qhep_contrast.training import configure_threads

    threads = configure_threads(args.threads)
    device = torch.device(args.device)
    quantum = [q.strip() for q in args.quantum.split(",") if q.strip()]
    jets, labels = _batch(args.batch_size, args.particles)
    counts = jets[:, 0, :, 0].sum(1)
    edges = int((counts * (counts - 1)).sum())
    print(f"G1 lorentznet training step: {jets.shape[0]} jets, M = {args.particles} ({edges} edges), H = {args.width}, "
          f"edge width {2 * args.width + 2}, {args.layers} blocks, quantum {quantum}; {device}, {threads} torch "
          f"threads, load average {os.getloadavg()[0]:.2f}")
    common = {"jets": jets, "labels": labels, "width": args.width, "layers": args.layers, "repeats": args.repeats,
              "warmup": args.warmup, "device": device}
    results = {"classical twin": step_timing([], **common), "quantum": step_timing(quantum, **common)}
    base = results["classical twin"]
    print(f"{'model':<15} {'params':>7} {'step ms':>9} {'cpu ms':>9} {'jets/s':>8} {'ratio':>7}")
    for name, r in results.items():
        r["ratio_wall"] = r["step_s"] / base["step_s"]
        print(f"{name:<15} {r['parameters']:>7} {1e3 * r['step_s']:>9.1f} {1e3 * r['cpu_s']:>9.1f} "
              f"{r['jets_per_s']:>8.1f} {r['ratio_wall']:>6.1f}x")
    print(f"ratio: quantum / classical step wall time in this run; load average after: {os.getloadavg()[0]:.2f}")
    write_json(args.json, {"workload": "G1", "batch_size": int(jets.shape[0]), "particles": args.particles,
                           "edges": edges, "width": args.width, "layers": args.layers, "quantum": quantum,
                           "threads": threads, "device": str(device), "machine": machine_info(str(device)),
                           "results": results})
    return 0
