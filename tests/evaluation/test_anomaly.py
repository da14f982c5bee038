"""Anomaly metrics against scikit-learn, the balanced test set, the score histograms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from qhep_contrast.evaluation.anomaly import anomaly_metrics, balanced_indices, plot_score_histograms
from qhep_contrast.evaluation.auc_error import auc_standard_error
from qhep_contrast.exceptions import InputValueError


@pytest.mark.parametrize("normal_class", [0, 1])
def test_anomaly_auc_equals_sklearn_roc_auc_score(normal_class: int) -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 600)
    scores = rng.normal(size=600) + 0.7 * (labels != normal_class)
    scores[:50] = np.round(scores[:50], 1)  # ties
    result = anomaly_metrics(scores, labels, normal_class)
    truth = (labels != normal_class).astype(int)
    assert result.values["anomaly_auc"] == pytest.approx(roc_auc_score(truth, scores), abs=1e-12)
    assert 0.6 < result.values["anomaly_auc"] < 0.8  # the test can fail: a real separation is measured
    n_a, n_n = int(truth.sum()), int((1 - truth).sum())
    assert result.values["anomaly_auc_error"] == pytest.approx(auc_standard_error(result.values["anomaly_auc"], n_a, n_n))
    assert (result.values["n_anomaly"], result.values["n_normal"]) == (n_a, n_n)


def test_rejection_is_one_over_the_background_efficiency_at_the_cut() -> None:
    rng = np.random.default_rng(1)
    labels = np.r_[np.zeros(400, int), np.ones(400, int)]
    scores = rng.normal(size=800) + labels  # class 1 anomalous when class 0 is normal
    values = anomaly_metrics(scores, labels, 0, (0.5,)).values
    cut = np.sort(scores[labels == 1])[::-1][199]  # the 200th of 400 anomalies: eps_S = 0.5 exactly
    expected = 1.0 / np.mean(scores[labels == 0] >= cut)
    assert values["anomaly_rejection_0.5"] == pytest.approx(expected, rel=1e-12)
    assert values["score_mean_class_1"] > values["score_mean_class_0"]


def test_balanced_indices_take_the_smaller_class_count() -> None:
    labels = np.r_[np.zeros(30, int), np.ones(12, int)]
    keep = balanced_indices(labels, seed=3)
    assert np.bincount(labels[keep]).tolist() == [12, 12]
    assert np.array_equal(keep, np.sort(keep)) and len(set(keep.tolist())) == 24
    assert np.array_equal(keep, balanced_indices(labels, seed=3))


def test_one_class_only_is_refused() -> None:
    with pytest.raises(InputValueError, match="normal class"):
        anomaly_metrics(np.arange(4.0), np.ones(4, int), 1)


def test_score_histograms_are_written(tmp_path: Path) -> None:
    path = plot_score_histograms({"quark": np.random.rand(50), "gluon": np.random.rand(50) + 0.2}, tmp_path / "h.png")
    assert path.is_file() and path.stat().st_size > 1000
