"""Zero-shot cluster accuracy: the alignment maximises agreement; split sizes follow N / k."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qhep_contrast.evaluation import align_clusters, zero_shot_accuracy
from qhep_contrast.exceptions import InputValueError, ShapeError


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("classes", [2, 3, 4])
def test_alignment_is_the_best_permutation(seed: int, classes: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, 60)
    clusters = np.where(rng.random(60) < 0.6, (labels + 1) % classes, rng.integers(0, classes, 60))
    mapping = align_clusters(clusters, labels, classes)
    assert sorted(mapping.tolist()) == list(range(classes))
    best = max(np.mean(np.array(p)[clusters] == labels) for p in itertools.permutations(range(classes)))
    assert np.mean(mapping[clusters] == labels) == best


def test_two_class_swap_and_identity() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert align_clusters(np.array([1, 1, 0, 0, 0, 0]), labels, 2).tolist() == [1, 0]
    assert align_clusters(np.array([0, 0, 1, 1, 1, 0]), labels, 2).tolist() == [0, 1]


def test_zero_shot_accuracy_splits_and_invariance() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    p1 = np.where(labels == 1, 0.2, 0.8) + rng.normal(0, 0.25, 100)
    probs = np.stack([1 - p1, p1], axis=1)
    result = zero_shot_accuracy(probs, labels, seed=3)
    flipped = zero_shot_accuracy(probs[:, ::-1], labels, seed=3)
    assert result.accuracy == flipped.accuracy and result.mapping == [1, 0] and flipped.mapping == [0, 1]
    aligned = np.mean(np.array(result.mapping)[probs.argmax(1)] == labels)
    assert result.per_k[1]["mean"] == aligned and result.per_k[1]["draws"] == 1
    assert [result.per_k[k]["size"] for k in (1, 2, 5, 10)] == [100, 50, 20, 10]
    assert all(result.per_k[k]["draws"] == 10 for k in (2, 5, 10))
    assert result.accuracy == pytest.approx(np.mean([result.per_k[k]["mean"] for k in (1, 2, 5, 10)]))
    assert result.to_dict()["zero_shot_k5_size"] == 20
    assert zero_shot_accuracy(probs, labels, seed=3).accuracy == result.accuracy  # seeded subsets
    perfect = np.eye(2)[1 - labels]
    assert zero_shot_accuracy(perfect, labels).accuracy == 1.0


def test_bad_inputs() -> None:
    with pytest.raises(ShapeError):
        zero_shot_accuracy(np.ones((4, 2)), np.zeros(3))
    with pytest.raises(InputValueError, match="drop k = 5"):
        zero_shot_accuracy(np.eye(2)[[0, 1, 0, 1, 0, 1]], np.array([0, 1, 0, 1, 0, 1]))
    with pytest.raises(InputValueError, match="ks must be"):
        zero_shot_accuracy(np.eye(2)[[0, 1]], np.array([0, 1]), ks=(0,))
