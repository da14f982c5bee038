"""Figures of a run: ROC curves, loss curves, 2-D embeddings, fidelity histograms.

Figures are drawn with matplotlib's object API (``Figure`` + Agg canvas), so no global backend or
pyplot state is touched and plotting works headless. Each function writes one PNG and returns its path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from qhep_contrast.evaluation.roc import RocCurve

__all__ = ["plot_roc", "plot_loss_curves", "plot_embedding", "plot_fidelity_histograms", "project_2d"]


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def plot_roc(curves: Mapping[str, RocCurve], path: Path, title: str = "") -> Path:
    """Background rejection ``1/eps_B`` against signal efficiency ``eps_S`` (log scale), one line per curve,
    plus the plain ROC (``eps_S`` against ``eps_B``) beside it; ``title`` (model, signal class, N) on top."""
    fig = Figure(figsize=(9, 4.4))
    if title:
        fig.suptitle(title, fontsize=9)
    left, right = fig.subplots(1, 2)
    for name, curve in curves.items():
        right.plot(curve.fpr, curve.tpr, label=name)
        keep = curve.fpr > 0
        left.plot(curve.tpr[keep], 1.0 / curve.fpr[keep], label=name)
    right.plot([0, 1], [0, 1], ls=":", c="grey", label="random")
    right.set(xlabel="background efficiency eps_B", ylabel="signal efficiency eps_S", title="ROC")
    left.set(xlabel="signal efficiency eps_S", ylabel="background rejection 1/eps_B", yscale="log",
             title="background rejection")
    for ax in (left, right):
        ax.legend(fontsize=8)
    return _save(fig, path)


def plot_loss_curves(history: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Training and validation loss per epoch; the best epoch is marked."""
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    epochs = [r["epoch"] for r in history]
    ax.plot(epochs, [r["train_loss"] for r in history], marker="o", label="train")
    ax.plot(epochs, [r["val_loss"] for r in history], marker="o", label="validation")
    best = [r for r in history if r.get("improved")]
    if best:
        ax.axvline(best[-1]["epoch"], ls=":", c="grey", label=f"best (epoch {best[-1]['epoch']})")
    ax.set(xlabel="epoch", ylabel="loss", title="loss curves")
    ax.legend(fontsize=8)
    return _save(fig, path)


def project_2d(features: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """``(N, 2)`` projection of ``(N, D)`` features by PCA or t-SNE (``method="tsne"``, slower)."""
    if features.shape[1] < 2:
        return np.column_stack([features[:, 0], np.zeros(features.shape[0])])
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (features.shape[0] - 1) / 3)))
        return TSNE(2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(features)
    return PCA(2, random_state=seed).fit_transform(features)


def plot_embedding(points: np.ndarray, labels: np.ndarray, path: Path, class_names: Sequence[str] = (),
                   title: str = "embedding (PCA)") -> Path:
    """Scatter of ``(N, 2)`` points coloured by class."""
    fig = Figure(figsize=(5, 4.5))
    ax = fig.subplots()
    for c in np.unique(labels):
        name = class_names[c] if c < len(class_names) else str(c)
        mask = labels == c
        ax.scatter(points[mask, 0], points[mask, 1], s=6, alpha=0.6, label=name)
    ax.set(xlabel="component 1", ylabel="component 2", title=title)
    ax.legend(fontsize=8, markerscale=2)
    return _save(fig, path)


def plot_fidelity_histograms(positive: np.ndarray, negative: np.ndarray, path: Path) -> Path:
    """Histograms of same-class and different-class pair fidelities on ``[0, 1]``."""
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    bins = np.linspace(0.0, 1.0, 41).tolist()
    ax.hist(positive, bins=bins, alpha=0.6, density=True, label=f"same class (mean {positive.mean():.3f})")
    ax.hist(negative, bins=bins, alpha=0.6, density=True, label=f"different class (mean {negative.mean():.3f})")
    ax.set(xlabel="fidelity |<psi_a|psi_b>|^2", ylabel="density", title="pair fidelities (test split)")
    ax.legend(fontsize=8)
    return _save(fig, path)
