"""Split a generation job into seeded shards with a fixed merge order.

A job of ``n_jets`` with master seed ``s`` becomes blocks ``b = 0, 1, ...``; block ``b`` holds one quark
shard (index ``2b``) and one gluon shard (index ``2b + 1``) of about ``shard_size`` jets each. Shard ``i``
runs Pythia with :func:`shard_seed` ``(s, i)``. The file is written block by block in block order, each
block's jets shuffled with a permutation seeded by ``(s, b)``, so the output depends on ``(s, n_jets,
quark_fraction, shard_size)`` and the recipe, never on the number of worker processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qhep_contrast.data.generators.jet_recipe import PYTHIA_SEED_MAX
from qhep_contrast.exceptions import ConfigError

__all__ = ["JetShard", "shard_seed", "block_permutation", "plan_shards"]


@dataclass(frozen=True)
class JetShard:
    """One unit of work: ``n_jets`` jets of ``label`` from one Pythia run seeded with ``seed``."""

    index: int
    label: int
    n_jets: int
    seed: int


def shard_seed(seed: int, index: int) -> int:
    """Pythia seed of shard ``index``: ``1 + (SeedSequence([seed, index]) state mod 900000000)``.

    Never 0 (Pythia's "seed from the clock"), always in ``1..900000000``.
    """
    state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]
    return 1 + int(state % np.uint64(PYTHIA_SEED_MAX))


def block_permutation(seed: int, block: int, n: int) -> np.ndarray:
    """Seeded permutation of the ``n`` jets of one block (quark shard rows first, then gluon rows)."""
    return np.random.default_rng([seed, block, 1]).permutation(n)


def plan_shards(n_jets: int, seed: int, shard_size: int = 250,
                quark_fraction: float = 0.5) -> list[tuple[JetShard, ...]]:
    """Blocks of (quark, gluon) shards for a job; empty shards are left out.

    Args:
        n_jets: total jets, ``round(n_jets * quark_fraction)`` of them quark jets.
        seed: master seed (integer >= 0).
        shard_size: at most this many jets per shard.
        quark_fraction: fraction of quark jets in ``[0, 1]``.

    Returns:
        One tuple of shards per block; counts are spread evenly (``numpy.array_split`` sizes).
    """
    if n_jets < 1 or shard_size < 1 or seed < 0 or not 0.0 <= quark_fraction <= 1.0:
        raise ConfigError(f"need n_jets >= 1, shard_size >= 1, seed >= 0 and 0 <= quark_fraction <= 1; got "
                          f"{n_jets}, {shard_size}, {seed}, {quark_fraction}.")
    n_quark = round(n_jets * quark_fraction)
    counts = {1: n_quark, 0: n_jets - n_quark}
    n_blocks = math.ceil(max(counts.values()) / shard_size)
    per_block = {label: [len(a) for a in np.array_split(np.arange(n), n_blocks)] for label, n in counts.items()}
    blocks = []
    for b in range(n_blocks):
        shards = (JetShard(2 * b + (1 - label), label, per_block[label][b], shard_seed(seed, 2 * b + (1 - label)))
                  for label in (1, 0))
        blocks.append(tuple(s for s in shards if s.n_jets > 0))
    return blocks
