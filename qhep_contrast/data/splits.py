"""Seeded stratified splits and class-balanced subsampling on label arrays.

Everything works on the cheap ``dataset.labels`` array and returns integer index arrays, to be applied
with :func:`qhep_contrast.data.base.subset`. Returned indices are sorted ascending, which keeps HDF5
reads local; shuffle with the ``DataLoader``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["stratified_split", "balanced_subsample", "split_counts"]


def split_counts(n: int, fractions: Sequence[float] | np.ndarray) -> np.ndarray:
    """Split ``n`` items into parts proportional to ``fractions`` (largest-remainder rounding).

    The counts sum to ``n`` exactly and each differs from ``n * fraction`` by less than 1; remainder ties
    go to the earlier part.
    """
    f = np.asarray(fractions, dtype=np.float64)
    exact = n * f
    counts = np.floor(exact + 1e-9).astype(np.int64)
    short = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def stratified_split(labels: np.ndarray, fractions: Sequence[float] = (0.8, 0.1, 0.1),
                     seed: int = 0) -> tuple[np.ndarray, ...]:
    """Split sample indices into parts with the same class proportions, reproducibly.

    Each class's indices are permuted with ``numpy.random.default_rng(seed)`` and cut according to
    :func:`split_counts`, so every part holds ``round(n_c * fraction)`` samples of class ``c`` (within one).

    Args:
        labels: integer labels ``(N,)``.
        fractions: positive part sizes summing to 1, e.g. ``(0.8, 0.1, 0.1)`` for train/val/test.
        seed: random seed; the same seed and labels give the same split.

    Returns:
        One sorted int64 index array per fraction; together they partition ``range(N)``.

    Raises:
        ShapeError: ``labels`` is not 1-D.
        ConfigError: fractions not positive or not summing to 1.
    """
    y = _as_labels(labels)
    f = np.asarray(fractions, dtype=np.float64)
    if f.ndim != 1 or f.size < 1 or (f <= 0).any() or abs(f.sum() - 1.0) > 1e-6:
        raise ConfigError(f"split fractions must be positive and sum to 1; got {list(fractions)}")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in f]
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        bounds = np.cumsum(split_counts(members.size, f))[:-1]
        for part, chunk in zip(parts, np.split(members, bounds)):
            part.append(chunk)
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


def balanced_subsample(labels: np.ndarray, n_per_class: int | None = None, seed: int = 0) -> np.ndarray:
    """Indices of a class-balanced random subsample: ``n_per_class`` samples of every class present.

    Args:
        labels: integer labels ``(N,)``.
        n_per_class: samples per class; ``None`` uses the size of the smallest class.
        seed: random seed; the same seed and labels give the same subsample.

    Returns:
        Sorted int64 indices, ``n_per_class * n_classes`` of them.

    Raises:
        ConfigError: ``n_per_class`` is not positive or exceeds the smallest class.
    """
    y = _as_labels(labels)
    classes, counts = np.unique(y, return_counts=True)
    n = int(counts.min()) if n_per_class is None else int(n_per_class)
    if n < 1 or n > counts.min():
        sizes = dict(zip(classes.tolist(), counts.tolist()))
        raise ConfigError(f"n_per_class must be in 1..{int(counts.min())} (smallest class); got {n_per_class}; "
                          f"class sizes {sizes}")
    rng = np.random.default_rng(seed)
    picked = [rng.choice(np.flatnonzero(y == c), size=n, replace=False) for c in classes]
    return np.sort(np.concatenate(picked)).astype(np.int64)


def _as_labels(labels: np.ndarray) -> np.ndarray:
    """``labels`` as a non-empty 1-D integer array."""
    y = np.asarray(labels)
    if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer):
        raise ShapeError(f"labels must be a non-empty 1-D integer array; got shape {y.shape}, dtype {y.dtype}")
    return y
