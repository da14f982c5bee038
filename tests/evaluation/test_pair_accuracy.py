"""Siamese pair accuracy against a loop transcription and closed-form cases."""

from __future__ import annotations

import numpy as np
import pytest

from qhep_contrast.data import sample_pairs
from qhep_contrast.evaluation import pair_accuracy
from qhep_contrast.exceptions import ShapeError


def test_matches_loop_reference() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=60)
    z = rng.normal(size=(60, 3)) + labels[:, None] * 0.8
    got = pair_accuracy(z, labels, threshold=1.1, n_pairs=200, seed=3)
    pairs = sample_pairs(labels, 200, 3, positive="class", negative="class")
    correct = 0
    for a, b, t in zip(pairs.first, pairs.second, pairs.target):
        d = sum((z[a, k] - z[b, k]) ** 2 for k in range(3)) ** 0.5
        correct += int((d < 1.1) == (t == 1))
    assert got.accuracy == pytest.approx(correct / len(pairs.first), abs=1e-12)
    assert got.n_pairs == len(pairs.first) and got.threshold == 1.1


def test_closed_forms() -> None:
    labels = np.repeat([0, 1], 20)
    separated = np.where(labels[:, None] == 1, 5.0, 0.0) * np.ones((40, 2))
    perfect = pair_accuracy(separated, labels, threshold=0.5)
    assert perfect.accuracy == 1.0 and perfect.mean_distance_same == 0.0
    collapsed = pair_accuracy(np.zeros((40, 2)), labels, threshold=0.5)
    assert collapsed.accuracy == pytest.approx(0.5, abs=0.05)  # every pair called similar; half are
    with pytest.raises(ShapeError):
        pair_accuracy(np.zeros((3, 2)), labels, threshold=0.5)
