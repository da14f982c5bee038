"""``generate_egamma``: write a SYNTHETIC electron/photon toy file in the ML4SCI e/gamma schema.

Keys: ``X`` float32 ``(N, 32, 32, 2)`` (energy GeV, time ns), ``y`` float32 ``(N,)`` (photon 0, electron 1),
and truth arrays ``energy``, ``eta``, ``charge``, ``brem_fraction``, ``converted``
(:func:`~qhep_contrast.data.generators.egamma_toy.simulate_egamma`). The file attribute ``synthetic=True``
says it is a toy, not detector data. Batches of 1024 showers use ``numpy.random.default_rng([seed, b])``,
each half electrons and half photons in a seeded order, so a file depends only on ``(seed, N, config)``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qhep_contrast.data.generators.egamma_toy import CRYSTAL_SIZE, EgammaToyConfig, simulate_egamma
from qhep_contrast.data.generators.h5_writer import H5Appender, check_output
from qhep_contrast.exceptions import ConfigError

__all__ = ["EgammaGenerationReport", "EGAMMA_BATCH", "generate_egamma", "egamma_labels"]

EGAMMA_BATCH = 1024
"""Showers per seeded batch (part of the reproducibility contract: changing it changes the file)."""


@dataclass(frozen=True)
class EgammaGenerationReport:
    """What :func:`generate_egamma` wrote and how long it took."""

    path: Path
    n_samples: int
    seconds: float


def egamma_labels(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` labels, ``n // 2`` electrons (1) and the rest photons (0), in a random order."""
    return rng.permutation(np.arange(n) < n // 2).astype(np.int64)


def generate_egamma(path: str | os.PathLike[str], n_samples: int, seed: int, config: EgammaToyConfig | None = None,
                    command: str = "", progress: bool = True, force: bool = False) -> EgammaGenerationReport:
    """Write ``n_samples`` SYNTHETIC e/gamma showers to an HDF5 file (gzip, chunked).

    Args:
        path: output file (written as ``path.partial`` and renamed when complete).
        n_samples: number of showers.
        seed: seed (>= 0).
        config: toy settings (default :class:`EgammaToyConfig()`).
        command: the command line, stored in the attributes.
        progress: show a tqdm progress bar on stderr.
        force: replace an existing ``path`` (and a leftover ``path.partial``).

    Returns:
        An :class:`EgammaGenerationReport`.

    Raises:
        OutputExistsError: ``path`` or ``path.partial`` exists and not ``force``.
        DataWriteError: the file could not be written (disk full, ...); nothing is left behind.
    """
    from qhep_contrast import __version__

    config = config or EgammaToyConfig()
    if n_samples < 1 or seed < 0:
        raise ConfigError(f"need n_samples >= 1 and seed >= 0; got {n_samples} and {seed}.")
    check_output(path, force)
    attrs = {
        "schema": "electron-photon",
        "synthetic": True,
        "description": "SYNTHETIC physics-motivated toy of CMS-like barrel ECAL e/gamma showers; not detector "
                       "data. See qhep_contrast.data.generators.egamma_toy for the model.",
        "channels": "energy [GeV],time [ns]",
        "image_axes": f"(eta, phi), crystals of {CRYSTAL_SIZE} x {CRYSTAL_SIZE}, centred on the highest crystal",
        "labels": "y: 0 = photon, 1 = electron",
        "config": config.to_json(),
        "seed": seed,
        "seeding": f"batch b of {EGAMMA_BATCH} showers uses numpy.random.default_rng([seed, b])",
        "command": command,
        "versions": f"qhep-contrast {__version__}; numpy {np.__version__}",
    }
    start = time.perf_counter()
    with H5Appender(path, attrs, force=force) as out, tqdm(total=n_samples, unit="shower", disable=not progress,
                                               desc="generate-egamma") as bar:
        for b, first in enumerate(range(0, n_samples, EGAMMA_BATCH)):
            rng = np.random.default_rng([seed, b])
            size = min(EGAMMA_BATCH, n_samples - first)
            out.append(simulate_egamma(rng, egamma_labels(rng, size), config))
            bar.update(size)
    return EgammaGenerationReport(Path(path), n_samples, time.perf_counter() - start)
