"""Data whose order and randomness are a function of ``(seed, epoch)`` only.

Exact resume needs the data of epoch ``e`` to be the same whether the run got there directly or after a
restart. Instead of saving and restoring generator states, every source of data randomness here is
re-derived from ``(seed, epoch)``: :class:`EpochSampler` permutes the indices with
``numpy.random.default_rng([seed, epoch])``; :class:`EpochPairDataset` and :class:`EpochTripletDataset`
draw a fresh set of pairs/triplets per epoch the same way; the views themselves come from
:class:`~qhep_contrast.data.TwoViewDataset` / :class:`~qhep_contrast.data.PairDataset`, whose per-item
generators are seeded by ``(seed, epoch, index)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from qhep_contrast.data import PairDataset, TripletDataset, sample_pairs, sample_triplets
from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.views import AugmentOp

__all__ = ["EpochSampler", "epoch_seed", "EpochPairDataset", "EpochTripletDataset", "set_epoch"]


def epoch_seed(seed: int, epoch: int, stream: int = 0) -> int:
    """A 32-bit seed derived from ``(seed, epoch, stream)`` (distinct streams do not overlap)."""
    return int(np.random.SeedSequence([int(seed), int(epoch), int(stream)]).generate_state(1)[0])


def set_epoch(dataset: object, epoch: int) -> None:
    """Call ``dataset.set_epoch(epoch)`` when the dataset has one."""
    setter = getattr(dataset, "set_epoch", None)
    if callable(setter):
        setter(epoch)


class EpochSampler(Sampler[int]):
    """A random permutation of ``range(length)`` that depends only on ``(seed, epoch)``.

    Args:
        length: number of items.
        seed: random seed.
        shuffle: ``False`` yields ``0 .. length-1`` in order (validation).
    """

    def __init__(self, length: int, seed: int, shuffle: bool = True) -> None:
        self.length, self.seed, self.shuffle, self.epoch = int(length), int(seed), shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        """Select the permutation of epoch ``epoch``."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(self.length))
        return iter(np.random.default_rng([self.seed, self.epoch]).permutation(self.length).tolist())


class _EpochTuples(Dataset):
    """Base of the per-epoch pair/triplet datasets: rebuilds ``self.current`` in :meth:`set_epoch`."""

    def __init__(self, base: LabelledImageDataset, count: int, augment: AugmentOp | None, seed: int) -> None:
        self.base, self.count, self.augment, self.seed = base, int(count), augment, int(seed)
        self.current: Dataset = self._build(0)

    def _build(self, epoch: int) -> Dataset:
        raise NotImplementedError

    def set_epoch(self, epoch: int) -> None:
        """Draw the tuples (and views) of epoch ``epoch``."""
        self.current = self._build(int(epoch))
        set_epoch(self.current, epoch)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.current[index]


class EpochPairDataset(_EpochTuples):
    """Items ``(x1, x2, target)`` from :func:`~qhep_contrast.data.sample_pairs`, redrawn every epoch.

    Args:
        base: labelled images.
        count: pairs per epoch.
        augment: optional view augmentation (required for ``positive="view"``).
        seed: random seed.
        positive, negative: see :func:`~qhep_contrast.data.sample_pairs`.
    """

    def __init__(self, base: LabelledImageDataset, count: int, augment: AugmentOp | None, seed: int,
                 positive: str = "class", negative: str = "class") -> None:
        self.positive, self.negative = positive, negative
        super().__init__(base, count, augment, seed)

    def _build(self, epoch: int) -> Dataset:
        pairs = sample_pairs(self.base.labels, self.count, epoch_seed(self.seed, epoch, 1), self.positive,
                             self.negative)
        return PairDataset(self.base, pairs, self.augment, self.seed)


class EpochTripletDataset(_EpochTuples):
    """Items ``(anchor, positive, negative)`` from :func:`~qhep_contrast.data.sample_triplets`, redrawn
    every epoch (see :class:`EpochPairDataset`)."""

    def _build(self, epoch: int) -> Dataset:
        triplets = sample_triplets(self.base.labels, self.count, epoch_seed(self.seed, epoch, 2))
        return TripletDataset(self.base, triplets, self.augment, self.seed)
