"""V1: one training step of the hybrid quantum vision transformer vs its classical twin (paper setting).

Both models are built in the same run from ``[model] kind = "qvit"`` at the paper's setting (32x32 images
of one channel, 4x8 patches: 32 tokens, d_t = 16, 4 heads, 5 layers, column-max readout, one logit) and
take full training steps (forward, BCE with logits, backward, Adam) on the same random batch. Reported:
median wall and CPU time per step, samples/s, the hybrid/classical step-time ratio (goal: at most 3), and
the peak memory of each model's steps (CUDA: ``max_memory_allocated``; CPU: the process's peak resident
set, reset before each model through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

from qhep_contrast.bench._timing import machine_info, median_wall_and_cpu, supervised_step, write_json

__all__ = ["add_arguments", "run", "step_timing"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench qvit``."""
    parser.add_argument("--batch-size", type=int, default=512, help="training batch size (default 512)")
    parser.add_argument("--image-size", type=int, default=32, help="image side in pixels (default 32: 32 tokens)")
    parser.add_argument("--readout", default="max", choices=("max", "mean", "cls"), help="readout (default max)")
    parser.add_argument("--simulations", default="factored,engine",
                        help="hybrid simulations to time, comma-separated (default factored,engine)")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per model (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per model (default 2)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: every available core)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")


def _reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux)
    except OSError:
        pass


def _peak_mib(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def step_timing(twin: bool, *, simulation: str = "factored", batch_size: int, image_size: int, readout: str, repeats: int, warmup: int,
                device: torch.device) -> dict:
    """Median wall/CPU seconds of one training step of the hybrid (``twin=False``) or its twin, and peak memory."""
    from qhep_contrast.models import count_parameters
    from qhep_contrast.models.registry import MODELS

    selection = MODELS.select({"kind": "qvit", "twin": twin, "readout": readout,
                                "simulation": simulation}, default_name="qvit")
    model = MODELS.build(selection, image_shape=(1, image_size, image_size), seed=0).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(batch_size, 1, image_size, image_size, generator=generator).to(device)
    labels = (torch.rand(batch_size, generator=generator) < 0.5).float().to(device)
    step = supervised_step(model, optimizer, images, labels)

    _reset_peak(device)
    wall, cpu = median_wall_and_cpu(step, repeats, warmup)
    return {"parameters": count_parameters(model), "step_s": wall, "cpu_s": cpu,
            "samples_per_s": batch_size / wall, "peak_mib": _peak_mib(device)}


def run(args: argparse.Namespace) -> int:
    """Run V1 and print the table (and ``--json``)."""
    from qhep_contrast.training import configure_threads

    threads = configure_threads(args.threads)
    device = torch.device(args.device)
    tokens = (args.image_size // 4) * (args.image_size // 8)
    print(f"V1 qvit training step: batch {args.batch_size}, 1x{args.image_size}x{args.image_size} images, {tokens} "
          f"tokens, readout {args.readout}; {device}, {threads} torch threads, load average "
          f"{os.getloadavg()[0]:.2f}")
    common = {"batch_size": args.batch_size, "image_size": args.image_size, "readout": args.readout,
              "repeats": args.repeats, "warmup": args.warmup, "device": device}
    results = {"classical twin": step_timing(True, **common)}
    for simulation in [s.strip() for s in args.simulations.split(",") if s.strip()]:
        results[f"hybrid ({simulation})"] = step_timing(False, simulation=simulation, **common)
    base = results["classical twin"]
    print(f"{'model':<18} {'params':>7} {'step ms':>9} {'cpu ms':>9} {'samples/s':>10} {'peak MiB':>9} {'ratio':>6}")
    for name, r in results.items():
        r["ratio_wall"], r["ratio_cpu"] = r["step_s"] / base["step_s"], r["cpu_s"] / base["cpu_s"]
        print(f"{name:<18} {r['parameters']:>7} {1e3 * r['step_s']:>9.1f} {1e3 * r['cpu_s']:>9.1f} "
              f"{r['samples_per_s']:>10.0f} {r['peak_mib']:>9.0f} {r['ratio_wall']:>5.2f}x")
    print(f"ratio: hybrid / classical step wall time in this run (goal <= 3x); load average after: "
          f"{os.getloadavg()[0]:.2f}")
    write_json(args.json, {"workload": "V1", "batch_size": args.batch_size, "image_size": args.image_size,
                           "readout": args.readout, "threads": threads, "device": str(device),
                           "machine": machine_info(str(device)), "results": results})
    return 0
