"""Data generators: Pythia 8 quark/gluon jets and a SYNTHETIC electron/photon ECAL toy.

* Jets (needs the ``generate`` extra: ``pythia8mc==8.317.2``, ``fastjet``; imported lazily):
  :func:`generate_jets` writes the quark/gluon schema (``X_jets``, ``y``, ``pt``, ``m0`` + particle lists)
  from Z(->nu nu) + jet events; :func:`generate_jet_shard` is one seeded Pythia run; the image code
  (:func:`pixelise`, :func:`detector_channel_weights`, :func:`jet_file_arrays`) is pure numpy.
* e/gamma (numpy only): :func:`generate_egamma` / :func:`simulate_egamma` write/return the e/gamma schema
  (``X`` ``(N, 32, 32, 2)``, ``y``), marked ``synthetic=True``.
"""

from __future__ import annotations

from qhep_contrast.data.generators.egamma_generation import EgammaGenerationReport, egamma_labels, generate_egamma
from qhep_contrast.data.generators.egamma_toy import CRYSTAL_SIZE, EgammaToyConfig, simulate_egamma
from qhep_contrast.data.generators.h5_writer import H5Appender
from qhep_contrast.data.generators.jet_arrays import PARTICLE_COLUMNS, JetConstituents, jet_file_arrays
from qhep_contrast.data.generators.jet_generation import JetGenerationReport, generate_jets
from qhep_contrast.data.generators.jet_images import (
    JET_CHANNELS,
    detector_channel_weights,
    pixelise,
    pt_weighted_centroid,
    wrap_phi,
)
from qhep_contrast.data.generators.jet_recipe import JetRecipe, pythia_physics_settings, pythia_settings
from qhep_contrast.data.generators.pythia_jets import generate_jet_shard
from qhep_contrast.data.generators.sharding import JetShard, plan_shards, shard_seed

__all__ = [
    "CRYSTAL_SIZE",
    "EgammaGenerationReport",
    "EgammaToyConfig",
    "H5Appender",
    "JET_CHANNELS",
    "JetConstituents",
    "JetGenerationReport",
    "JetRecipe",
    "JetShard",
    "PARTICLE_COLUMNS",
    "detector_channel_weights",
    "egamma_labels",
    "generate_egamma",
    "generate_jet_shard",
    "generate_jets",
    "jet_file_arrays",
    "pixelise",
    "plan_shards",
    "pt_weighted_centroid",
    "pythia_physics_settings",
    "pythia_settings",
    "shard_seed",
    "simulate_egamma",
    "wrap_phi",
]
