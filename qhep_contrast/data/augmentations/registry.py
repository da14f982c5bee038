"""The view-augmentation registry (``qhep list views``)."""

from __future__ import annotations

from qhep_contrast.registry import Registry

__all__ = ["VIEWS"]

VIEWS = Registry("view kind", tag="kind", section="views", package="qhep_contrast.data.augmentations")
"""Every registered augmentation family; factory ``factory(options) -> Augment | None``."""
