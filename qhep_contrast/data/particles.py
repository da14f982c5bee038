"""Particle-level jets: four-momenta, node scalars and the packed tensor layout the models read.

A jet of at most ``M`` particles is packed into one float tensor ``(1, M, F)`` (a one-channel "image", so
every objective, view and loader of the package carries it unchanged), one row per particle, leading
particles first, padded rows all zero:

* column 0: the mask (1 for a particle, 0 for padding);
* columns 1-4: the four-momentum ``(E, px, py, pz)`` in GeV (times the dataset's ``scale``);
* columns 5..: the node scalars (``S`` of them): the one-hot of the 8 particle species of LorentzNet
  (``|pid|`` in 11, 13, 22, 130, 211, 321, 2112, 2212; any other species is all zero), or
  ``psi(mass), psi(charge)`` with ``psi(a) = sgn(a) log(|a| + 1)``.

Kinematics: from ``(pT, eta, phi, E)``: ``px = pT cos phi``, ``py = pT sin phi``, ``pz = pT sinh eta``;
from ``(pT, y, phi, pid)`` (the energyflow layout) with the species mass ``m``:
``m_T = sqrt(pT^2 + m^2)``, ``E = m_T cosh y``, ``pz = m_T sinh y``.
"""

from __future__ import annotations

import numpy as np
import torch

from qhep_contrast.exceptions import ShapeError

__all__ = ["SPECIES", "SCALAR_KINDS", "FOUR_MOMENTUM", "MASK_COLUMN", "SCALAR_OFFSET", "scalar_width",
           "p4_from_pt_eta_phi_e", "p4_from_pt_y_phi_pid", "pid_one_hot", "pid_charge", "mass_charge_scalars",
           "pack_particles", "unpack_particles", "leading_order"]

SPECIES: tuple[int, ...] = (11, 13, 22, 130, 211, 321, 2112, 2212)
"""``|pid|`` of the 8 species one-hot encoded as LorentzNet does (e, mu, photon, K0L, pi, K, n, p)."""

_MASSES: dict[int, float] = {11: 0.000511, 13: 0.105658, 22: 0.0, 130: 0.497611, 211: 0.139570, 310: 0.497611,
                             321: 0.493677, 2112: 0.939565, 2212: 0.938272, 3112: 1.197449, 3122: 1.115683,
                             3222: 1.18937, 3312: 1.32171, 3322: 1.31486, 3334: 1.67245}
"""Masses in GeV of the stable species (PDG), for the energyflow layout, which stores no energy."""

_CHARGES: dict[int, int] = {11: -1, 13: -1, 22: 0, 130: 0, 211: 1, 310: 0, 321: 1, 2112: 0, 2212: 1, 3112: -1,
                            3122: 0, 3222: 1, 3312: -1, 3322: 0, 3334: -1}
"""Charge of the particle with positive ``pid`` (the antiparticle has the opposite sign)."""

SCALAR_KINDS: tuple[str, ...] = ("pid", "mass_charge")
"""Node scalars: the one-hot of :data:`SPECIES`, or ``psi(mass), psi(charge)``."""

MASK_COLUMN = 0
FOUR_MOMENTUM = slice(1, 5)
SCALAR_OFFSET = 5


def scalar_width(kind: str) -> int:
    """Number of node scalars ``S`` of ``kind`` (8 or 2)."""
    return len(SPECIES) if kind == "pid" else 2


def p4_from_pt_eta_phi_e(kin: np.ndarray) -> np.ndarray:
    """``(..., 4)`` = ``(pT, eta, phi, E)`` -> ``(E, px, py, pz)`` (float64)."""
    pt, eta, phi, e = (kin[..., k].astype(np.float64) for k in range(4))
    return np.stack([e, pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)


def p4_from_pt_y_phi_pid(kin: np.ndarray) -> np.ndarray:
    """``(..., 4)`` = ``(pT, y, phi, pid)`` -> ``(E, px, py, pz)`` (float64; unknown species massless)."""
    pt, y, phi = (kin[..., k].astype(np.float64) for k in range(3))
    pid = np.abs(kin[..., 3]).astype(np.int64)
    mass = np.vectorize(lambda p: _MASSES.get(int(p), 0.0), otypes=[np.float64])(pid) if pid.size else pid * 0.0
    mt = np.sqrt(pt**2 + mass**2)
    return np.stack([mt * np.cosh(y), pt * np.cos(phi), pt * np.sin(phi), mt * np.sinh(y)], axis=-1)


def pid_one_hot(pid: np.ndarray) -> np.ndarray:
    """``(...)`` integer pids -> ``(..., 8)`` one-hot of ``|pid|`` over :data:`SPECIES` (others all zero)."""
    a = np.abs(np.asarray(pid)).astype(np.int64)
    return (a[..., None] == np.asarray(SPECIES)).astype(np.float64)


def pid_charge(pid: np.ndarray) -> np.ndarray:
    """Electric charge of each pid (unknown species 0)."""
    p = np.asarray(pid).astype(np.int64)
    if not p.size:
        return p.astype(np.float64)
    table = np.vectorize(lambda v: _CHARGES.get(abs(int(v)), 0), otypes=[np.float64])(p)
    return table * np.sign(p)


def _psi(a: np.ndarray) -> np.ndarray:
    return np.sign(a) * np.log(np.abs(a) + 1.0)


def mass_charge_scalars(p4: np.ndarray, charge: np.ndarray) -> np.ndarray:
    """``(..., 2)`` = ``psi(m), psi(q)`` with ``m = sqrt(max(E^2 - |p|^2, 0))`` from ``p4 (..., 4)``."""
    m2 = p4[..., 0] ** 2 - (p4[..., 1:] ** 2).sum(-1)
    return np.stack([_psi(np.sqrt(np.maximum(m2, 0.0))), _psi(np.asarray(charge, dtype=np.float64))], axis=-1)


def leading_order(pt: np.ndarray) -> np.ndarray:
    """Indices ``(N, P)`` that sort each jet's particles by decreasing ``pt`` (padding, pt 0, last; stable)."""
    return np.argsort(-pt, axis=1, kind="stable")


def pack_particles(mask: np.ndarray, p4: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Pack ``mask (N, M)``, ``p4 (N, M, 4)``, ``scalars (N, M, S)`` into ``(N, 1, M, 5 + S)`` float32.

    Padded rows are zeroed whatever ``p4``/``scalars`` hold there.
    """
    m = mask.astype(np.float64)[..., None]
    out = np.concatenate([m, p4 * m, scalars * m], axis=-1)
    return out[:, None].astype(np.float32)


def unpack_particles(jets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(B, 1, M, F)`` (or ``(B, M, F)``) -> ``mask (B, M)``, ``p4 (B, M, 4)``, ``scalars (B, M, F - 5)``.

    Raises:
        ShapeError: not a packed particle batch.
    """
    x = jets[:, 0] if jets.dim() == 4 else jets
    if x.dim() != 3 or x.shape[-1] < SCALAR_OFFSET:
        raise ShapeError(f"expected packed particle jets (B, 1, M, 5 + S) (mask, E, px, py, pz, scalars); got "
                         f"shape {tuple(jets.shape)}; read the jets with [data] dataset = \"particle_jets\".")
    return x[..., MASK_COLUMN], x[..., FOUR_MOMENTUM], x[..., SCALAR_OFFSET:]
