"""SQAE training step: samples/s of one forward, backward and Adam step of the 9-qubit SQAE on the exact engine.

The SQAE (:class:`~qhep_contrast.models.sqae.SQAE`: 12x12 images, 576 weights at 2 DRCs, fidelity
``<r|rho_trash|r>`` read from the 9-qubit statevector) takes training steps of ``mean (1 - F)^2`` on random
``(B, 1, 12, 12)`` images at each batch size. Reported per batch size: median wall and CPU seconds per step
and samples/s, and the speed-up over the published reference of 4 s per step at batch 30 (PennyLane
``lightning.qubit`` with adjoint gradients on the 15-qubit swap test, i.e. 7.5 samples/s).
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import torch

from qhep_contrast.bench._timing import median_wall_and_cpu, write_json

__all__ = ["add_arguments", "run", "PUBLISHED_SAMPLES_PER_S"]

PUBLISHED_SAMPLES_PER_S = 30 / 4.0
"""The published SQAE training speed: batch 30 in 4 s per step."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench sqae``."""
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 512], help="default: 64 512")
    parser.add_argument("--repeats", type=int, default=10, help="timed steps per batch size (default 10)")
    parser.add_argument("--drcs", type=int, default=2, help="re-upload blocks (default 2: 576 weights)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: every available core)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")


def run(args: argparse.Namespace) -> int:
    """Time the SQAE training step at each batch size and print the table (and ``--json``)."""
    from qhep_contrast.models.sqae import SQAE
    from qhep_contrast.training import configure_threads

    threads = configure_threads(args.threads)
    model = SQAE(drcs=args.drcs, seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    print(f"SQAE training step: 9 data qubits, {sum(p.numel() for p in model.parameters())} weights, exact engine; "
          f"cpu, {threads} torch threads, torch {torch.__version__}, {platform.machine()}")
    print(f"{'batch':>6} {'wall ms/step':>13} {'cpu ms/step':>12} {'samples/s':>10} {'x published':>12}")
    rows = []
    for batch in args.batch_sizes:
        images = torch.rand(batch, 1, 12, 12, generator=torch.Generator().manual_seed(batch))

        def step(images: torch.Tensor = images) -> None:
            optimizer.zero_grad(set_to_none=True)
            loss = model(images).square().mean()
            loss.backward()
            optimizer.step()

        wall, cpu = median_wall_and_cpu(step, args.repeats, warmup=2)
        rate = batch / wall
        rows.append({"batch_size": batch, "wall_s": wall, "cpu_s": cpu, "samples_per_s": rate,
                     "speedup_vs_published": rate / PUBLISHED_SAMPLES_PER_S})
        print(f"{batch:>6} {1e3 * wall:>13.1f} {1e3 * cpu:>12.1f} {rate:>10.0f} {rate / PUBLISHED_SAMPLES_PER_S:>11.0f}x")
    print(f"published: 4 s per step at batch 30 = {PUBLISHED_SAMPLES_PER_S} samples/s")
    write_json(args.json, {"workload": "sqae", "threads": threads, "drcs": args.drcs, "torch": torch.__version__,
                           "published_samples_per_s": PUBLISHED_SAMPLES_PER_S, "results": rows})
    return 0
