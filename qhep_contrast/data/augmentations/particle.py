"""``[views] kind = "particle"``: physics-respecting views of particle jets (rotation, splitting, soft drops)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.augmentations.registry import VIEWS
from qhep_contrast.data.particle_views import CollinearSplit, JetAxisRotation, SoftDrop
from qhep_contrast.data.views import Augment
from qhep_contrast.options import option

__all__ = ["ParticleViewOptions"]


@dataclass(frozen=True)
class ParticleViewOptions:
    """``[views] kind = "particle"``."""

    rotation: bool = option(True, help="rotate each jet by a random angle about its axis")
    split: float = option(0.2, low=0.0, high=1.0, help="probability of splitting each particle collinearly")
    split_z_min: float = option(0.1, low=0.0, high=0.5, help="smallest momentum fraction of a split")
    drop_fraction: float = option(0.05, low=0.0, high=1.0, help="particles under this fraction of the jet pT are soft")
    drop: float = option(0.5, low=0.0, high=1.0, help="probability of dropping each soft particle")


@VIEWS.register("particle", options=ParticleViewOptions,
                help="particle-jet views: rotation about the jet axis, collinear splits, soft-particle drops")
def _particle(options: ParticleViewOptions) -> Augment:
    ops = [JetAxisRotation() if options.rotation else None,
           SoftDrop(options.drop_fraction, options.drop) if options.drop else None,
           CollinearSplit(options.split, options.split_z_min) if options.split else None]
    return Augment(*(op for op in ops if op is not None))
