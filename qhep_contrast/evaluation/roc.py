"""ROC curve, its area, and background rejection at fixed signal efficiency.

Conventions: label 1 is the signal (quark, electron, the second selected digit), a higher score means
more signal-like. ``tpr`` is the signal efficiency ``eps_S``, ``fpr`` the background efficiency ``eps_B``.

* :func:`roc_curve`: one point per distinct score threshold (samples with equal scores enter together),
  from ``(0, 0)`` to ``(1, 1)``.
* :func:`roc_auc`: trapezoidal area under that curve, which equals the Mann-Whitney probability
  ``P(s_signal > s_background) + P(tie) / 2``.
* :func:`background_rejection`: ``1 / eps_B`` at signal efficiency ``eps_S``, with ``eps_B`` read off the
  piecewise-linear ROC curve: the smallest background efficiency at which the curve reaches ``eps_S``
  (on a vertical step, the lower end; between two points, linear interpolation, i.e. randomising between
  the two neighbouring thresholds). ``eps_B = 0`` gives ``inf`` (no background passes the cut), as for
  perfectly separated classes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from qhep_contrast.exceptions import InputValueError, ShapeError

__all__ = ["RocCurve", "roc_curve", "roc_auc", "background_efficiency", "background_rejection"]


class RocCurve(NamedTuple):
    """ROC points: ``fpr`` (eps_B), ``tpr`` (eps_S) and the score ``thresholds`` (``inf`` first), each
    ``(K,)``, both efficiencies non-decreasing from 0 to 1."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    if s.ndim != 1 or y.shape != s.shape:
        raise ShapeError(f"scores and labels must be 1-D of the same length, got {s.shape} and {y.shape}.")
    if not np.isfinite(s).all():
        raise InputValueError("scores contain NaN or inf; a ROC curve needs finite scores.")
    if not np.isin(y, (0, 1)).all():
        raise InputValueError(f"labels must be 0 (background) or 1 (signal), got values {np.unique(y)[:5]}.")
    y = y.astype(bool)
    if y.all() or not y.any():
        raise InputValueError("a ROC curve needs both signal (1) and background (0) samples; got only one class.")
    return s, y


def roc_curve(scores: np.ndarray, labels: np.ndarray) -> RocCurve:
    """ROC curve of ``scores`` ``(N,)`` for binary ``labels`` ``(N,)`` (see the module docstring).

    Raises:
        ShapeError: mismatched or non-1-D inputs.
        InputValueError: non-finite scores, labels other than 0/1, or a single class.
    """
    s, y = _check(scores, labels)
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order]
    last_of_group = np.r_[np.flatnonzero(np.diff(s_sorted)), s.size - 1]
    tp = np.cumsum(y_sorted)[last_of_group]
    fp = np.cumsum(~y_sorted)[last_of_group]
    tpr = np.r_[0.0, tp / y.sum()]
    fpr = np.r_[0.0, fp / (~y).sum()]
    return RocCurve(fpr, tpr, np.r_[np.inf, s_sorted[last_of_group]])


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under :func:`roc_curve` (trapezoidal), in ``[0, 1]``."""
    fpr, tpr, _ = roc_curve(scores, labels)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def background_efficiency(curve: RocCurve, signal_efficiency: float) -> float:
    """Smallest ``eps_B`` at which the piecewise-linear ROC curve reaches ``eps_S = signal_efficiency``.

    Raises:
        InputValueError: ``signal_efficiency`` outside ``[0, 1]``.
    """
    target = float(signal_efficiency)
    if not 0.0 <= target <= 1.0:
        raise InputValueError(f"signal efficiency must be in [0, 1], got {signal_efficiency}.")
    fpr, tpr = curve.fpr, curve.tpr
    k = int(np.searchsorted(tpr, target, side="left"))  # first point with tpr >= target
    if tpr[k] == target or k == 0:
        return float(fpr[k])
    slope = (fpr[k] - fpr[k - 1]) / (tpr[k] - tpr[k - 1])
    return float(fpr[k - 1] + (target - tpr[k - 1]) * slope)


def background_rejection(curve: RocCurve, signal_efficiency: float) -> float:
    """``1 / eps_B`` at ``signal_efficiency`` (see :func:`background_efficiency`); ``inf`` when ``eps_B = 0``."""
    eps_b = background_efficiency(curve, signal_efficiency)
    return float("inf") if eps_b == 0.0 else 1.0 / eps_b
