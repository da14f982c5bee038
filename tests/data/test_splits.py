"""Stratified splits, balanced subsampling and block shuffling."""

from __future__ import annotations

import numpy as np
import pytest

from qhep_contrast.data import BlockShuffleSampler, balanced_subsample, stratified_split
from qhep_contrast.data.splits import split_counts
from qhep_contrast.exceptions import ConfigError, ShapeError


def _labels() -> np.ndarray:
    """Three imbalanced classes, shuffled: 503 x 0, 201 x 1, 37 x 2."""
    y = np.repeat([0, 1, 2], [503, 201, 37])
    return np.random.default_rng(5).permutation(y)


def test_split_counts_exact_and_close():
    for n in [0, 1, 7, 37, 201, 1000]:
        for f in [(0.8, 0.1, 0.1), (0.5, 0.5), (0.7, 0.2, 0.1), (1 / 3, 1 / 3, 1 / 3)]:
            counts = split_counts(n, f)
            assert counts.sum() == n and np.all(np.abs(counts - n * np.asarray(f)) < 1)


def test_stratified_split_partitions_and_keeps_proportions():
    y = _labels()
    parts = stratified_split(y, (0.8, 0.1, 0.1), seed=3)
    joined = np.concatenate(parts)
    assert np.array_equal(np.sort(joined), np.arange(y.size))  # a partition
    for part, frac in zip(parts, (0.8, 0.1, 0.1)):
        assert np.all(np.diff(part) > 0)  # sorted, no duplicates
        for c, n_c in zip(*np.unique(y, return_counts=True)):
            assert abs(np.sum(y[part] == c) - frac * n_c) < 1  # each class within one sample


def test_stratified_split_reproducible_and_seed_dependent():
    y = _labels()
    a, b = stratified_split(y, seed=1), stratified_split(y, seed=1)
    c = stratified_split(y, seed=2)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("fractions", [(0.8, 0.1), (0.9, 0.2, -0.1), (1.0, 0.0), ()])
def test_stratified_split_bad_fractions(fractions):
    with pytest.raises(ConfigError):
        stratified_split(_labels(), fractions)


def test_bad_labels_array():
    with pytest.raises(ShapeError):
        stratified_split(np.zeros((3, 2), np.int64))
    with pytest.raises(ShapeError):
        balanced_subsample(np.array([0.0, 1.0]))


def test_balanced_subsample():
    y = _labels()
    idx = balanced_subsample(y, seed=0)
    assert np.bincount(y[idx]).tolist() == [37, 37, 37] and np.all(np.diff(idx) > 0)
    idx10 = balanced_subsample(y, 10, seed=4)
    assert np.bincount(y[idx10]).tolist() == [10, 10, 10]
    assert np.array_equal(idx10, balanced_subsample(y, 10, seed=4))
    assert not np.array_equal(idx10, balanced_subsample(y, 10, seed=5))
    for bad in (0, 38):
        with pytest.raises(ConfigError, match="smallest class"):
            balanced_subsample(y, bad)


def test_block_shuffle_sampler_groups_blocks_and_is_reproducible():
    block_ids = np.arange(1000) // 16
    indices = np.random.default_rng(0).choice(1000, 300, replace=False)
    sampler = BlockShuffleSampler(block_ids, indices, seed=7)
    order = np.array(list(sampler))
    assert len(sampler) == 300 and np.array_equal(np.sort(order), np.sort(indices))
    blocks = block_ids[order]
    assert np.count_nonzero(np.diff(blocks)) + 1 == np.unique(blocks).size  # each block visited once
    assert not np.all(np.diff(blocks) >= 0)  # blocks in random order
    assert np.array_equal(order, np.array(list(BlockShuffleSampler(block_ids, indices, seed=7))))
    sampler.set_epoch(1)
    assert not np.array_equal(order, np.array(list(sampler)))
    assert sorted(BlockShuffleSampler(np.zeros(10))) == list(range(10))
    with pytest.raises(ShapeError):
        BlockShuffleSampler(block_ids, [1000])
