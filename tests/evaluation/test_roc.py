"""ROC curve, AUC and background rejection against scikit-learn, loop references and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from qhep_contrast.evaluation import background_efficiency, background_rejection, roc_auc, roc_curve
from qhep_contrast.evaluation.roc import RocCurve
from qhep_contrast.exceptions import InputValueError, ShapeError


def _data(seed: int, n: int = 300, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    scores = rng.normal(labels * 0.8, 1.0)
    return (np.round(scores, 1) if ties else scores), labels


def _mann_whitney(scores: np.ndarray, labels: np.ndarray) -> float:
    """Loop reference: P(s_sig > s_bkg) + P(tie) / 2 over every signal/background pair."""
    sig, bkg = scores[labels == 1], scores[labels == 0]
    wins = sum(1.0 if s > b else 0.5 if s == b else 0.0 for s in sig for b in bkg)
    return wins / (sig.size * bkg.size)


def _polyline_eps_b(curve: RocCurve, eps_s: float) -> float:
    """Loop reference: walk the segments; the first point of the curve at signal efficiency eps_s."""
    for (f0, t0), (f1, t1) in zip(zip(curve.fpr, curve.tpr), zip(curve.fpr[1:], curve.tpr[1:])):
        if t0 == eps_s:
            return f0
        if t0 < eps_s <= t1:
            return f0 + (eps_s - t0) * (f1 - f0) / (t1 - t0)
    raise AssertionError("not reached")


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_curve_and_auc_match_sklearn_and_loop(seed, ties):
    scores, labels = _data(seed, ties=ties)
    fpr, tpr, thresholds = roc_curve(scores, labels)
    sk_fpr, sk_tpr, sk_thr = sk_roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thresholds[1:], sk_thr[1:])
    auc = roc_auc(scores, labels)
    assert auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert auc == pytest.approx(_mann_whitney(scores, labels), abs=1e-12)


@pytest.mark.parametrize("ties", [False, True])
def test_background_efficiency_matches_polyline_walk(ties):
    scores, labels = _data(3, ties=ties)
    curve = roc_curve(scores, labels)
    for eps_s in (0.05, 0.3, 0.5, 0.77, 1.0, *curve.tpr[1:6]):
        assert background_efficiency(curve, eps_s) == pytest.approx(_polyline_eps_b(curve, eps_s), abs=1e-12)


def test_closed_forms():
    labels = np.array([0, 0, 0, 1, 1, 1])
    separable = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    curve = roc_curve(separable, labels)
    assert roc_auc(separable, labels) == 1.0
    assert background_efficiency(curve, 0.3) == 0.0 and math.isinf(background_rejection(curve, 0.3))
    assert background_rejection(curve, 1.0) == math.inf  # all signal kept, still no background
    assert roc_auc(-separable, labels) == 0.0
    assert background_rejection(roc_curve(-separable, labels), 0.5) == 1.0  # every background passes first
    constant = np.zeros(6)
    assert roc_auc(constant, labels) == 0.5  # one threshold group: the diagonal
    assert background_efficiency(roc_curve(constant, labels), 0.3) == pytest.approx(0.3)
    # a vertical step then a horizontal one: eps_S = 0.5 is reached at eps_B = 0 (lower end of the step)
    step = RocCurve(np.array([0.0, 0.0, 0.5, 1.0]), np.array([0.0, 0.5, 0.5, 1.0]), np.zeros(4))
    assert background_efficiency(step, 0.5) == 0.0 and background_efficiency(step, 0.75) == 0.75


def test_errors():
    with pytest.raises(InputValueError, match="both signal"):
        roc_curve(np.array([0.1, 0.2]), np.array([1, 1]))
    with pytest.raises(InputValueError, match="NaN"):
        roc_curve(np.array([np.nan, 0.2]), np.array([0, 1]))
    with pytest.raises(InputValueError, match="0 \\(background\\) or 1"):
        roc_curve(np.array([0.1, 0.2]), np.array([0, 2]))
    with pytest.raises(ShapeError):
        roc_curve(np.zeros(3), np.zeros(2))
    with pytest.raises(InputValueError, match="\\[0, 1\\]"):
        background_efficiency(roc_curve(np.array([0.1, 0.2]), np.array([0, 1])), 1.5)
