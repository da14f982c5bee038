"""Lateral electromagnetic shower profiles (Grindhammer-Peters) sampled as energy spots, batched.

Grindhammer, Rudowicz, Peters, NIM A 290 (1990) 469; Grindhammer, Peters, hep-ex/0001020: the
depth-integrated radial energy density of an electromagnetic shower is a core + tail mixture

    f(r) = p * 2 r Rc^2 / (r^2 + Rc^2)^2 + (1 - p) * 2 r Rt^2 / (r^2 + Rt^2)^2,

with radii in Molière radii. Each component has CDF ``r^2 / (r^2 + R^2)``, so a radius is drawn by
inversion, ``r = R sqrt(u / (1 - u))``, and an azimuth uniformly. A shower of energy E becomes S spots of
energy E / S, which also gives it natural lateral fluctuations.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_gp_offsets", "gp_containment"]

_U_MAX = 0.9995  # caps a spot at R * sqrt(1999) ~ 45 R: the 1/r^3 tail is not physical that far out


def gp_containment(radius: np.ndarray | float, core_radius: float, tail_radius: float,
                   core_fraction: float) -> np.ndarray:
    """Fraction of the energy within ``radius`` (cylinder), ``p r^2/(r^2+Rc^2) + (1-p) r^2/(r^2+Rt^2)``."""
    r2 = np.square(np.asarray(radius, dtype=np.float64))
    return core_fraction * r2 / (r2 + core_radius**2) + (1.0 - core_fraction) * r2 / (r2 + tail_radius**2)


def sample_gp_offsets(rng: np.random.Generator, core_radius: np.ndarray, tail_radius: np.ndarray,
                      core_fraction: np.ndarray, n_spots: int) -> tuple[np.ndarray, np.ndarray]:
    """Transverse offsets of shower spots from the shower axis.

    Args:
        rng: random generator.
        core_radius, tail_radius, core_fraction: per-shower ``Rc``, ``Rt`` and ``p``, all of one shape ``B``
            (any batch shape); radii in the unit the offsets should have.
        n_spots: spots per shower ``S``.

    Returns:
        ``(dx, dy)``, each ``(*B, S)``: Cartesian offsets whose radius follows ``f(r)`` above.
    """
    shape = (*np.shape(core_radius), n_spots)
    in_core = rng.random(shape) < np.asarray(core_fraction)[..., None]
    radius = np.where(in_core, np.asarray(core_radius)[..., None], np.asarray(tail_radius)[..., None])
    u = rng.random(shape) * _U_MAX
    r = radius * np.sqrt(u / (1.0 - u))
    angle = rng.random(shape) * (2.0 * np.pi)
    return r * np.cos(angle), r * np.sin(angle)
