"""The dataset registry (``qhep list datasets``)."""

from __future__ import annotations

from qhep_contrast.registry import Registry

__all__ = ["DATASETS"]

DATASETS = Registry("dataset", tag="dataset", section="data", package="qhep_contrast.data.sources")
"""Every registered dataset; factory ``factory(options, seed, transform) -> LabelledImageDataset``."""
