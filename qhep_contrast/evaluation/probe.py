"""Linear probe: logistic regression on standardised frozen embeddings (scikit-learn).

The usual test of a self-supervised representation (e.g. SimCLR, T. Chen et al. 2020, sec. 4): the
encoder is frozen, a linear classifier is fitted on the training split's embeddings and scored on the
test split. Features are standardised with the training split's mean and standard deviation first
(``StandardScaler``), and the classifier is L2-regularised logistic regression with inverse strength
``C``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qhep_contrast.evaluation.roc import roc_auc
from qhep_contrast.exceptions import ShapeError

__all__ = ["ProbeResult", "linear_probe"]


@dataclass(frozen=True)
class ProbeResult:
    """Test-split outcome of a probe.

    Attributes:
        accuracy: fraction of test samples classified correctly.
        auc: ROC AUC of the signal score (binary labels only, else None).
        scores: ``(N_test,)`` signal probabilities (binary) or ``(N_test, K)`` class probabilities.
        converged: the solver converged within its iteration limit.
    """

    accuracy: float
    auc: float | None
    scores: np.ndarray
    converged: bool


def _check(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> None:
    if train_x.ndim != 2 or test_x.ndim != 2 or train_x.shape[1] != test_x.shape[1]:
        raise ShapeError(f"probe features must be (N, D) with the same D, got {train_x.shape} and {test_x.shape}.")
    if train_y.shape != (train_x.shape[0],) or test_y.shape != (test_x.shape[0],):
        raise ShapeError(f"probe labels must be (N,), got {train_y.shape} for {train_x.shape[0]} train and "
                         f"{test_y.shape} for {test_x.shape[0]} test samples.")


def linear_probe(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 c: float = 1.0, max_iter: int = 2000) -> ProbeResult:
    """Fit ``StandardScaler -> LogisticRegression(C=c)`` on the training embeddings, score the test split.

    Args:
        train_x, train_y: ``(N, D)`` features and ``(N,)`` integer labels (at least two classes).
        test_x, test_y: ``(M, D)`` and ``(M,)``.
        c: inverse regularisation strength (> 0).
        max_iter: solver iteration limit (lbfgs).

    Returns:
        A :class:`ProbeResult`; ``auc`` for binary labels, where label 1 is the signal.
    """
    _check(train_x, train_y, test_x, test_y)
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        probe.fit(train_x, train_y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    proba = probe.predict_proba(test_x)
    classes = probe.classes_
    accuracy = float(np.mean(classes[np.argmax(proba, axis=1)] == test_y))
    binary = set(np.unique(np.concatenate([train_y, test_y])).tolist()) <= {0, 1} and len(classes) == 2
    if not binary:
        return ProbeResult(accuracy, None, proba, converged)
    scores = proba[:, 1]
    auc = roc_auc(scores, test_y) if 0 < test_y.sum() < test_y.size else None
    return ProbeResult(accuracy, auc, scores, converged)
