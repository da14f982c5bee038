"""SYNTHETIC electron/photon ECAL shower images: a documented, physics-motivated toy (not CMS data).

One batch call builds ``(N, 32, 32, 2)`` images (channel 0 energy in GeV, channel 1 time in ns; axes
``(eta, phi)`` in crystals of 0.0174 x 0.0174, like the CMS barrel PbWO4 ECAL) in these steps, all batched:

1. Primary: energy ``E ~ U(energy_min, energy_max)`` GeV, ``eta ~ U(-1.44, 1.44)``, ``pT = E / cosh(eta)``;
   impact point uniform inside the central crystal of a 64 x 64 canvas.
2. Before the ECAL (:mod:`~qhep_contrast.data.generators.tracker_material`, material ``X ~ U(material_min,
   material_max)`` radiation lengths): electrons radiate Bethe-Heitler bremsstrahlung photons that land
   displaced in phi on their bending side (charge +-1 with equal probability); photons convert to e+e-
   pairs with probability ``1 - exp(-7/9 X)``. Tracks with ``pT < 0.3 B R / 2`` loop and are lost.
3. Each object at the ECAL showers with a Grindhammer-Peters core + tail profile
   (:mod:`~qhep_contrast.data.generators.shower_profile`; Molière radius of PbWO4, 2.19 cm, is 0.975
   crystal), with per-shower fluctuations of ``Rc``, ``Rt`` and ``p``, as ``n_spots`` energy spots.
4. Resolution: the shower energy is scaled by ``1 + N(0, (a / sqrt(E))^2 + c^2)`` (stochastic ``a`` and
   constant ``c`` terms, CMS: 2.8 % and 0.3 %).
5. The 32 x 32 window is cropped around the highest crystal (the seed, as a clustering would do); crystal
   noise ``N(0, noise)`` is added and crystals below ``threshold`` read 0 (zero suppression).
6. Time of every read-out crystal: ``t = t_event + walk / sqrt(E_i) + N(0, sigma_t(E_i))``,
   ``sigma_t(E) = sqrt((time_noise / E)^2 + time_constant^2)``, ``t_event ~ N(0, 0.18 ns)`` (bunch length),
   clipped to +-25 ns; 0 where the energy reads 0. Time carries no label information by construction.

Labels: ``y = 0`` photon, ``y = 1`` electron. Electrons are wider in phi (bremsstrahlung) and, per charge,
asymmetric; converted photons are wide too, which keeps the separation imperfect.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from qhep_contrast.data.generators.egamma_config import EgammaToyConfig
from qhep_contrast.data.generators.jet_images import pixelise
from qhep_contrast.data.generators.shower_profile import sample_gp_offsets
from qhep_contrast.data.generators.tracker_material import bremsstrahlung, conversions, looper_pt

__all__ = ["EgammaToyConfig", "CRYSTAL_SIZE", "simulate_egamma"]

CRYSTAL_SIZE = 0.0174
"""Crystal pitch in eta and in phi (rad), CMS barrel."""

_IMAGE = 32
_CANVAS = 64
_TIME_CLIP_NS = 25.0
_EVENT_TIME_NS = 0.18


def _objects(rng: np.random.Generator, labels: np.ndarray, energy: np.ndarray, pt: np.ndarray,
             config: EgammaToyConfig) -> dict[str, np.ndarray]:
    """Energies ``(N, K+1)`` and phi offsets (crystals) of the objects reaching the ECAL, plus truth."""
    n, k = labels.shape[0], config.n_emissions
    material = cast(np.ndarray, rng.uniform(config.material_min_x0, config.material_max_x0, n))
    charge = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    brem_fraction, brem_dphi = bremsstrahlung(rng, pt, charge, material, k, config.geometry)
    converted, conv_fraction, conv_dphi = conversions(rng, pt, material, config.geometry)
    conv_fraction = np.pad(conv_fraction, ((0, 0), (0, k - 1)))
    conv_dphi = np.pad(conv_dphi, ((0, 0), (0, k - 1)))
    charged = np.concatenate([np.ones((n, 1), bool), np.zeros((n, k), bool)], axis=1)
    is_electron = labels[:, None] == 1
    fraction = np.where(is_electron, brem_fraction, conv_fraction)
    charged = np.where(is_electron, charged, converted[:, None] & (np.arange(k + 1) < 2))
    fraction = np.where(charged & (pt[:, None] * fraction < looper_pt(config.geometry)), 0.0, fraction)
    return {
        "object_energy": energy[:, None] * fraction,
        "object_dphi": np.where(is_electron, brem_dphi, conv_dphi) / CRYSTAL_SIZE,
        "charge": np.where(labels == 1, charge, 0.0),
        "brem_fraction": np.where(labels == 1, 1.0 - brem_fraction[:, 0], 0.0),
        "converted": np.where(labels == 1, False, converted),
    }


def _canvas(rng: np.random.Generator, object_energy: np.ndarray, object_dphi: np.ndarray,
            config: EgammaToyConfig) -> np.ndarray:
    """Deposit every object's shower spots on a ``(N, 64, 64)`` canvas (crystal units, axes eta, phi)."""
    n, n_obj = object_energy.shape
    spread = np.exp(config.profile_spread * rng.standard_normal((3, n, n_obj)))
    core_fraction = 1.0 - (1.0 - config.core_fraction) * spread[2]
    d_eta, d_phi = sample_gp_offsets(rng, config.core_radius * spread[0], config.tail_radius * spread[1],
                                     np.clip(core_fraction, 0.0, 1.0), config.n_spots)
    impact = rng.uniform(-0.5, 0.5, (2, n, 1, 1))
    eta = impact[0] + d_eta
    phi = impact[1] + object_dphi[:, :, None] + d_phi
    energy = np.broadcast_to(object_energy[:, :, None] / config.n_spots, eta.shape)
    index = np.broadcast_to(np.arange(n)[:, None, None], eta.shape)
    canvas = pixelise(eta.ravel(), phi.ravel(), energy.reshape(-1, 1), index.ravel(), n, _CANVAS, _CANVAS / 2.0)
    return canvas[..., 0]


def _crop_around_max(canvas: np.ndarray) -> np.ndarray:
    """``(N, 32, 32)`` windows whose crystal (16, 16) is each canvas's highest crystal (zero-padded)."""
    n, size = canvas.shape[0], canvas.shape[1]
    half = _IMAGE // 2
    padded = np.pad(canvas, ((0, 0), (half, half), (half, half)))
    seed = np.argmax(canvas.reshape(n, -1), axis=1)
    rows = (seed // size)[:, None] + np.arange(_IMAGE)[None, :]
    cols = (seed % size)[:, None] + np.arange(_IMAGE)[None, :]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def _time_channel(rng: np.random.Generator, energy: np.ndarray, config: EgammaToyConfig) -> np.ndarray:
    """Crystal times (ns) with energy-dependent resolution and walk; 0 where the energy reads 0."""
    read = energy > 0
    safe = np.where(read, energy, 1.0)
    sigma = np.sqrt((config.time_noise_ns_gev / safe) ** 2 + config.time_constant_ns**2)
    event_time = _EVENT_TIME_NS * rng.standard_normal((energy.shape[0], 1, 1))
    time = event_time + config.time_walk_ns_gev05 / np.sqrt(safe) + sigma * rng.standard_normal(energy.shape)
    return np.where(read, np.clip(time, -_TIME_CLIP_NS, _TIME_CLIP_NS), 0.0)


def simulate_egamma(rng: np.random.Generator, labels: np.ndarray,
                    config: EgammaToyConfig | None = None) -> dict[str, np.ndarray]:
    """Simulate one batch of SYNTHETIC e/gamma showers (steps in the module docstring).

    Args:
        rng: random generator (the only source of randomness).
        labels: ``(N,)`` 0 = photon, 1 = electron.
        config: toy settings (default :class:`EgammaToyConfig()`).

    Returns:
        ``X`` float32 ``(N, 32, 32, 2)`` (energy GeV, time ns), ``y`` float32 ``(N,)`` and truth arrays
        ``energy``, ``eta`` (float32), ``charge`` (int8: 0 photon, +-1 electron), ``brem_fraction``
        (float32, electrons' radiated fraction) and ``converted`` (bool, photons).
    """
    config = config or EgammaToyConfig()
    labels = np.asarray(labels)
    n = labels.shape[0]
    energy = cast(np.ndarray, rng.uniform(config.energy_min_gev, config.energy_max_gev, n))
    eta = cast(np.ndarray, rng.uniform(-config.eta_max, config.eta_max, n))
    objects = _objects(rng, labels, energy, energy / np.cosh(eta), config)
    resolution = np.sqrt(config.stochastic**2 / energy + config.constant**2)
    scale = np.maximum(1.0 + resolution * rng.standard_normal(n), 0.0)
    canvas = _canvas(rng, objects["object_energy"] * scale[:, None], objects["object_dphi"], config)
    image = _crop_around_max(canvas) + config.noise_gev * rng.standard_normal((n, _IMAGE, _IMAGE))
    image = np.where(image >= config.threshold_gev, image, 0.0)
    x = np.stack([image, _time_channel(rng, image, config)], axis=-1).astype(np.float32)
    return {
        "X": x, "y": labels.astype(np.float32), "energy": energy.astype(np.float32),
        "eta": eta.astype(np.float32), "charge": objects["charge"].astype(np.int8),
        "brem_fraction": objects["brem_fraction"].astype(np.float32), "converted": objects["converted"],
    }
