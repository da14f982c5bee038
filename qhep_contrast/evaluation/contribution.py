"""How much of a trained circuit's output is a linear function of the untrained circuit's output.

If the outputs ``Y`` of the trained circuit on the test images are (almost) an affine map of the outputs
``X`` of the same circuit at its initial weights, training the circuit added nothing a linear layer after
an untrained circuit could not add. The affine map is fitted by least squares on the training images and
scored on the test images:

    R^2 = 1 - sum_{i,k} (Y_ik - Yhat_ik)^2 / sum_{i,k} (Y_ik - mean_i Y_ik)^2

(the variance-weighted R^2 over output columns, as ``sklearn.metrics.r2_score(...,
multioutput="variance_weighted")``).
"""

from __future__ import annotations

import numpy as np

from qhep_contrast.exceptions import ShapeError

__all__ = ["linear_r2"]


def linear_r2(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> float:
    """Test-set R^2 of the least-squares affine map ``x -> y`` fitted on the training rows.

    Args:
        train_x, test_x: ``(N, p)`` and ``(M, p)`` predictors (e.g. reset-circuit outputs).
        train_y, test_y: ``(N, k)`` and ``(M, k)`` targets (e.g. trained-circuit outputs).

    Returns:
        The variance-weighted R^2 (1: exactly affine; NaN when the test targets have no variance).
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in (train_x, train_y, test_x, test_y)]
    tx, ty, vx, vy = (a.reshape(a.shape[0], -1) for a in arrays)
    if tx.shape[0] != ty.shape[0] or vx.shape[0] != vy.shape[0] or tx.shape[1] != vx.shape[1]:
        raise ShapeError(f"linear_r2: shapes {tx.shape} -> {ty.shape} (train) and {vx.shape} -> {vy.shape} (test) "
                         "do not pair up.")
    design = np.hstack([tx, np.ones((tx.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(design, ty, rcond=None)
    prediction = np.hstack([vx, np.ones((vx.shape[0], 1))]) @ coef
    total = float(((vy - vy.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        return float("nan")
    return 1.0 - float(((vy - prediction) ** 2).sum()) / total
