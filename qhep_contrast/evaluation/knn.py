"""k-nearest-neighbour classification on frozen embeddings (batched torch, no Python loop over samples).

Each test embedding takes the labels of its ``k`` nearest training embeddings (Euclidean distance after
standardising every feature with the training split's mean and standard deviation); the class
probabilities are the neighbour fractions (uniform weights), the prediction is the most frequent class
(ties: the smaller label), and for binary labels the signal score is the fraction of signal neighbours.
This matches ``sklearn.neighbors.KNeighborsClassifier(k)`` on standardised features (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from qhep_contrast.evaluation.roc import roc_auc
from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["KNNResult", "knn_probabilities", "knn_evaluate"]


@dataclass(frozen=True)
class KNNResult:
    """Test-split outcome of kNN: ``accuracy``, ``auc`` (binary only, else None), ``scores`` (signal
    fractions ``(M,)`` for binary labels, else class fractions ``(M, K)``) and ``k``."""

    accuracy: float
    auc: float | None
    scores: np.ndarray
    k: int


def _standardise(train_x: np.ndarray, test_x: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    mean, std = train_x.mean(axis=0), train_x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return torch.from_numpy((train_x - mean) / std), torch.from_numpy((test_x - mean) / std)


def knn_probabilities(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, k: int,
                      num_classes: int, block: int = 1024) -> np.ndarray:
    """Neighbour class fractions ``(M, num_classes)`` of every test row (see the module docstring).

    Args:
        train_x, train_y: ``(N, D)`` float features and ``(N,)`` labels in ``0 .. num_classes - 1``.
        test_x: ``(M, D)``.
        k: neighbours, ``1 <= k <= N``.
        num_classes: number of classes.
        block: test rows per distance block (bounds memory to ``block x N`` distances).
    """
    if train_x.ndim != 2 or test_x.ndim != 2 or train_x.shape[1] != test_x.shape[1]:
        raise ShapeError(f"kNN features must be (N, D) with the same D, got {train_x.shape} and {test_x.shape}.")
    if not 1 <= k <= train_x.shape[0]:
        raise ConfigError(f"kNN needs 1 <= k <= {train_x.shape[0]} (training samples), got k = {k}.")
    train, test = _standardise(np.asarray(train_x, np.float64), np.asarray(test_x, np.float64))
    onehot = torch.nn.functional.one_hot(torch.as_tensor(train_y, dtype=torch.int64), num_classes).double()
    out = []
    for start in range(0, test.shape[0], block):
        dist = torch.cdist(test[start:start + block], train)
        nearest = dist.topk(k, dim=1, largest=False).indices
        out.append(onehot[nearest].mean(dim=1))
    return torch.cat(out).numpy() if out else np.zeros((0, num_classes))


def knn_evaluate(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 k: int = 15) -> KNNResult:
    """kNN accuracy (and, for binary labels, ROC AUC of the signal fraction) on the test split.

    ``k`` is capped at the number of training samples.
    """
    num_classes = int(max(train_y.max(), test_y.max())) + 1
    k = min(int(k), train_x.shape[0])
    proba = knn_probabilities(train_x, train_y, test_x, k, num_classes)
    accuracy = float(np.mean(np.argmax(proba, axis=1) == test_y))
    if num_classes != 2:
        return KNNResult(accuracy, None, proba, k)
    scores = proba[:, 1]
    auc = roc_auc(scores, test_y) if 0 < test_y.sum() < test_y.size else None
    return KNNResult(accuracy, auc, scores, k)
