"""Pair and triplet samplers: labels correct, balanced, deterministic; pair/triplet datasets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.data import (
    DigitsDataset,
    PairDataset,
    TripletDataset,
    digit_augment,
    sample_pairs,
    sample_triplets,
)
from qhep_contrast.exceptions import ConfigError, ShapeError


def _labels() -> np.ndarray:
    return np.random.default_rng(0).permutation(np.repeat([0, 1, 2], [50, 30, 2]))


def test_class_pairs_correct_and_balanced():
    y = _labels()
    pairs = sample_pairs(y, 1001, seed=1)
    assert pairs.target.sum() == 501 and (pairs.target == 0).sum() == 500
    pos, neg = pairs.target == 1, pairs.target == 0
    assert np.all(y[pairs.first[pos]] == y[pairs.second[pos]]) and np.all(pairs.first[pos] != pairs.second[pos])
    assert np.all(y[pairs.first[neg]] != y[pairs.second[neg]])
    assert pairs.first.dtype == np.int64 and pairs.target.dtype == np.int64
    assert 0 < pos[:500].sum() < 500  # shuffled, not all positives first


def test_partners_cover_their_candidates():
    y = _labels()
    pairs = sample_pairs(y, 20000, seed=2)
    neg = pairs.target == 0
    class2 = np.flatnonzero(y == 2)
    partners_of_class2 = pairs.second[neg & np.isin(pairs.first, class2)]
    assert np.isin(np.flatnonzero(y != 2), partners_of_class2).mean() > 0.9  # uniform over other classes
    pos = pairs.target == 1
    tiny = pos & np.isin(pairs.first, class2)
    assert set(pairs.second[tiny]) == set(class2)


def test_view_positives_and_any_negatives():
    y = _labels()
    pairs = sample_pairs(y, 400, seed=3, positive="view", negative="any")
    pos = pairs.target == 1
    assert np.all(pairs.first[pos] == pairs.second[pos]) and np.all(pairs.first[~pos] != pairs.second[~pos])
    assert np.any(y[pairs.first[~pos]] == y[pairs.second[~pos]])  # labels unused for "any" negatives


def test_pairs_deterministic():
    y = _labels()
    a, b, c = sample_pairs(y, 300, seed=7), sample_pairs(y, 300, seed=7), sample_pairs(y, 300, seed=8)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a.first, c.first)


def test_triplets_correct_and_deterministic():
    y = _labels()
    t = sample_triplets(y, 500, seed=4)
    assert np.all(y[t.anchor] == y[t.positive]) and np.all(t.anchor != t.positive)
    assert np.all(y[t.anchor] != y[t.negative])
    assert all(np.array_equal(p, q) for p, q in zip(t, sample_triplets(y, 500, seed=4)))


def test_sampler_errors():
    with pytest.raises(ConfigError, match="two classes"):
        sample_pairs(np.zeros(5, np.int64), 4)
    with pytest.raises(ConfigError, match="at least two samples"):
        sample_pairs(np.array([0, 1, 2]), 4)
    with pytest.raises(ConfigError):
        sample_pairs(_labels(), 4, positive="augment")
    with pytest.raises(ConfigError):
        sample_triplets(_labels(), 0)
    with pytest.raises(ShapeError):
        sample_pairs(np.array([0.0, 1.0]), 2)


def test_pair_and_triplet_datasets():
    base = DigitsDataset(classes=(0, 1))
    pairs = sample_pairs(base.labels, 10, seed=0)
    ds = PairDataset(base, pairs)
    x1, x2, target = ds[3]
    assert len(ds) == 10 and target.dtype == torch.int64 and int(target) == pairs.target[3]
    torch.testing.assert_close(x1, base[int(pairs.first[3])][0])
    torch.testing.assert_close(x2, base[int(pairs.second[3])][0])
    views = sample_pairs(base.labels, 10, seed=0, positive="view")
    with pytest.raises(ConfigError, match="augment"):
        PairDataset(base, views)
    aug = PairDataset(base, views, augment=digit_augment(), seed=1)
    i = int(np.flatnonzero(views.target == 1)[0])
    v1, v2, _ = aug[i]
    assert not torch.equal(v1, v2)
    assert torch.equal(PairDataset(base, views, augment=digit_augment(), seed=1)[i][0], v1)
    triplets = sample_triplets(base.labels, 6, seed=0)
    a, p, n = TripletDataset(base, triplets)[2]
    torch.testing.assert_close(n, base[int(triplets.negative[2])][0])
    torch.testing.assert_close(p, base[int(triplets.positive[2])][0])
