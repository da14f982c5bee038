"""How separable the SYNTHETIC e/gamma toy is with classical shower-shape variables.

Usage (from the repository root; ``PYTHONPATH=.`` unless the package is installed)::

    PYTHONPATH=. python scripts/egamma_separation_check.py [FILE.h5] [--n 20000] [--seed 1] [--json]

Without a file, ``--n`` showers are simulated with the default toy settings and the same seeding as
``qhep data generate-egamma``. Shower shapes from the energy channel (seed crystal at (16, 16)):
``E1/E``, ``E9/E`` (R9), ``E25/E``, the energy-weighted eta and phi RMS in the 5x5 window, the phi
centroid offset ``|<dphi>|``, the energy outside ``|dphi| <= 2`` in a 3-crystal eta strip, the number of
read-out crystals and ``log E``. Reports the test ROC AUC (50/50 split) of a logistic regression (linear)
and of gradient-boosted trees on the same variables, and each variable's own AUC.
"""

from __future__ import annotations

import argparse
import json
import sys

import h5py
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from qhep_contrast.data.generators.egamma_generation import EGAMMA_BATCH, egamma_labels
from qhep_contrast.data.generators.egamma_toy import simulate_egamma

NAMES = ("E1/E", "E9/E", "E25/E", "sigma_eta", "sigma_phi", "|<dphi>|", "phi_outside", "n_crystals", "log_E")


def shower_shapes(energy: np.ndarray) -> np.ndarray:
    """``(N, 9)`` shower-shape variables (``NAMES``) of ``(N, 32, 32)`` energy images."""
    e = energy.astype(np.float64)
    total = e.sum(axis=(1, 2))
    window = e[:, 14:19, 14:19]
    w = window / window.sum(axis=(1, 2), keepdims=True)
    g = np.arange(5) - 2.0
    mean_eta, mean_phi = (w.sum(axis=2) * g).sum(axis=1), (w.sum(axis=1) * g).sum(axis=1)
    sigma_eta = np.sqrt((w.sum(axis=2) * (g - mean_eta[:, None]) ** 2).sum(axis=1))
    sigma_phi = np.sqrt((w.sum(axis=1) * (g - mean_phi[:, None]) ** 2).sum(axis=1))
    strip = e[:, 15:18, :].sum(axis=1)
    outside = (strip.sum(axis=1) - strip[:, 14:19].sum(axis=1)) / total
    return np.stack([e[:, 16, 16] / total, e[:, 15:18, 15:18].sum(axis=(1, 2)) / total, window.sum(axis=(1, 2)) / total,
                     sigma_eta, sigma_phi, np.abs(mean_phi), outside, (e > 0).sum(axis=(1, 2)), np.log(total)], axis=1)


def _load(path: str | None, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if path:
        with h5py.File(path, "r") as f:
            return f["X"][:, :, :, 0], f["y"][:]
    parts = []
    for b, first in enumerate(range(0, n, EGAMMA_BATCH)):
        rng = np.random.default_rng([seed, b])
        parts.append(simulate_egamma(rng, egamma_labels(rng, min(EGAMMA_BATCH, n - first))))
    return np.concatenate([p["X"][..., 0] for p in parts]), np.concatenate([p["y"] for p in parts])


def run_check(path: str | None, n: int = 20000, seed: int = 1) -> dict[str, float]:
    """AUCs of linear and boosted classifiers on shower shapes (see the module docstring)."""
    energy, y = _load(path, n, seed)
    features = shower_shapes(energy)
    order = np.random.default_rng(seed).permutation(len(y))
    train, test = order[: len(y) // 2], order[len(y) // 2:]
    scaler = StandardScaler().fit(features[train])
    linear = LogisticRegression(max_iter=2000).fit(scaler.transform(features[train]), y[train])
    trees = HistGradientBoostingClassifier(random_state=seed).fit(features[train], y[train])
    result = {"n": float(len(y)),
              "auc_linear": float(roc_auc_score(y[test], linear.decision_function(scaler.transform(features[test])))),
              "auc_boosted_trees": float(roc_auc_score(y[test], trees.predict_proba(features[test])[:, 1]))}
    for i, name in enumerate(NAMES):
        auc = float(roc_auc_score(y[test], features[test, i]))
        result[f"auc[{name}]"] = max(auc, 1.0 - auc)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="e/gamma HDF5 file (default: simulate --n showers)")
    parser.add_argument("--n", type=int, default=20000, help="showers to simulate without a file (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="simulation and split seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    result = run_check(args.file, args.n, args.seed)
    print(json.dumps(result) if args.json else "\n".join(f"{k:>20}: {v:.4f}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
