"""The quark/gluon jet recipe: every physics choice of ``qhep data generate-jets`` in one frozen dataclass.

The process follows the Energy Flow Networks samples (Komiske, Metodiev, Thaler, JHEP 01 (2019) 121,
arXiv:1810.05165): Pythia 8 pp collisions, ``Z(-> nu nu) + jet`` with ``WeakBosonAndParton:qg2gmZq`` for
quark jets and ``WeakBosonAndParton:qqbar2gmZg`` for gluon jets, so the jet recoils against an invisible
boson. Jets are anti-kT (Cacciari, Salam, Soyez, JHEP 04 (2008) 063) on all visible final-state particles;
the leading jet is kept when its pT is in the window and ``|eta| < eta_max``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from qhep_contrast.exceptions import ConfigError

__all__ = ["JetRecipe", "JET_PROCESSES", "PYTHIA_SEED_MAX", "pythia_physics_settings", "pythia_settings"]

JET_PROCESSES: dict[int, str] = {1: "WeakBosonAndParton:qg2gmZq", 0: "WeakBosonAndParton:qqbar2gmZg"}
"""Pythia process switch per label: 1 = quark jet (q g -> Z q), 0 = gluon jet (q qbar -> Z g)."""

PYTHIA_SEED_MAX = 900_000_000
"""Pythia accepts ``Random:seed`` in ``1..900000000`` (0 would mean "seed from the clock")."""


@dataclass(frozen=True)
class JetRecipe:
    """Physics and image settings of the Z + jet quark/gluon sample (all validated on construction).

    Attributes:
        sqrt_s_gev: pp centre-of-mass energy in GeV.
        pthat_min_gev: ``PhaseSpace:pTHatMin``, a little below ``pt_min_gev`` so the window is populated.
        pt_min_gev, pt_max_gev: leading-jet pT window in GeV (``pt_min <= pT < pt_max``).
        eta_max: leading-jet acceptance ``|eta| < eta_max``.
        jet_radius: anti-kT radius ``R``.
        mpi: multi-parton interactions (``PartonLevel:MPI``), on by default.
        hadronisation: hadronisation (``HadronLevel:Hadronize``), on by default.
        tau0_max_mm: particles with ``c tau0`` above this (mm) are kept stable (K0S, Lambda, ...), the usual
            LHC generator-level definition of a final-state particle.
        n_pixels: image pixels per side.
        image_half_width: image half-width in both eta and phi.
        centre: ``"centroid"`` (pT-weighted, Komiske et al. 2017) or ``"axis"`` (the anti-kT jet axis).
        max_particles: stored constituents per jet (hardest first, zero-padded).
    """

    sqrt_s_gev: float = 14_000.0
    pthat_min_gev: float = 90.0
    pt_min_gev: float = 100.0
    pt_max_gev: float = 150.0
    eta_max: float = 2.0
    jet_radius: float = 0.4
    mpi: bool = True
    hadronisation: bool = True
    tau0_max_mm: float = 10.0
    n_pixels: int = 32
    image_half_width: float = 0.4
    centre: Literal["centroid", "axis"] = "centroid"
    max_particles: int = 100

    def __post_init__(self) -> None:
        checks = {
            "sqrt_s_gev > 0": self.sqrt_s_gev > 0,
            "0 <= pthat_min_gev": self.pthat_min_gev >= 0,
            "0 < pt_min_gev < pt_max_gev": 0 < self.pt_min_gev < self.pt_max_gev,
            "eta_max > 0": self.eta_max > 0,
            "0 < jet_radius <= 1.5": 0 < self.jet_radius <= 1.5,
            "tau0_max_mm > 0": self.tau0_max_mm > 0,
            "n_pixels >= 1": self.n_pixels >= 1,
            "image_half_width > 0": self.image_half_width > 0,
            "centre in ('centroid', 'axis')": self.centre in ("centroid", "axis"),
            "max_particles >= 1": self.max_particles >= 1,
        }
        failed = [rule for rule, ok in checks.items() if not ok]
        if failed:
            raise ConfigError(f"invalid JetRecipe ({', '.join(failed)} violated): {self}")

    def to_json(self) -> str:
        """All fields as a sorted JSON object (stored in the HDF5 attribute ``recipe``)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


def pythia_physics_settings(recipe: JetRecipe, label: int) -> list[str]:
    """The physics ``Pythia.readString`` lines of a label (everything but seeding and printing).

    Args:
        recipe: physics settings.
        label: 1 for quark jets (``qg2gmZq``), 0 for gluon jets (``qqbar2gmZg``).

    Returns:
        Settings in the order they are applied; ``23:onIfAny = 12 14 16`` makes the Z decay to neutrinos
        and ``WeakZ0:gmZmode = 2`` keeps only the Z (a virtual photon cannot decay to neutrinos anyway).
    """
    if label not in JET_PROCESSES:
        raise ConfigError(f"label must be 1 (quark) or 0 (gluon); got {label!r}.")
    on_off = {True: "on", False: "off"}
    return [
        f"Beams:eCM = {recipe.sqrt_s_gev}",
        f"{JET_PROCESSES[label]} = on",
        "WeakZ0:gmZmode = 2",
        "23:onMode = off",
        "23:onIfAny = 12 14 16",
        f"PhaseSpace:pTHatMin = {recipe.pthat_min_gev}",
        f"PartonLevel:MPI = {on_off[recipe.mpi]}",
        f"HadronLevel:Hadronize = {on_off[recipe.hadronisation]}",
        "ParticleDecays:limitTau0 = on",
        f"ParticleDecays:tau0Max = {recipe.tau0_max_mm}",
    ]


def pythia_settings(recipe: JetRecipe, label: int, seed: int) -> list[str]:
    """All ``Pythia.readString`` lines of one shard: physics, then ``Random:setSeed = on``, the seed, quiet output.

    Args:
        recipe: physics settings.
        label: 1 for quark jets, 0 for gluon jets.
        seed: Pythia seed in ``1..PYTHIA_SEED_MAX``.
    """
    if not 1 <= seed <= PYTHIA_SEED_MAX:
        raise ConfigError(f"Pythia seed must be in 1..{PYTHIA_SEED_MAX} (0 means clock time); got {seed}.")
    return [*pythia_physics_settings(recipe, label), "Random:setSeed = on", f"Random:seed = {seed}",
            "Next:numberCount = 0", "Print:quiet = on"]
