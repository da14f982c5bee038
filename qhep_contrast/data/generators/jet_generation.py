"""``generate_jets``: a quark/gluon HDF5 file from Pythia Z + jet events, sharded over worker processes.

Output schema (the ML4SCI quark/gluon layout plus particle lists), first axis ``N`` jets:

=================== ============ =======================================================================
key                 dtype        shape / meaning
=================== ============ =======================================================================
``X_jets``          float32      ``(N, n, n, 3)`` pT images (Tracks, ECAL, HCAL), axes ``(eta, phi)``
``y``               float32      ``(N,)`` 1 = quark jet, 0 = gluon jet
``pt``, ``m0``      float32      ``(N,)`` jet pT and mass (GeV)
``jet_eta/phi``     float32      ``(N,)`` jet axis
``n_particles``     int32        ``(N,)`` constituent multiplicity (all of them)
``particles``       float32      ``(N, M, 4)`` constituents ``(pt, eta, phi, E)``, by decreasing pT, 0-padded
``particle_pid``    int32        ``(N, M)`` PDG ids (0 = padding)
``particle_charge`` int8         ``(N, M)`` charges
=================== ============ =======================================================================

The particle arrays are left out with ``with_particles=False``. File attributes record the recipe, the
Pythia settings, seeds, shard layout, package versions and the command line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qhep_contrast.data.generators.h5_writer import H5Appender, check_output
from qhep_contrast.data.generators.jet_arrays import PARTICLE_COLUMNS
from qhep_contrast.data.generators.jet_images import JET_CHANNELS
from qhep_contrast.data.generators.jet_recipe import JetRecipe, pythia_physics_settings
from qhep_contrast.data.generators.pythia_jets import generate_jet_shard, import_generator_modules
from qhep_contrast.data.generators.sharding import JetShard, block_permutation, plan_shards
from qhep_contrast.exceptions import ConfigError

__all__ = ["JetGenerationReport", "generate_jets", "jet_file_attrs"]


@dataclass(frozen=True)
class JetGenerationReport:
    """What :func:`generate_jets` wrote and how fast."""

    path: Path
    n_jets: int
    n_quark: int
    seconds: float

    @property
    def jets_per_second(self) -> float:
        """Accepted jets written per wall-clock second."""
        return self.n_jets / self.seconds if self.seconds > 0 else float("inf")


def _version(dist: str) -> str:
    """Installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def jet_file_attrs(recipe: JetRecipe, seed: int, shard_size: int, quark_fraction: float,
                   with_particles: bool, command: str) -> dict[str, object]:
    """File attributes that make a generated jet file reproducible from its own header."""
    from qhep_contrast import __version__

    return {
        "schema": "quark-gluon",
        "description": ("Pythia 8 pp -> Z(->nu nu) + jet at particle level (no detector simulation); leading "
                        "anti-kT jet; quark jets from qg2gmZq, gluon jets from qqbar2gmZg (EFN recipe, "
                        "Komiske-Metodiev-Thaler 2019)."),
        "synthetic": False,
        "recipe": recipe.to_json(),
        "pythia_settings_quark": "\n".join(pythia_physics_settings(recipe, 1)),
        "pythia_settings_gluon": "\n".join(pythia_physics_settings(recipe, 0)),
        "seed": seed,
        "seeding": "shard i runs Pythia with Random:seed = 1 + SeedSequence([seed, i]) mod 900000000",
        "shard_size": shard_size,
        "quark_fraction": quark_fraction,
        "with_particles": with_particles,
        "channels": ",".join(JET_CHANNELS),
        "channel_definition": ("Tracks: pT of charged particles; ECAL: pT of photons and e+-; HCAL: pT of neutral "
                               "hadrons (neutral, not photon). Neutrinos excluded."),
        "pixel_units": "pT [GeV] summed per pixel",
        "image_axes": "(eta, phi), pixel i covers [-w + i*2w/n, -w + (i+1)*2w/n) around the centre",
        "image_centre": recipe.centre,
        "particle_columns": ",".join(PARTICLE_COLUMNS),
        "labels": "y: 1 = quark jet, 0 = gluon jet",
        "command": command,
        "versions": (f"qhep-contrast {__version__}; pythia8mc {_version('pythia8mc')}; fastjet "
                     f"{_version('fastjet')}; numpy {np.__version__}; h5py {_version('h5py')}"),
    }


def _run_shard(args: tuple[JetRecipe, JetShard, bool]) -> dict[str, np.ndarray]:
    """Worker entry point (module level, so spawned processes can import it)."""
    recipe, shard, with_particles = args
    return generate_jet_shard(recipe, shard.label, shard.n_jets, shard.seed, with_particles)


def _shard_results(tasks: list[tuple[JetRecipe, JetShard, bool]], workers: int) -> Iterator[dict[str, np.ndarray]]:
    """Shard outputs in task order, computed in this process or in ``workers`` spawned processes."""
    if workers == 1:
        yield from map(_run_shard, tasks)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(_run_shard, tasks)


def generate_jets(path: str | os.PathLike[str], n_jets: int, seed: int, recipe: JetRecipe | None = None,
                  workers: int = 1, shard_size: int = 250, quark_fraction: float = 0.5,
                  with_particles: bool = True, command: str = "", progress: bool = True,
                  force: bool = False) -> JetGenerationReport:
    """Generate a quark/gluon jet file (schema in the module docstring).

    Args:
        path: output HDF5 file (written as ``path.partial`` and renamed when complete).
        n_jets: number of jets.
        seed: master seed (>= 0); see :mod:`~qhep_contrast.data.generators.sharding`.
        recipe: physics and image settings (default :class:`JetRecipe()`).
        workers: worker processes (1 = run in this process); the file does not depend on it.
        shard_size: jets per shard (one Pythia initialisation each).
        quark_fraction: fraction of quark jets.
        with_particles: store the padded particle arrays.
        command: the command line, stored in the file attributes.
        progress: show a tqdm progress bar on stderr.
        force: replace an existing ``path`` (and a leftover ``path.partial``).

    Returns:
        A :class:`JetGenerationReport` with the wall time and rate.

    Raises:
        OutputExistsError: ``path`` or ``path.partial`` exists and not ``force`` (checked before any event is
            generated).
        DataWriteError: the file could not be written (disk full, ...); nothing is left behind.
    """
    recipe = recipe or JetRecipe()
    if workers < 1:
        raise ConfigError(f"workers must be >= 1; got {workers}.")
    check_output(path, force)
    import_generator_modules()
    blocks = plan_shards(n_jets, seed, shard_size, quark_fraction)
    tasks = [(recipe, shard, with_particles) for block in blocks for shard in block]
    attrs = jet_file_attrs(recipe, seed, shard_size, quark_fraction, with_particles, command)
    start = time.perf_counter()
    results = _shard_results(tasks, workers)
    with H5Appender(path, attrs, force=force) as out, tqdm(total=n_jets, unit="jet", disable=not progress,
                                               desc="generate-jets") as bar:
        for b, block in enumerate(blocks):
            parts = [next(results) for _ in block]
            merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            order = block_permutation(seed, b, len(merged["y"]))
            out.append({k: v[order] for k, v in merged.items()})
            bar.update(len(order))
    n_quark = round(n_jets * quark_fraction)
    return JetGenerationReport(Path(path), n_jets, n_quark, time.perf_counter() - start)
