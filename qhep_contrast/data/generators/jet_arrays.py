"""From flat jet constituents to the quark/gluon file arrays (images, padded particle lists, jet kinematics).

Pure numpy, batched over jets; :mod:`~qhep_contrast.data.generators.pythia_jets` feeds it from Pythia and
FastJet, and tests feed it hand-made particles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qhep_contrast.data.generators.jet_images import (
    detector_channel_weights,
    pixelise,
    pt_weighted_centroid,
    wrap_phi,
)
from qhep_contrast.data.generators.jet_recipe import JetRecipe
from qhep_contrast.exceptions import ShapeError

__all__ = ["JetConstituents", "PARTICLE_COLUMNS", "jet_file_arrays"]

PARTICLE_COLUMNS: tuple[str, str, str, str] = ("pt", "eta", "phi", "E")
"""Columns of the ``particles`` array: pT (GeV), pseudorapidity, azimuth in [-pi, pi) (rad), energy (GeV)."""


@dataclass(frozen=True)
class JetConstituents:
    """Constituents of ``J`` jets as flat arrays, jet by jet (``counts[j]`` rows for jet ``j``, in order).

    Attributes:
        counts: ``(J,)`` number of constituents per jet.
        px, py, pz, energy: ``(P,)`` four-momenta in GeV, ``P = counts.sum()``.
        pid: ``(P,)`` PDG ids.
        charge: ``(P,)`` charges in units of e.
    """

    counts: np.ndarray
    px: np.ndarray
    py: np.ndarray
    pz: np.ndarray
    energy: np.ndarray
    pid: np.ndarray
    charge: np.ndarray

    def __post_init__(self) -> None:
        total = int(np.sum(self.counts))
        for name in ("px", "py", "pz", "energy", "pid", "charge"):
            if np.shape(getattr(self, name)) != (total,):
                raise ShapeError(f"JetConstituents.{name} must have shape ({total},) = (counts.sum(),); "
                                 f"got {np.shape(getattr(self, name))}.")

    @property
    def jet_index(self) -> np.ndarray:
        """``(P,)`` jet number of every constituent."""
        return np.repeat(np.arange(len(self.counts)), self.counts)


def _pt_eta_phi(px: np.ndarray, py: np.ndarray, pz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transverse momentum, pseudorapidity ``asinh(pz / pt)`` and azimuth ``atan2(py, px)`` in ``[-pi, pi)``."""
    pt = np.hypot(px, py)
    eta = np.arcsinh(pz / np.maximum(pt, 1e-12))
    return pt, eta, wrap_phi(np.arctan2(py, px))


def _jet_kinematics(c: JetConstituents) -> dict[str, np.ndarray]:
    """E-scheme jet four-momentum sums -> pt, mass, eta, phi, each ``(J,)``."""
    idx, n = c.jet_index, len(c.counts)
    sums = [np.bincount(idx, weights=v, minlength=n) for v in (c.px, c.py, c.pz, c.energy)]
    pt, eta, phi = _pt_eta_phi(*sums[:3])
    mass = np.sqrt(np.maximum(sums[3] ** 2 - sums[0] ** 2 - sums[1] ** 2 - sums[2] ** 2, 0.0))
    return {"pt": pt, "m0": mass, "jet_eta": eta, "jet_phi": phi}


def _padded_particles(c: JetConstituents, pt: np.ndarray, eta: np.ndarray, phi: np.ndarray,
                      max_particles: int) -> dict[str, np.ndarray]:
    """Constituents sorted by decreasing pT within each jet, truncated/zero-padded to ``max_particles``."""
    idx, n = c.jet_index, len(c.counts)
    order = np.lexsort((-pt, idx))
    starts = np.concatenate([[0], np.cumsum(c.counts)[:-1]]).astype(np.int64)
    rank = np.arange(order.size) - starts[idx]
    keep = rank < max_particles
    rows, slots, src = idx[keep], rank[keep], order[keep]
    particles = np.zeros((n, max_particles, 4), dtype=np.float32)
    particles[rows, slots] = np.stack([pt[src], eta[src], phi[src], c.energy[src]], axis=1)
    pid = np.zeros((n, max_particles), dtype=np.int32)
    pid[rows, slots] = c.pid[src]
    charge = np.zeros((n, max_particles), dtype=np.int8)
    charge[rows, slots] = np.rint(c.charge[src]).astype(np.int8)
    return {"particles": particles, "particle_pid": pid, "particle_charge": charge}


def jet_file_arrays(c: JetConstituents, recipe: JetRecipe, label: int,
                    with_particles: bool = True) -> dict[str, np.ndarray]:
    """All per-jet arrays of the quark/gluon schema for a batch of jets.

    Args:
        c: constituents of ``J`` jets.
        recipe: image size, window, centring and particle cap.
        label: 1 (quark) or 0 (gluon), written to ``y`` for every jet.
        with_particles: also return the padded particle arrays.

    Returns:
        ``X_jets`` float32 ``(J, n, n, 3)`` (Tracks, ECAL, HCAL pT images, see
        :mod:`~qhep_contrast.data.generators.jet_images`), ``y`` float32 ``(J,)``, ``pt``, ``m0``,
        ``jet_eta``, ``jet_phi`` float32 ``(J,)`` (E-scheme sum of the constituents), ``n_particles`` int32
        ``(J,)`` (all constituents, even beyond the cap) and, with particles, ``particles`` float32
        ``(J, M, 4)`` (:data:`PARTICLE_COLUMNS`), ``particle_pid`` int32 ``(J, M)``, ``particle_charge`` int8
        ``(J, M)`` with ``M = recipe.max_particles``.
    """
    idx, n = c.jet_index, len(c.counts)
    pt, eta, phi = _pt_eta_phi(c.px, c.py, c.pz)
    jets = _jet_kinematics(c)
    if recipe.centre == "centroid":
        eta_c, phi_c = pt_weighted_centroid(eta, phi, pt, idx, jets["jet_phi"])
    else:
        eta_c, phi_c = jets["jet_eta"], jets["jet_phi"]
    images = pixelise(eta - eta_c[idx], wrap_phi(phi - phi_c[idx]), detector_channel_weights(pt, c.pid, c.charge),
                      idx, n, recipe.n_pixels, recipe.image_half_width)
    out = {"X_jets": images, "y": np.full(n, float(label), dtype=np.float32)}
    out.update({k: v.astype(np.float32) for k, v in jets.items()})
    out["n_particles"] = np.asarray(c.counts, dtype=np.int32)
    if with_particles:
        out.update(_padded_particles(c, pt, eta, phi, recipe.max_particles))
    return out
