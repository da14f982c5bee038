"""Settings of the SYNTHETIC e/gamma toy: :class:`EgammaToyConfig` and its :class:`TrackerGeometry`.

Pure dataclasses without numpy, so the command line can show their defaults without importing the toy
(:mod:`~qhep_contrast.data.generators.egamma_toy` holds the simulation).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qhep_contrast.exceptions import ConfigError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EgammaToyConfig", "TrackerGeometry"]


@dataclass(frozen=True)
class TrackerGeometry:
    """Field and radii (CMS-like defaults): ``B`` in T, radii in m."""

    field_t: float = 3.8
    ecal_radius_m: float = 1.29
    inner_radius_m: float = 0.04
    outer_radius_m: float = 1.1

    def curvature(self, charge: np.ndarray, pt_gev: np.ndarray) -> np.ndarray:
        """Signed curvature ``q 0.3 B / pT`` in 1/m."""
        return charge * 0.3 * self.field_t / pt_gev


@dataclass(frozen=True)
class EgammaToyConfig:
    """Settings of the SYNTHETIC e/gamma toy (defaults are CMS-barrel-like; lengths in crystals unless noted).

    Attributes:
        energy_min_gev, energy_max_gev: primary energy range (uniform).
        eta_max: primary |eta| range (uniform), which sets ``pT = E / cosh(eta)``.
        material_min_x0, material_max_x0: tracker material range (uniform), radiation lengths.
        n_emissions: bremsstrahlung emission points per electron.
        core_radius, tail_radius, core_fraction: Grindhammer-Peters ``Rc``, ``Rt`` (crystals) and ``p``.
        profile_spread: relative (log-normal) per-shower spread of ``Rc``, ``Rt`` and of ``1 - p``.
        n_spots: energy spots per shower object.
        stochastic, constant: energy-resolution terms ``a`` (GeV^0.5) and ``c``.
        noise_gev, threshold_gev: crystal noise sigma and zero-suppression threshold.
        time_noise_ns_gev, time_constant_ns, time_walk_ns_gev05: timing resolution and walk.
        geometry: field and radii.
    """

    energy_min_gev: float = 10.0
    energy_max_gev: float = 100.0
    eta_max: float = 1.44
    material_min_x0: float = 0.4
    material_max_x0: float = 1.4
    n_emissions: int = 3
    core_radius: float = 0.15
    tail_radius: float = 0.9
    core_fraction: float = 0.85
    profile_spread: float = 0.1
    n_spots: int = 400
    stochastic: float = 0.028
    constant: float = 0.003
    noise_gev: float = 0.04
    threshold_gev: float = 0.12
    time_noise_ns_gev: float = 1.5
    time_constant_ns: float = 0.07
    time_walk_ns_gev05: float = 0.1
    geometry: TrackerGeometry = TrackerGeometry()

    def __post_init__(self) -> None:
        checks = {
            "0 < energy_min_gev < energy_max_gev": 0 < self.energy_min_gev < self.energy_max_gev,
            "0 <= material_min_x0 <= material_max_x0": 0 <= self.material_min_x0 <= self.material_max_x0,
            "n_emissions >= 1": self.n_emissions >= 1,
            "radii > 0": self.core_radius > 0 and self.tail_radius > 0,
            "0 <= core_fraction <= 1": 0 <= self.core_fraction <= 1,
            "n_spots >= 1": self.n_spots >= 1,
            "noise_gev >= 0 and threshold_gev >= 0": self.noise_gev >= 0 and self.threshold_gev >= 0,
        }
        failed = [rule for rule, ok in checks.items() if not ok]
        if failed:
            raise ConfigError(f"invalid EgammaToyConfig ({', '.join(failed)} violated): {self}")

    def to_json(self) -> str:
        """All fields as a sorted JSON object (stored in the HDF5 attribute ``config``)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)
