"""Siamese pair accuracy: is a pair of images the same class? (the seed project's MNIST metric).

A Siamese network trained with the contrastive pair loss (Hadsell, Chopra, LeCun 2006) pulls similar
pairs to distance 0 and pushes dissimilar ones beyond the margin ``m``. It classifies a pair as *similar*
when the distance of the two embeddings is below a threshold; the natural one, midway between the two
targets, is ``m / 2`` (the rule of the Keras contrastive-loss examples the seed projects follow):

    accuracy = mean_pairs [ 1{d(z_a, z_b) < m/2} == y_ab ]

Pairs are balanced (half same class, half different) and drawn with
:func:`qhep_contrast.data.sample_pairs` from a fixed seed, so the figure is reproducible.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from qhep_contrast.data import sample_pairs
from qhep_contrast.exceptions import ShapeError

__all__ = ["PairAccuracy", "pair_accuracy"]


class PairAccuracy(NamedTuple):
    """Accuracy of thresholded pair distances, with the threshold and the mean distance of each kind."""

    accuracy: float
    threshold: float
    n_pairs: int
    mean_distance_same: float
    mean_distance_other: float


def pair_accuracy(embeddings: np.ndarray, labels: np.ndarray, threshold: float, n_pairs: int = 2000,
                  seed: int = 0) -> PairAccuracy:
    """Accuracy of ``distance < threshold`` as a same-class predictor on balanced labelled pairs.

    Args:
        embeddings: ``(N, d)`` real embeddings in the space the pair loss was applied to.
        labels: ``(N,)`` integer class labels.
        threshold: distance below which a pair is called similar (``margin / 2`` for the pair loss).
        n_pairs: number of pairs (about half of each kind).
        seed: seed of the pair sampler.
    """
    z = np.asarray(embeddings, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] != len(labels):
        raise ShapeError(f"embeddings must be (N, d) with N = len(labels) = {len(labels)}, got {z.shape}.")
    pairs = sample_pairs(np.asarray(labels), n_pairs, seed, positive="class", negative="class")
    d = np.linalg.norm(z[pairs.first] - z[pairs.second], axis=1)
    same = pairs.target == 1
    correct = (d < threshold) == same
    return PairAccuracy(float(correct.mean()), float(threshold), int(len(d)), float(d[same].mean()),
                        float(d[~same].mean()))
