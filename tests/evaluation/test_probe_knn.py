"""kNN against scikit-learn and a loop reference; linear probe on separable and multi-class data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from qhep_contrast.evaluation import embedding_metrics, knn_evaluate, knn_probabilities, linear_probe
from qhep_contrast.exceptions import ConfigError, ShapeError


def _blobs(seed: int, n: int, d: int = 5, classes: int = 2, shift: float = 1.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, d) + shift * y[:, None]
    return x, y


@pytest.mark.parametrize("classes", [2, 3])
def test_knn_matches_sklearn(classes):
    x, y = _blobs(0, 200, classes=classes)
    xt, yt = _blobs(1, 80, classes=classes)
    ours = knn_probabilities(x, y, xt, 7, classes, block=32)
    scaler = StandardScaler().fit(x)
    ref = KNeighborsClassifier(7).fit(scaler.transform(x), y)
    np.testing.assert_allclose(ours, ref.predict_proba(scaler.transform(xt)), atol=1e-12)
    result = knn_evaluate(x, y, xt, yt, k=7)
    assert result.accuracy == pytest.approx(ref.score(scaler.transform(xt), yt))


def test_knn_loop_reference():
    x, y = _blobs(2, 40, d=3)
    xt, _ = _blobs(3, 10, d=3)
    mean, std = x.mean(0), x.std(0)
    zs, zt = (x - mean) / std, (xt - mean) / std
    expected = []
    for row in zt:
        dist = [float(np.sqrt(((row - r) ** 2).sum())) for r in zs]
        nearest = sorted(range(len(dist)), key=dist.__getitem__)[:5]
        expected.append(sum(y[i] for i in nearest) / 5)
    np.testing.assert_allclose(knn_probabilities(x, y, xt, 5, 2)[:, 1], expected, atol=1e-12)


def test_knn_errors_and_capped_k():
    x, y = _blobs(0, 10)
    with pytest.raises(ConfigError, match="k <= 10"):
        knn_probabilities(x, y, x, 11, 2)
    with pytest.raises(ShapeError):
        knn_probabilities(x, y, x[:, :2], 3, 2)
    assert knn_evaluate(x, y, x, y, k=50).k == 10


def test_linear_probe_separable_and_multiclass():
    x, y = _blobs(0, 200, shift=20.0)
    xt, yt = _blobs(1, 100, shift=20.0)
    result = linear_probe(x, y, xt, yt)
    assert result.auc == 1.0 and result.accuracy == 1.0 and result.converged and result.scores.shape == (100,)
    x3, y3 = _blobs(2, 300, classes=3, shift=20.0)
    multi = linear_probe(x3, y3, x3, y3)
    assert multi.auc is None and multi.accuracy > 0.95 and multi.scores.shape == (300, 3)
    with pytest.raises(ShapeError):
        linear_probe(x, y[:-1], xt, yt)


def test_embedding_metrics_separable_gives_infinite_rejection():
    x, y = _blobs(0, 200, shift=20.0)
    xt, yt = _blobs(1, 100, shift=20.0)
    metrics = embedding_metrics(x, y, xt, yt, knn_k=5, efficiencies=(0.3, 0.5))
    assert metrics.values["probe_auc"] == 1.0 and metrics.values["knn_auc"] == 1.0
    assert metrics.values["probe_rejection"] == {"0.3": float("inf"), "0.5": float("inf")}
    assert set(metrics.curves) == {"probe", "knn"}
