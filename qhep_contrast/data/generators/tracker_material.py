"""What the tracker material and the 3.8 T solenoid do to electrons and photons before the ECAL (toy).

Small-angle helix geometry in the transverse plane: a particle of charge ``q`` and transverse momentum
``pT`` (GeV) in a field ``B`` (T) has curvature ``kappa = q * 0.3 B / pT`` (1/m), its direction turns by
``-kappa`` per metre of radius, and its displacement at the ECAL radius ``R`` is ``y(R) = int_0^R psi(s) ds``.

* Bremsstrahlung (electrons): ``K`` emissions at sorted radii ``r_1 < ... < r_K`` inside the tracker, each
  through ``X/K`` radiation lengths. Bethe and Heitler (1934): the energy fraction kept after ``t``
  radiation lengths, ``z``, has ``-ln z ~ Gamma(shape = t / ln 2)`` (so the K steps compose exactly). The
  electron's curvature grows after each emission; a photon emitted at ``r_i`` flies straight along the
  electron's direction there, so relative to the electron it lands by
  ``sum_{j >= i} kappa_j [(R - r_j)^2 - (R - r_{j+1})^2] / 2`` (``r_{K+1} = R``, ``kappa_j`` the curvature
  after emission ``j``) on the side the electron bends from: the sign follows the charge.
* Conversions (photons): probability ``1 - exp(-7/9 X)`` (Tsai, Rev. Mod. Phys. 46 (1974) 815) at a
  uniform radius ``r_c``; the electron takes a uniform fraction ``x`` of the energy. Each leg lands at
  ``dy = -kappa (R - r_c)^2 / 2`` from the photon's line of flight. Legs do not radiate (toy).
* A particle with ``pT < 0.3 B R / 2`` loops before reaching radius ``R``: its energy is dropped.

Positions are returned as ``dphi = dy / R`` (rad).
"""

from __future__ import annotations

import numpy as np

from qhep_contrast.data.generators.egamma_config import TrackerGeometry

__all__ = ["TrackerGeometry", "bremsstrahlung", "brem_positions", "conversions", "looper_pt"]


def looper_pt(geometry: TrackerGeometry) -> float:
    """The pT (GeV) below which a track starting at the beam line cannot reach the ECAL radius."""
    return 0.3 * geometry.field_t * geometry.ecal_radius_m / 2.0


def bremsstrahlung(rng: np.random.Generator, pt: np.ndarray, charge: np.ndarray, material_x0: np.ndarray,
                   n_emissions: int, geometry: TrackerGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Split electrons into the surviving electron and ``K`` bremsstrahlung photons at the ECAL.

    Args:
        rng: random generator.
        pt: ``(N,)`` electron transverse momenta (GeV) at the vertex.
        charge: ``(N,)`` charges, +1 or -1.
        material_x0: ``(N,)`` tracker material crossed, in radiation lengths.
        n_emissions: number of emission points ``K``.
        geometry: field and radii.

    Returns:
        ``(fractions, dphi)``, each ``(N, K + 1)``: column 0 is the electron (energy fraction kept), column
        ``i`` the photon from emission ``i`` (fraction of the initial energy); ``dphi`` is each object's
        azimuth at the ECAL relative to the electron's initial direction.
    """
    n, k = pt.shape[0], n_emissions
    kept = np.exp(-rng.gamma((material_x0[:, None] / k / np.log(2.0)) * np.ones((n, k))))  # z_i per emission
    after = np.concatenate([np.ones((n, 1)), np.cumprod(kept, axis=1)], axis=1)  # (N, K+1): after j emissions
    radii = np.sort(rng.uniform(geometry.inner_radius_m, geometry.outer_radius_m, (n, k)), axis=1)
    fractions = np.concatenate([after[:, -1:], after[:, :-1] * (1.0 - kept)], axis=1)
    return fractions, brem_positions(pt, charge, after, radii, geometry)


def brem_positions(pt: np.ndarray, charge: np.ndarray, after: np.ndarray, radii: np.ndarray,
                   geometry: TrackerGeometry) -> np.ndarray:
    """Azimuths at the ECAL of an electron and its bremsstrahlung photons (deterministic part).

    Args:
        pt: ``(N,)`` initial electron pT (GeV).
        charge: ``(N,)`` charges.
        after: ``(N, K + 1)`` electron energy fraction after ``j`` emissions (``after[:, 0] = 1``).
        radii: ``(N, K)`` sorted emission radii (m).
        geometry: field and radii.

    Returns:
        ``(N, K + 1)`` azimuth offsets (rad) from the initial direction: column 0 the electron, column ``i``
        the photon emitted at ``radii[:, i - 1]``.
    """
    n = pt.shape[0]
    nodes = np.concatenate([np.zeros((n, 1)), radii, np.full((n, 1), geometry.ecal_radius_m)], axis=1)
    y_at_node, psi_at_node = _piecewise_helix(nodes, geometry.curvature(charge[:, None], pt[:, None] * after))
    y_photon = y_at_node[:, 1:-1] + (geometry.ecal_radius_m - radii) * psi_at_node[:, 1:-1]
    return np.concatenate([y_at_node[:, -1:], y_photon], axis=1) / geometry.ecal_radius_m


def _piecewise_helix(nodes: np.ndarray, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Small-angle track with curvature ``kappa[:, m]`` between ``nodes[:, m]`` and ``nodes[:, m + 1]``.

    Returns the displacement ``y`` and direction ``psi`` at every node (``y = psi = 0`` at node 0):
    ``psi_{m+1} = psi_m - kappa_m D_m`` and ``y_{m+1} = y_m + psi_m D_m - kappa_m D_m^2 / 2``, ``D_m`` the
    segment length.
    """
    step = np.diff(nodes, axis=1)
    zero = np.zeros((nodes.shape[0], 1))
    psi = np.concatenate([zero, -np.cumsum(kappa * step, axis=1)], axis=1)
    y = np.concatenate([zero, np.cumsum(psi[:, :-1] * step - kappa * step**2 / 2.0, axis=1)], axis=1)
    return y, psi


def conversions(rng: np.random.Generator, pt: np.ndarray, material_x0: np.ndarray,
                geometry: TrackerGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert photons to e+e- pairs in the tracker.

    Args:
        rng: random generator.
        pt: ``(N,)`` photon transverse momenta (GeV).
        material_x0: ``(N,)`` tracker material, in radiation lengths.
        geometry: field and radii.

    Returns:
        ``(converted, fractions, dphi)``: ``converted`` bool ``(N,)``; ``fractions`` and ``dphi`` ``(N, 2)``
        for the two objects at the ECAL (an unconverted photon is ``[1, 0]`` with ``dphi = 0``; a pair is
        electron, positron with their energy fractions and dphi from the photon's line of flight).
    """
    n = pt.shape[0]
    converted = rng.random(n) < 1.0 - np.exp(-7.0 / 9.0 * material_x0)
    radius = rng.uniform(geometry.inner_radius_m, geometry.outer_radius_m, n)
    x = rng.random(n)
    split = np.stack([x, 1.0 - x], axis=1)
    charges = np.array([-1.0, 1.0])
    kappa = geometry.curvature(charges[None, :], pt[:, None] * np.maximum(split, 1e-9))
    dphi = -kappa * np.square(geometry.ecal_radius_m - radius)[:, None] / (2.0 * geometry.ecal_radius_m)
    fractions = np.where(converted[:, None], split, np.array([[1.0, 0.0]]))
    return converted, fractions, np.where(converted[:, None], dphi, 0.0)
