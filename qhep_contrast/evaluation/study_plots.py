"""Figures of a ``qhep compare`` study: per-seed metrics of every model, paired differences to the hybrid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_seed_metrics", "plot_paired_differences"]


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def plot_seed_metrics(metrics: Mapping[str, Mapping[str, Sequence[float]]], path: Path, title: str = "") -> Path:
    """One panel per metric: every seed of every model as a dot, mean +- sd as a bar beside it.

    Args:
        metrics: ``{metric label: {model: per-seed values}}``.
        path: the PNG to write.
        title: figure title (experiment, N_test, seeds).
    """
    fig = Figure(figsize=(4.2 * len(metrics), 4.2))
    if title:
        fig.suptitle(title, fontsize=9)
    axes = np.atleast_1d(fig.subplots(1, len(metrics)))
    for ax, (label, by_model) in zip(axes, metrics.items()):
        for i, values in enumerate(by_model.values()):
            v = np.asarray(values, dtype=np.float64)
            v = v[np.isfinite(v)]
            ax.scatter(np.full(v.size, i) - 0.1, v, s=14, alpha=0.7)
            if v.size:
                ax.errorbar(i + 0.1, v.mean(), yerr=v.std(ddof=1) if v.size > 1 else 0.0, fmt="o", c="k", capsize=4)
        ax.set_xticks(range(len(by_model)), list(by_model), rotation=30, ha="right", fontsize=8)
        ax.set(ylabel=label, title=label)
        ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def plot_paired_differences(differences: Mapping[str, tuple[float, float, float]], path: Path,
                            label: str = "control - hybrid", title: str = "") -> Path:
    """Mean paired difference with its confidence interval per control; zero marked.

    Args:
        differences: ``{control: (mean, low, high)}``.
        path: the PNG to write.
        label: x-axis label (metric and direction).
        title: figure title.
    """
    fig = Figure(figsize=(5.5, 0.6 * len(differences) + 1.6))
    ax = fig.subplots()
    names = list(differences)
    for i, name in enumerate(names):
        mean, low, high = differences[name]
        if np.isfinite(low) and np.isfinite(high):
            ax.errorbar(mean, i, xerr=[[mean - low], [high - mean]], fmt="o", c="k", capsize=4)
        else:
            ax.plot(mean, i, "o", c="k")
    ax.axvline(0.0, ls=":", c="grey")
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set(xlabel=label, title=title or "paired differences to the hybrid (95 % t interval)")
    return _save(fig, path)
