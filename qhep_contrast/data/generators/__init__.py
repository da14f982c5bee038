"""Data generators: Pythia 8 quark/gluon jets and a SYNTHETIC electron/photon ECAL toy.

* Jets (needs the ``generate`` extra: ``pythia8mc==8.317.2``, ``fastjet``; imported lazily):
  :func:`generate_jets` writes the quark/gluon schema (``X_jets``, ``y``, ``pt``, ``m0`` + particle lists)
  from Z(->nu nu) + jet events; :func:`generate_jet_shard` is one seeded Pythia run; the image code
  (:func:`pixelise`, :func:`detector_channel_weights`, :func:`jet_file_arrays`) is pure numpy.
* e/gamma (numpy only): :func:`generate_egamma` / :func:`simulate_egamma` write/return the e/gamma schema
  (``X`` ``(N, 32, 32, 2)``, ``y``), marked ``synthetic=True``.

Names are imported lazily on first access, so reading e.g. :class:`JetRecipe` defaults does not import
numpy, h5py or the event generators.
"""

from __future__ import annotations

from qhep_contrast.data._lazy import lazy_names

_SOURCES: dict[str, str] = {
    "EgammaGenerationReport": "qhep_contrast.data.generators.egamma_generation",
    "egamma_labels": "qhep_contrast.data.generators.egamma_generation",
    "generate_egamma": "qhep_contrast.data.generators.egamma_generation",
    "CRYSTAL_SIZE": "qhep_contrast.data.generators.egamma_toy",
    "EgammaToyConfig": "qhep_contrast.data.generators.egamma_config",
    "simulate_egamma": "qhep_contrast.data.generators.egamma_toy",
    "H5Appender": "qhep_contrast.data.generators.h5_writer",
    "JetConstituents": "qhep_contrast.data.generators.jet_arrays",
    "PARTICLE_COLUMNS": "qhep_contrast.data.generators.jet_arrays",
    "jet_file_arrays": "qhep_contrast.data.generators.jet_arrays",
    "JetGenerationReport": "qhep_contrast.data.generators.jet_generation",
    "generate_jets": "qhep_contrast.data.generators.jet_generation",
    "JET_CHANNELS": "qhep_contrast.data.generators.jet_images",
    "detector_channel_weights": "qhep_contrast.data.generators.jet_images",
    "pixelise": "qhep_contrast.data.generators.jet_images",
    "pt_weighted_centroid": "qhep_contrast.data.generators.jet_images",
    "wrap_phi": "qhep_contrast.data.generators.jet_images",
    "JetRecipe": "qhep_contrast.data.generators.jet_recipe",
    "pythia_physics_settings": "qhep_contrast.data.generators.jet_recipe",
    "pythia_settings": "qhep_contrast.data.generators.jet_recipe",
    "generate_jet_shard": "qhep_contrast.data.generators.pythia_jets",
    "JetShard": "qhep_contrast.data.generators.sharding",
    "plan_shards": "qhep_contrast.data.generators.sharding",
    "shard_seed": "qhep_contrast.data.generators.sharding",
}
"""Public name -> defining module; the module is imported on first access of the name."""

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


__getattr__, __dir__ = lazy_names(__name__, _SOURCES)
