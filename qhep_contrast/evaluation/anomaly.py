"""Anomaly-detection metrics: ROC of anomaly scores, AUC with its statistical error, 1/eps_B, histograms.

The class a model was trained on is the background (``normal_class``); every other class is the anomaly,
the "signal" of :mod:`qhep_contrast.evaluation.roc` (a higher score means more anomalous). A balanced test
set (:func:`balanced_indices`) keeps the AUC error symmetric between the two classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from qhep_contrast.evaluation.auc_error import auc_standard_error
from qhep_contrast.evaluation.roc import RocCurve, background_rejection, roc_auc, roc_curve
from qhep_contrast.exceptions import InputValueError, ShapeError

__all__ = ["AnomalyResult", "anomaly_metrics", "balanced_indices", "plot_score_histograms"]


@dataclass(frozen=True)
class AnomalyResult:
    """Metrics of one set of anomaly scores.

    Attributes:
        values: JSON-ready numbers: ``anomaly_auc``, ``anomaly_auc_error`` (Hanley-McNeil),
            ``anomaly_rejection_<eps>`` (``1/eps_B`` at anomaly efficiency ``eps``), counts and per-class
            score means and medians.
        curve: the ROC curve (anomaly = signal).
    """

    values: dict[str, Any]
    curve: RocCurve


def balanced_indices(labels: np.ndarray, seed: int) -> np.ndarray:
    """Sorted indices with the same number of samples of every class present (the smallest class's count).

    Raises:
        ShapeError: ``labels`` is not 1-D.
    """
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ShapeError(f"balanced_indices needs 1-D labels, got shape {y.shape}.")
    classes, counts = np.unique(y, return_counts=True)
    if classes.size == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    keep = [rng.choice(np.flatnonzero(y == c), size=int(counts.min()), replace=False) for c in classes]
    return np.sort(np.concatenate(keep)).astype(np.int64)


def anomaly_metrics(scores: np.ndarray, labels: np.ndarray, normal_class: int,
                    efficiencies: Sequence[float] = (0.3, 0.5)) -> AnomalyResult:
    """ROC, AUC (with error) and background rejections of anomaly ``scores`` against ``labels``.

    Args:
        scores: ``(N,)`` anomaly scores (higher = more anomalous).
        labels: ``(N,)`` class labels.
        normal_class: the label the model was trained on (background); the others are anomalies.
        efficiencies: anomaly efficiencies ``eps_S`` of the ``1/eps_B`` working points.

    Raises:
        ShapeError: mismatched shapes. InputValueError: only one of background/anomaly present, or
            non-finite scores.
    """
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    if s.ndim != 1 or s.shape != y.shape:
        raise ShapeError(f"scores and labels must be 1-D of the same length, got {s.shape} and {y.shape}.")
    anomalous = (y != normal_class).astype(np.int64)
    if anomalous.all() or not anomalous.any():
        raise InputValueError(f"anomaly metrics need images of the normal class {normal_class} and of another class; "
                              f"got labels {sorted(set(y.tolist()))}.")
    curve = roc_curve(s, anomalous)
    auc = roc_auc(s, anomalous)
    n_anomaly, n_normal = int(anomalous.sum()), int((1 - anomalous).sum())
    values: dict[str, Any] = {"anomaly_auc": auc, "anomaly_auc_error": auc_standard_error(auc, n_anomaly, n_normal),
                              "n_test": int(s.size), "n_anomaly": n_anomaly, "n_normal": n_normal,
                              "normal_class": int(normal_class)}
    for eps in efficiencies:
        values[f"anomaly_rejection_{eps:g}"] = background_rejection(curve, eps)
    values["score_variance"], values["score_mean_square"] = float(s.var()), float(np.mean(s * s))
    for c in np.unique(y):
        values[f"score_mean_class_{int(c)}"] = float(s[y == c].mean())
        values[f"score_median_class_{int(c)}"] = float(np.median(s[y == c]))
    return AnomalyResult(values, curve)


def plot_score_histograms(scores: Mapping[str, np.ndarray], path: Path, xlabel: str = "anomaly score",
                          title: str = "") -> Path:
    """One step histogram per class of the anomaly scores (shared bins), written to ``path`` (PNG)."""
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    joined = np.concatenate([np.asarray(v, dtype=np.float64) for v in scores.values()])
    bins = np.histogram_bin_edges(joined, bins=40)
    for name, values in scores.items():
        ax.hist(np.asarray(values, dtype=np.float64), bins=bins.tolist(), histtype="step", density=True, label=name)
    ax.set(xlabel=xlabel, ylabel="density", title=title or "anomaly scores per class")
    ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
