"""Physics check of a generated quark/gluon file: a small classical CNN and single-variable baselines.

Usage::

    python scripts/qg_physics_check.py /work/data/qg_20k_seed20260.h5 [--pixels 16] [--epochs 15] [--json]

Splits the file 60/20/20 (train/validation/test, seeded), sum-pools the images to ``--pixels`` per side
(default 16, the resolution the project trains on; pooling 32 -> 16 gives exactly the image the generator
writes with ``--pixels 16``), preprocesses them as Komiske, Metodiev and Schwartz, JHEP 01 (2017) 110
(each image divided by its total pT, then every pixel and channel standardised with training
statistics), trains a three-layer CNN with Adam and random eta and phi reflections of each training image
(symmetries of the sample), keeps the epoch with the best validation AUC and reports its test ROC AUC. Baselines on the same test split: constituent multiplicity
``n_particles``, charged multiplicity (from ``particle_charge``, if stored) and jet mass ``m0``; a baseline
AUC is ``max(AUC, 1 - AUC)`` (gluon jets have more constituents, so multiplicity scores gluon-like).
Targets for the default recipe: CNN >= 0.82, multiplicity >= 0.78.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import h5py
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC, direction-free: ``max(AUC, 1 - AUC)``."""
    value = float(roc_auc_score(y, score))
    return max(value, 1.0 - value)


def _load(path: str) -> dict[str, np.ndarray]:
    with h5py.File(path, "r") as f:
        data = {k: f[k][:] for k in ("X_jets", "y", "n_particles", "m0") if k in f}
        if "particle_charge" in f:
            data["n_charged"] = (f["particle_charge"][:] != 0).sum(axis=1)
    return data


def _split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    a, b = int(0.6 * n), int(0.8 * n)
    return order[:a], order[a:b], order[b:]


def _sum_pool(images: np.ndarray, pixels: int) -> np.ndarray:
    """Sum-pool ``(N, H, H, C)`` images to ``(N, pixels, pixels, C)``; ``pixels`` must divide ``H``."""
    n, side, _, channels = images.shape
    if side % pixels:
        raise SystemExit(f"--pixels {pixels} must divide the file's image size {side}")
    k = side // pixels
    return images.reshape(n, pixels, k, pixels, k, channels).sum(axis=(2, 4))


def _reflect(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Reflect each NCHW image in eta (H) and in phi (W), each with probability 1/2."""
    flips = torch.rand(2, batch.shape[0], 1, 1, 1, generator=generator) < 0.5
    batch = torch.where(flips[0], batch.flip(2), batch)
    return torch.where(flips[1], batch.flip(3), batch)


def _preprocess(images: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Divide by total pT, standardise per pixel/channel with training mean and std; NCHW float32."""
    x = images / np.maximum(images.sum(axis=(1, 2, 3), keepdims=True), 1e-9)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0) + 1e-6
    return np.ascontiguousarray(((x - mean) / std).transpose(0, 3, 1, 2), dtype=np.float32)


def _cnn(channels: int, pixels: int) -> nn.Module:
    side = pixels // 4
    return nn.Sequential(
        nn.Conv2d(channels, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * side * side, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 1),
    )


def _scores(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1024]).squeeze(1) for i in range(0, len(x), 1024)]).numpy()


def train_cnn(x: np.ndarray, y: np.ndarray, split: tuple[np.ndarray, ...], epochs: int, seed: int,
              batch_size: int = 128) -> tuple[float, int, list[float]]:
    """Train; return (test AUC at the best-validation epoch, that epoch, validation AUCs)."""
    torch.manual_seed(seed)
    train, val, test = split
    model = _cnn(x.shape[1], x.shape[2])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))
    generator = torch.Generator().manual_seed(seed)
    best, best_epoch, best_test, history = -1.0, -1, float("nan"), []
    for epoch in range(epochs):
        model.train()
        for batch in torch.from_numpy(train)[torch.randperm(len(train), generator=generator)].split(batch_size):
            optimiser.zero_grad()
            loss_fn(model(_reflect(xt[batch], generator)).squeeze(1), yt[batch]).backward()
            optimiser.step()
        val_auc = float(roc_auc_score(y[val], _scores(model, xt[val])))
        history.append(val_auc)
        if val_auc > best:
            best, best_epoch = val_auc, epoch
            best_test = float(roc_auc_score(y[test], _scores(model, xt[test])))
        print(f"epoch {epoch + 1}/{epochs}: validation AUC {val_auc:.4f}", file=sys.stderr)
    return best_test, best_epoch, history


def run_check(path: str, pixels: int = 16, epochs: int = 15, seed: int = 0, threads: int = 2) -> dict[str, float]:
    """Measure CNN and baseline AUCs on a quark/gluon file (see the module docstring)."""
    torch.set_num_threads(threads)
    start = time.perf_counter()
    data = _load(path)
    y = data["y"].astype(np.int64)
    split = _split(len(y), seed)
    test = split[2]
    result: dict[str, float] = {"n_jets": float(len(y)), "n_test": float(len(test))}
    for name in ("n_particles", "n_charged", "m0"):
        if name in data:
            result[f"auc_{name}"] = _auc(y[test], data[name][test].astype(np.float64))
    x = _preprocess(_sum_pool(data["X_jets"].astype(np.float64), pixels), split[0])
    result["pixels"] = float(pixels)
    result["auc_cnn"], best_epoch, history = train_cnn(x, y, split, epochs, seed)
    result["best_epoch"] = float(best_epoch + 1)
    result["best_val_auc"] = max(history)
    result["seconds"] = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="quark/gluon HDF5 file (X_jets, y, n_particles, ...)")
    parser.add_argument("--pixels", type=int, default=16, help="sum-pool images to this size (default 16)")
    parser.add_argument("--epochs", type=int, default=15, help="training epochs (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="split and training seed (default 0)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    result = run_check(args.file, args.pixels, args.epochs, args.seed, args.threads)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
