"""All frozen-embedding metrics of one model in one call: linear probe, kNN, rejection working points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qhep_contrast.evaluation.knn import knn_evaluate
from qhep_contrast.evaluation.probe import linear_probe
from qhep_contrast.evaluation.roc import RocCurve, background_rejection, roc_curve

__all__ = ["EmbeddingMetrics", "embedding_metrics"]


@dataclass
class EmbeddingMetrics:
    """Metrics (``values``, JSON-ready) and the ROC curves behind them (``curves``, for plots)."""

    values: dict[str, Any]
    curves: dict[str, RocCurve] = field(default_factory=dict)


def _rejections(curve: RocCurve, efficiencies: Sequence[float]) -> dict[str, float]:
    return {f"{eff:g}": background_rejection(curve, eff) for eff in efficiencies}


def embedding_metrics(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, *,
                      probe_c: float = 1.0, knn_k: int = 15,
                      efficiencies: Sequence[float] = (0.3, 0.5)) -> EmbeddingMetrics:
    """Linear-probe and kNN metrics of test embeddings, with classifiers fitted on training embeddings.

    Returns:
        ``values`` with keys ``probe_accuracy``, ``probe_auc``, ``probe_converged``,
        ``probe_rejection`` (``{"0.3": 1/eps_B, ...}``), ``knn_accuracy``, ``knn_auc``, ``knn_k``,
        ``knn_rejection``, ``n_train``, ``n_test``; AUCs and rejections are None for non-binary labels.
    """
    probe = linear_probe(train_x, train_y, test_x, test_y, c=probe_c)
    knn = knn_evaluate(train_x, train_y, test_x, test_y, k=knn_k)
    values: dict[str, Any] = {"probe_accuracy": probe.accuracy, "probe_auc": probe.auc,
                              "probe_converged": probe.converged, "knn_accuracy": knn.accuracy,
                              "knn_auc": knn.auc, "knn_k": knn.k, "n_train": int(train_x.shape[0]),
                              "n_test": int(test_x.shape[0]), "probe_rejection": None, "knn_rejection": None}
    curves: dict[str, RocCurve] = {}
    for name, result in (("probe", probe), ("knn", knn)):
        if result.auc is not None:
            curves[name] = roc_curve(result.scores, test_y)
            values[f"{name}_rejection"] = _rejections(curves[name], efficiencies)
    return EmbeddingMetrics(values, curves)
