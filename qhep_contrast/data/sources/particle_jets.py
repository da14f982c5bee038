"""``[data] dataset = "particle_jets"``: jets as sets of particles (packed four-momenta and node scalars)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.particle_jets import ParticleJetDataset
from qhep_contrast.data.particles import SCALAR_KINDS
from qhep_contrast.data.shipped import SHIPPED, resolve_path
from qhep_contrast.data.sources.common import SplitOptions
from qhep_contrast.data.sources.registry import DATASETS
from qhep_contrast.options import option

__all__ = ["ParticleJetOptions"]


@dataclass(frozen=True)
class ParticleJetOptions(SplitOptions):
    """``[data] dataset = "particle_jets"``."""

    paths: list[str] = option([], help=f'HDF5 files with particles or X ("{SHIPPED}" or none: the shipped jet file)')
    max_particles: int = option(30, low=2, high=4096, help="leading particles (in pT) kept per jet, M")
    scalars: str = option("pid", choices=SCALAR_KINDS,
                          help="node scalars: pid (one-hot of 8 species) or mass_charge (psi of mass and charge)")
    scale: float = option(1.0, low=0.0, low_open=True, help="factor on every four-momentum (GeV times scale)")


@DATASETS.register("particle_jets", options=ParticleJetOptions,
                   help="particle-level jets (generated files' particles, or the energyflow X layout), packed "
                        "as (1, M, 5 + S): mask, E, px, py, pz, scalars")
def _particle_jets(options: ParticleJetOptions, seed: int, transform: object) -> LabelledImageDataset:
    paths = [resolve_path(p) for p in options.paths or [SHIPPED]]
    return ParticleJetDataset(paths, options.max_particles, options.scalars, options.scale)
