"""Pure-numpy jet images: detector channels, centring and pixelisation of jet constituents.

Nothing here needs Pythia or FastJet: the functions take flat per-constituent arrays plus a jet index, so
one call images a whole batch of jets (no Python loop over jets or pixels).

Conventions (also written into every generated file's attributes):

* Image axes are ``(eta, phi)``: ``image[j, i_eta, i_phi, c]``. Pixel ``i`` along an axis covers
  ``[-w + i * 2w/n, -w + (i + 1) * 2w/n)`` around the centre, with half-width ``w`` and ``n`` pixels;
  constituents outside the window are dropped.
* Pixel values are transverse momenta in GeV (``pT``, not ``E``), summed per pixel and channel.
* Channels ``(Tracks, ECAL, HCAL)``, a particle-flow-like split of the visible final state:
  Tracks = pT of charged particles; ECAL = pT of photons and electrons/positrons (an electron therefore
  appears in Tracks and ECAL, as a track and a cluster do); HCAL = pT of neutral hadrons (every neutral
  visible particle that is not a photon). Muons appear only in Tracks.
* Centring (Komiske, Metodiev, Schwartz, JHEP 01 (2017) 110): either on the jet axis, or on the
  pT-weighted centroid ``(sum pT_i eta_i / sum pT_i, phi_J + sum pT_i dphi_i / sum pT_i)`` with
  ``dphi_i = wrap(phi_i - phi_J)`` taken relative to the jet axis so the mean never straddles +-pi.
"""

from __future__ import annotations

import numpy as np

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = [
    "JET_CHANNELS",
    "wrap_phi",
    "detector_channel_weights",
    "pt_weighted_centroid",
    "pixelise",
]

JET_CHANNELS: tuple[str, str, str] = ("Tracks", "ECAL", "HCAL")
"""Names of the three image channels, in order."""

_PHOTON = 22
_ELECTRON = 11


def wrap_phi(phi: np.ndarray) -> np.ndarray:
    """Wrap azimuthal angles into ``[-pi, pi)``.

    Args:
        phi: angles in radians, any shape.

    Returns:
        ``(phi + pi) mod 2 pi - pi``, same shape and float dtype.
    """
    return np.mod(np.asarray(phi, dtype=np.float64) + np.pi, 2.0 * np.pi) - np.pi


def detector_channel_weights(pt: np.ndarray, pid: np.ndarray, charge: np.ndarray) -> np.ndarray:
    """Split each particle's pT into the (Tracks, ECAL, HCAL) channels.

    Args:
        pt: ``(P,)`` transverse momenta in GeV.
        pid: ``(P,)`` PDG ids (sign ignored).
        charge: ``(P,)`` electric charges in units of e.

    Returns:
        ``(P, 3)`` float64 weights: column 0 ``pt`` if charged, column 1 ``pt`` if photon or electron,
        column 2 ``pt`` if neutral and not a photon (a neutral hadron; neutrinos must already be removed).
    """
    pt = np.asarray(pt, dtype=np.float64)
    apid = np.abs(np.asarray(pid))
    charged = np.asarray(charge) != 0
    if not (pt.shape == apid.shape == charged.shape and pt.ndim == 1):
        raise ShapeError(
            f"pt, pid and charge must be 1-D arrays of one length; got shapes {pt.shape}, {apid.shape}, "
            f"{charged.shape}."
        )
    electromagnetic = (apid == _PHOTON) | (apid == _ELECTRON)
    neutral_hadron = ~charged & (apid != _PHOTON)
    return np.stack([pt * charged, pt * electromagnetic, pt * neutral_hadron], axis=1)


def pt_weighted_centroid(
    eta: np.ndarray, phi: np.ndarray, pt: np.ndarray, jet_index: np.ndarray, axis_phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """pT-weighted centroid of each jet's constituents in ``(eta, phi)``.

    Args:
        eta, phi, pt: ``(P,)`` constituent pseudorapidity, azimuth (rad) and pT.
        jet_index: ``(P,)`` integer jet of each constituent, in ``[0, J)``.
        axis_phi: ``(J,)`` jet-axis azimuth; ``dphi`` is measured from it before averaging.

    Returns:
        ``(eta_c, phi_c)``, each ``(J,)``; ``phi_c`` is wrapped into ``[-pi, pi)``. A jet without
        constituents (zero total pT) gets ``eta_c = 0`` and ``phi_c = axis_phi``.
    """
    axis_phi = np.asarray(axis_phi, dtype=np.float64)
    n_jets = axis_phi.shape[0]
    dphi = wrap_phi(np.asarray(phi) - axis_phi[jet_index])
    total = np.bincount(jet_index, weights=pt, minlength=n_jets)
    safe = np.where(total > 0, total, 1.0)
    eta_c = np.bincount(jet_index, weights=pt * eta, minlength=n_jets) / safe
    phi_c = axis_phi + np.bincount(jet_index, weights=pt * dphi, minlength=n_jets) / safe
    return eta_c, wrap_phi(phi_c)


def pixelise(
    rel_eta: np.ndarray,
    rel_phi: np.ndarray,
    weights: np.ndarray,
    jet_index: np.ndarray,
    n_jets: int,
    n_pixels: int,
    half_width: float,
) -> np.ndarray:
    """Histogram constituents of many jets into ``(n_jets, n_pixels, n_pixels, C)`` images in one pass.

    Args:
        rel_eta: ``(P,)`` pseudorapidity relative to the image centre.
        rel_phi: ``(P,)`` azimuth relative to the centre, already wrapped into ``[-pi, pi)``.
        weights: ``(P, C)`` per-channel values to sum (e.g. :func:`detector_channel_weights`).
        jet_index: ``(P,)`` integer jet of each constituent, in ``[0, n_jets)``.
        n_jets: number of images ``J``.
        n_pixels: pixels per side ``n``.
        half_width: half-width ``w`` of the window in both eta and phi.

    Returns:
        float32 ``(J, n, n, C)`` images; pixel ``(i, k)`` sums the weights with
        ``floor((rel_eta + w) n / (2w)) == i`` and ``floor((rel_phi + w) n / (2w)) == k``.
    """
    if n_pixels < 1 or not half_width > 0:
        raise ConfigError(f"need n_pixels >= 1 and half_width > 0; got {n_pixels} and {half_width}.")
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != np.shape(rel_eta)[0]:
        raise ShapeError(f"weights must be (P, C) with P = {np.shape(rel_eta)[0]}; got {weights.shape}.")
    n_channels = weights.shape[1]
    scale = n_pixels / (2.0 * half_width)
    i_eta = np.floor((np.asarray(rel_eta) + half_width) * scale).astype(np.int64)
    i_phi = np.floor((np.asarray(rel_phi) + half_width) * scale).astype(np.int64)
    inside = (i_eta >= 0) & (i_eta < n_pixels) & (i_phi >= 0) & (i_phi < n_pixels)
    flat = (np.asarray(jet_index)[inside] * n_pixels + i_eta[inside]) * n_pixels + i_phi[inside]
    size = n_jets * n_pixels * n_pixels
    images = np.stack(
        [np.bincount(flat, weights=weights[inside, c], minlength=size) for c in range(n_channels)], axis=-1
    )
    return images.reshape(n_jets, n_pixels, n_pixels, n_channels).astype(np.float32)
