"""Chunk-friendly shuffling for large HDF5 files.

A plain ``shuffle=True`` ``DataLoader`` visits samples in a uniformly random order, so on a multi-GB
file almost every sample misses the reader's block cache and a whole block is read for one sample.
:class:`BlockShuffleSampler` shuffles the order of cache blocks and the order of samples inside each
block instead: every block is read once per epoch, at the price of batches drawn from few blocks.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from torch.utils.data import Sampler

from qhep_contrast.exceptions import ShapeError

__all__ = ["BlockShuffleSampler"]


class BlockShuffleSampler(Sampler[int]):
    """Yields ``indices`` grouped by cache block, the blocks and the members of each block shuffled.

    Args:
        block_ids: block id of every dataset position, shape ``(N,)`` (e.g.
            :attr:`qhep_contrast.data.HDF5ImageDataset.block_ids`).
        indices: dataset positions to visit (e.g. a training split); ``None`` visits all ``N``.
        seed: random seed; the order depends only on ``(seed, epoch)``.

    Call :meth:`set_epoch` before each epoch for a fresh order.
    """

    def __init__(self, block_ids: Sequence[int] | np.ndarray, indices: Sequence[int] | np.ndarray | None = None,
                 seed: int = 0) -> None:
        self.block_ids = np.asarray(block_ids, dtype=np.int64)
        if self.block_ids.ndim != 1:
            raise ShapeError(f"block_ids must be 1-D (one id per sample); got shape {self.block_ids.shape}")
        n = self.block_ids.size
        self.indices = np.arange(n) if indices is None else np.asarray(indices, dtype=np.int64)
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ShapeError(f"indices must lie in [0, {n}); got range [{self.indices.min()}, {self.indices.max()}]")
        self.seed, self.epoch = int(seed), 0

    def set_epoch(self, epoch: int) -> None:
        """Select the shuffle of epoch ``epoch``."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return int(self.indices.size)

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng((self.seed, self.epoch))
        shuffled = rng.permutation(self.indices)
        blocks, position = np.unique(self.block_ids[shuffled], return_inverse=True)
        block_rank = rng.permutation(blocks.size)
        order = np.argsort(block_rank[position], kind="stable")
        return iter(shuffled[order].tolist())
