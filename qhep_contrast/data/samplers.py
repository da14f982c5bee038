"""Chunk-friendly shuffling for large HDF5 files.

A plain ``shuffle=True`` ``DataLoader`` visits samples in a uniformly random order, so on a multi-GB
file almost every sample misses the reader's block cache and a whole block is read for one sample.
:class:`BlockShuffleSampler` shuffles the order of blocks and the order of samples inside each block
instead: every block is read once per epoch, at the price of batches drawn from few blocks.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from torch.utils.data import Sampler

from qhep_contrast.exceptions import ConfigError

__all__ = ["BlockShuffleSampler"]


class BlockShuffleSampler(Sampler[int]):
    """Yields ``indices`` grouped by block (``index // block_rows``), blocks and members shuffled.

    Args:
        indices: dataset positions to visit (e.g. a training split), or an int ``N`` for ``range(N)``.
        block_rows: rows per cached block; use the reader's ``ChunkedRows.block_rows``.
        seed: random seed; the order depends only on ``(seed, epoch)``.

    Call :meth:`set_epoch` before each epoch for a fresh order.
    """

    def __init__(self, indices: Sequence[int] | np.ndarray | int, block_rows: int, seed: int = 0) -> None:
        if block_rows < 1:
            raise ConfigError(f"block_rows must be >= 1; got {block_rows}")
        self.indices = np.arange(indices) if isinstance(indices, int) else np.asarray(indices, dtype=np.int64)
        self.block_rows, self.seed, self.epoch = int(block_rows), int(seed), 0

    def set_epoch(self, epoch: int) -> None:
        """Select the shuffle of epoch ``epoch``."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return int(self.indices.size)

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng((self.seed, self.epoch))
        shuffled = rng.permutation(self.indices)
        blocks = shuffled // self.block_rows
        block_rank = rng.permutation(int(blocks.max()) + 1 if blocks.size else 0)
        order = np.argsort(block_rank[blocks], kind="stable")
        return iter(shuffled[order].tolist())
