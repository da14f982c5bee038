"""Seeded pair and triplet sampling for Siamese / metric-learning training.

Samplers work on the cheap ``labels`` array and return index arrays; :class:`PairDataset` and
:class:`TripletDataset` turn them into images. Everything is vectorised numpy driven by
``numpy.random.default_rng(seed)``: the same labels and seed give the same pairs.

Positives are either two *different* samples of the same class (``positive="class"``, supervised metric
learning as in quantum metric learning: S. Lloyd et al., arXiv:2001.03622) or two views of *one* sample
(``positive="view"``: the pair ``(i, i)``, made different by an augmentation). Negatives are samples of
another class (``negative="class"``) or any other sample (``negative="any"``, label-free).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset, normalize_index
from qhep_contrast.data.views import AugmentOp, item_generator
from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["Pairs", "Triplets", "sample_pairs", "sample_triplets", "PairDataset", "TripletDataset"]


class Pairs(NamedTuple):
    """Index pairs: ``first``, ``second`` ``(P,)`` int64 and ``target`` ``(P,)`` int64 (1 similar, 0 not)."""

    first: np.ndarray
    second: np.ndarray
    target: np.ndarray


class Triplets(NamedTuple):
    """Index triplets ``(T,)`` int64: ``positive`` shares the ``anchor``'s class, ``negative`` does not."""

    anchor: np.ndarray
    positive: np.ndarray
    negative: np.ndarray


class _ClassIndex:
    """Samples sorted by class: ``order``, each class's ``start``/``count``, each sample's ``rank`` in ``order``."""

    def __init__(self, labels: np.ndarray) -> None:
        y = np.asarray(labels)
        if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ShapeError(f"labels must be a non-empty 1-D array of non-negative integers; got shape {y.shape}, "
                             f"dtype {y.dtype}")
        self.labels = y.astype(np.int64)
        self.order = np.argsort(self.labels, kind="stable")
        self.rank = np.empty_like(self.order)
        self.rank[self.order] = np.arange(y.size)
        self.count = np.bincount(self.labels)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]])

    def same_class(self, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random *other* sample of each anchor's class (classes need >= 2 members)."""
        c = self.labels[anchors]
        m, s = self.count[c], self.start[c]
        r = rng.integers(1, m)
        return self.order[s + (self.rank[anchors] - s + r) % m]

    def other_class(self, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random sample of any class other than each anchor's."""
        c = self.labels[anchors]
        m, s = self.count[c], self.start[c]
        r = rng.integers(0, self.labels.size - m)
        return self.order[np.where(r < s, r, r + m)]

    def anchors_with_partner(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` anchors drawn uniformly from the samples whose class has at least two members."""
        eligible = np.flatnonzero(self.count[self.labels] >= 2)
        if eligible.size == 0:
            raise ConfigError("same-class positives need a class with at least two samples; every class has one")
        return eligible[rng.integers(0, eligible.size, n)]

    def require_two_classes(self) -> None:
        """Raise :class:`ConfigError` unless at least two classes are present."""
        if np.count_nonzero(self.count) < 2:
            raise ConfigError("other-class negatives need at least two classes in the labels; got one "
                              "(use negative='any')")


def sample_pairs(labels: np.ndarray, n_pairs: int, seed: int = 0, positive: str = "class",
                 negative: str = "class") -> Pairs:
    """Balanced positive/negative index pairs: ``ceil(n/2)`` positives and ``floor(n/2)`` negatives, shuffled.

    Args:
        labels: integer labels ``(N,)``.
        n_pairs: number of pairs.
        seed: random seed.
        positive: ``"class"`` (two different samples of one class) or ``"view"`` (``(i, i)``: two views of
            one sample; give the pair dataset an augmentation).
        negative: ``"class"`` (different classes) or ``"any"`` (two different samples, labels unused).

    Returns:
        :class:`Pairs` with ``target`` 1 for positives and 0 for negatives.
    """
    if positive not in ("class", "view") or negative not in ("class", "any"):
        raise ConfigError(f"positive must be 'class' or 'view' and negative 'class' or 'any'; got {positive!r}, "
                          f"{negative!r}")
    if n_pairs < 1:
        raise ConfigError(f"n_pairs must be >= 1; got {n_pairs}")
    index, rng = _ClassIndex(labels), np.random.default_rng(seed)
    n_pos, n_neg = (n_pairs + 1) // 2, n_pairs // 2
    if positive == "class":
        a_pos = index.anchors_with_partner(n_pos, rng)
        b_pos = index.same_class(a_pos, rng)
    else:
        a_pos = rng.integers(0, index.labels.size, n_pos)
        b_pos = a_pos
    a_neg = rng.integers(0, index.labels.size, n_neg)
    if negative == "class":
        index.require_two_classes()
        b_neg = index.other_class(a_neg, rng)
    else:
        if index.labels.size < 2:
            raise ConfigError("negative='any' needs at least two samples")
        b_neg = (a_neg + rng.integers(1, index.labels.size, n_neg)) % index.labels.size
    perm = rng.permutation(n_pairs)
    first = np.concatenate([a_pos, a_neg])[perm].astype(np.int64)
    second = np.concatenate([b_pos, b_neg])[perm].astype(np.int64)
    target = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])[perm]
    return Pairs(first, second, target)


def sample_triplets(labels: np.ndarray, n_triplets: int, seed: int = 0) -> Triplets:
    """Index triplets: anchor, another sample of its class, and a sample of another class.

    Anchors are uniform over samples whose class has at least two members; partners are uniform within
    their constraint.
    """
    if n_triplets < 1:
        raise ConfigError(f"n_triplets must be >= 1; got {n_triplets}")
    index, rng = _ClassIndex(labels), np.random.default_rng(seed)
    index.require_two_classes()
    anchor = index.anchors_with_partner(n_triplets, rng)
    return Triplets(anchor.astype(np.int64), index.same_class(anchor, rng).astype(np.int64),
                    index.other_class(anchor, rng).astype(np.int64))


class _IndexTupleDataset(Dataset):
    """Images of index tuples from ``base``, optionally augmented with per-item seeded generators."""

    def __init__(self, base: LabelledImageDataset, columns: tuple[np.ndarray, ...], augment: AugmentOp | None,
                 seed: int) -> None:
        if augment is None and any(np.any(columns[0] == c) for c in columns[1:]):
            raise ConfigError("some tuples repeat a sample (view positives); pass an augment so the two "
                              "views differ")
        self.base, self.columns, self.augment, self.seed, self.epoch = base, columns, augment, int(seed), 0

    def set_epoch(self, epoch: int) -> None:
        """Select the augmentations of epoch ``epoch``."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return int(self.columns[0].size)

    def _images(self, index: int) -> list[torch.Tensor]:
        i = normalize_index(index, len(self))
        images = [self.base[int(col[i])][0] for col in self.columns]
        if self.augment is None:
            return images
        g = item_generator(self.seed, self.epoch, i)
        return [self.augment(im, g) for im in images]


class PairDataset(_IndexTupleDataset):
    """Items ``(x1, x2, target)``: images of a :class:`Pairs` entry and its int64 target (1 similar).

    Args:
        base: labelled image dataset the indices refer to.
        pairs: from :func:`sample_pairs`.
        augment: optional ``augment(image, generator)`` applied to each image with the item's generator
            (required when pairs repeat a sample, i.e. view positives).
        seed: seed of the per-item generators (:func:`~qhep_contrast.data.views.item_generator`).
    """

    def __init__(self, base: LabelledImageDataset, pairs: Pairs, augment: AugmentOp | None = None,
                 seed: int = 0) -> None:
        super().__init__(base, (pairs.first, pairs.second), augment, seed)
        self.target = np.asarray(pairs.target, dtype=np.int64)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x1, x2 = self._images(index)
        return x1, x2, torch.tensor(int(self.target[index]), dtype=torch.int64)


class TripletDataset(_IndexTupleDataset):
    """Items ``(anchor, positive, negative)`` images of a :class:`Triplets` entry (see :class:`PairDataset`)."""

    def __init__(self, base: LabelledImageDataset, triplets: Triplets, augment: AugmentOp | None = None,
                 seed: int = 0) -> None:
        super().__init__(base, (triplets.anchor, triplets.positive, triplets.negative), augment, seed)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        a, p, n = self._images(index)
        return a, p, n
