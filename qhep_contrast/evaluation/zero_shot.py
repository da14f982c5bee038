"""Zero-shot cluster accuracy: a classifier trained without labels, scored after aligning clusters to labels.

The predicted cluster of a sample is the argmax of its output distribution. Cluster ids are arbitrary, so
they are matched to the labels by the one-to-one assignment that maximises the number of agreements
(Hungarian algorithm on the confusion matrix; for two classes, the better of "as is" and "swapped"). The
assignment is fitted once on the whole evaluation set and then applied unchanged to every sub-split:
re-fitting it on each small split would let a random classifier score above chance.

Split sizes follow the published QSSL evaluation: for every ``k`` in ``ks`` the accuracy is averaged over
``draws`` stratified random subsets of ``floor(N / k)`` samples (a single pass over all ``N`` samples for
``k = 1``); the reported accuracy is the mean of those per-``k`` averages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.model_selection import train_test_split

from qhep_contrast.exceptions import InputValueError, ShapeError

__all__ = ["SPLIT_SIZES", "ZeroShotResult", "align_clusters", "zero_shot_accuracy"]

SPLIT_SIZES: tuple[int, ...] = (1, 2, 5, 10)
"""The divisors ``k`` of the published evaluation (subsets of ``N / k`` samples)."""


def align_clusters(clusters: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """The cluster -> label map ``m`` (``m[c]`` = label of cluster ``c``) maximising ``sum(m[clusters] == labels)``.

    Args:
        clusters: ``(N,)`` predicted cluster ids in ``0 .. num_classes - 1``.
        labels: ``(N,)`` labels in ``0 .. num_classes - 1``.
        num_classes: ``K``.

    Returns:
        ``(K,)`` int64 permutation of ``0 .. K - 1``.
    """
    clusters, labels = np.asarray(clusters, dtype=np.int64), np.asarray(labels, dtype=np.int64)
    if clusters.shape != labels.shape or clusters.ndim != 1:
        raise ShapeError(f"align_clusters: clusters and labels must be (N,) arrays of one length, got "
                         f"{clusters.shape} and {labels.shape}.")
    for name, values in (("clusters", clusters), ("labels", labels)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise InputValueError(f"align_clusters: {name} must lie in 0..{num_classes - 1}, got "
                                  f"[{values.min()}, {values.max()}].")
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (clusters, labels), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    mapping = np.empty(num_classes, dtype=np.int64)
    mapping[rows] = cols
    return mapping


@dataclass
class ZeroShotResult:
    """Outcome of :func:`zero_shot_accuracy`.

    Attributes:
        accuracy: mean over ``k`` of the per-``k`` mean accuracies.
        mapping: the cluster -> label map fitted on all samples.
        per_k: ``k -> {"mean", "std", "size", "draws"}``.
    """

    accuracy: float
    mapping: list[int]
    per_k: dict[int, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready keys ``zero_shot_accuracy``, ``zero_shot_mapping``, ``zero_shot_k<k>_{mean,std,size}``."""
        out: dict[str, Any] = {"zero_shot_accuracy": self.accuracy, "zero_shot_mapping": self.mapping}
        for k, row in self.per_k.items():
            out.update({f"zero_shot_k{k}_{key}": value for key, value in row.items()})
        return out


def zero_shot_accuracy(probs: np.ndarray, labels: np.ndarray, *, ks: Sequence[int] = SPLIT_SIZES, draws: int = 10,
                       seed: int = 0) -> ZeroShotResult:
    """Aligned cluster accuracy of the outputs ``probs`` over evaluation splits of ``N / k`` samples.

    Args:
        probs: ``(N, K)`` output distributions (any real scores: only the argmax is used).
        labels: ``(N,)`` labels in ``0 .. K - 1``.
        ks: split divisors (see the module docstring).
        draws: random subsets per ``k > 1``.
        seed: seed of the subsets.

    Raises:
        ShapeError: mismatched shapes.
        InputValueError: a ``k`` below 1, ``draws`` below 1, or a split of fewer samples than classes.
    """
    probs, labels = np.asarray(probs), np.asarray(labels, dtype=np.int64)
    if probs.ndim != 2 or labels.shape != (probs.shape[0],):
        raise ShapeError(f"zero_shot_accuracy: probs must be (N, K) and labels (N,), got {probs.shape} and "
                         f"{labels.shape}.")
    if draws < 1 or not ks or min(ks) < 1:
        raise InputValueError(f"zero_shot_accuracy: ks must be integers >= 1 and draws >= 1, got ks={list(ks)}, "
                              f"draws={draws}.")
    num_classes = probs.shape[1]
    clusters = probs.argmax(axis=1)
    mapping = align_clusters(clusters, labels, num_classes)
    correct = mapping[clusters] == labels
    per_k: dict[int, dict[str, float]] = {}
    for k in ks:
        size = probs.shape[0] // int(k)
        present = np.unique(labels).size
        if size < present:
            raise InputValueError(f"zero_shot_accuracy: a split of N / k = {probs.shape[0]} / {k} holds {size} "
                                  f"samples, fewer than the {present} classes; evaluate more samples or drop k = {k}.")
        if k == 1:
            scores = [float(correct.mean())]
        else:
            scores = []
            for draw in range(draws):
                state = int(np.random.SeedSequence([int(seed), int(k), draw]).generate_state(1)[0])
                picked, _ = train_test_split(np.arange(labels.size), train_size=size, stratify=labels,
                                             random_state=state)
                scores.append(float(correct[picked].mean()))
        per_k[int(k)] = {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "size": float(size),
                         "draws": float(len(scores))}
    accuracy = float(np.mean([row["mean"] for row in per_k.values()]))
    return ZeroShotResult(accuracy=accuracy, mapping=mapping.tolist(), per_k=per_k)
