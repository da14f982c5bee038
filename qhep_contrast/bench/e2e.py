"""E1, end to end: one training epoch of the default contrastive config on 10,000 16x16 one-channel images.

Workload E1: the default configuration (``runs/configs/simclr_jets.toml``: conv
front-end -> 8-qubit W1-style circuit on the exact engine -> projection head -> NT-Xent, AdamW) trained
for one epoch on synthetic jet-like images ``(1, 16, 16)`` (seeded, sparse, exponentially distributed
"energies"), including the two-view augmentation, data loading, forward, backward and optimizer step.
The same-run baseline is the parameter-matched classical twin (the quantum layer replaced by an MLP)
on the same data and schedule, so the ratio isolates the cost of the quantum layer.

Reported: images/s over the whole epoch (one image = one sample with its two views), the median step time
after ``--warmup`` steps, and the split between data preparation (augmentation, batching; shared by the
models) and compute. The models train interleaved, step by step on the same batches, so that both see the
same machine load.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from qhep_contrast.bench._timing import write_json

__all__ = ["add_arguments", "run", "synthetic_images", "epoch_timing"]

_DEFAULT_CONFIG = Path("runs/configs/simclr_jets.toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench e2e``."""
    parser.add_argument("--config", type=Path, default=_DEFAULT_CONFIG,
                        help=f"training configuration (default: {_DEFAULT_CONFIG}; built-in defaults if missing)")
    parser.add_argument("--images", type=int, default=10_000, help="images in the epoch (default 10000)")
    parser.add_argument("--batch-size", type=int, default=0, help="training batch size (0: the config's)")
    parser.add_argument("--warmup", type=int, default=3, help="steps excluded from the median step time")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: every available core)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the classical-twin baseline epoch")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")


def synthetic_images(n: int, seed: int = 0, size: int = 16) -> np.ndarray:
    """``(n, 1, size, size)`` float32 jet-like images: ~15% non-zero pixels, exponential energies
    concentrated towards the centre, normalised to a maximum of 1 per image."""
    rng = np.random.default_rng(seed)
    grid = np.arange(size) - (size - 1) / 2
    radius = np.hypot(grid[:, None], grid[None, :])
    occupancy = 0.4 * np.exp(-radius / 4.0)
    hits = rng.random((n, size, size)) < occupancy
    energy = rng.exponential(1.0, (n, size, size)) * np.exp(-radius / 3.0) * hits
    peak = energy.reshape(n, -1).max(axis=1)
    return (energy / np.where(peak > 0, peak, 1.0)[:, None, None]).astype(np.float32)[:, None]


def _trainer(config: Any, image_shape: tuple[int, ...]) -> tuple[Any, Any, Any]:
    from qhep_contrast.experiment import build_model, build_objective, build_optimizer

    model = build_model(config, cast("tuple[int, int, int]", image_shape))
    return model, build_objective(config), build_optimizer(model, config.optimizer)


def epoch_timing(configs: dict[str, Any], images: np.ndarray, warmup: int) -> dict[str, dict[str, float]]:
    """One epoch on ``images`` for every configuration, interleaved step by step on the same batches.

    The views are made once per batch (timed as ``data_s``, shared); then each model takes its training
    step on that batch (its ``compute_s``). Interleaving puts every model under the same machine load, which
    on a shared machine matters more than anything else for the ratio. A model's images/s is
    ``N / (data_s + compute_s)``: what a training epoch of that model alone would take.
    """
    from torch.utils.data import DataLoader

    from qhep_contrast.data import InMemoryImageDataset, TwoViewDataset
    from qhep_contrast.experiment import make_augment
    from qhep_contrast.training import EpochSampler

    first = next(iter(configs.values()))
    labels = np.zeros(images.shape[0], dtype=np.int64)
    dataset = TwoViewDataset(InMemoryImageDataset(images, labels, 1), make_augment(first.views), first.seed)
    trainers = {name: _trainer(config, tuple(images.shape[1:])) for name, config in configs.items()}
    loader = DataLoader(dataset, batch_size=first.data.batch_size, sampler=EpochSampler(len(dataset), first.seed))
    steps: dict[str, list[float]] = {name: [] for name in configs}
    data_s, batches = 0.0, iter(loader)
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        data_s += time.perf_counter() - t0
        if batch is None:
            break
        for name, (model, objective, optimizer) in trainers.items():
            t1 = time.perf_counter()
            optimizer.zero_grad(set_to_none=True)
            loss, _ = objective(model, batch, torch.device("cpu"))
            loss.backward()
            optimizer.step()
            steps[name].append(time.perf_counter() - t1)
    out = {}
    for name, times in steps.items():
        total = data_s + sum(times)
        out[name] = {"epoch_s": total, "images_per_s": images.shape[0] / total, "data_s": data_s,
                     "compute_s": sum(times), "median_step_s": statistics.median(times[warmup:] or times),
                     "steps": len(times)}
    return out


def _config(path: Path, batch_size: int) -> Any:
    from qhep_contrast.experiment import RunConfig, load_config

    config = load_config(path) if path.is_file() else RunConfig()
    if batch_size:
        config = dataclasses.replace(config, data=config.data.replace(batch_size=batch_size))
    return config


def run(args: argparse.Namespace) -> int:
    """Run E1 and print the table (and ``--json``)."""
    from qhep_contrast.pipeline import twin_config
    from qhep_contrast.training import configure_threads

    threads = configure_threads(args.threads)
    config = _config(args.config, args.batch_size)
    images = synthetic_images(args.images, config.seed)
    print(f"E1 end to end: {args.images} images 1x16x16, batch {config.data.batch_size}, config {args.config}; "
          f"cpu, {threads} torch threads, {torch.__version__}, {platform.machine()}")
    configs = {"hybrid": config} if args.no_baseline else {"hybrid": config, "classical twin": twin_config(config)}
    results = epoch_timing(configs, images, args.warmup)
    print(f"{'model':<16} {'images/s':>9} {'epoch s':>8} {'median step ms':>15} {'data s':>7} {'compute s':>10}")
    for name, r in results.items():
        print(f"{name:<16} {r['images_per_s']:>9.0f} {r['epoch_s']:>8.1f} {1e3 * r['median_step_s']:>15.1f} "
              f"{r['data_s']:>7.1f} {r['compute_s']:>10.1f}")
    if "classical twin" in results:
        ratio = results["hybrid"]["images_per_s"] / results["classical twin"]["images_per_s"]
        print(f"hybrid / classical twin throughput: {ratio:.2f}x (same run)")
    write_json(args.json, {"workload": "E1", "images": args.images, "threads": threads,
                           "batch_size": config.data.batch_size, "torch": torch.__version__, "results": results})
    return 0
