"""View augmentations by name: ``[views] kind = "..."`` picks one; each module here registers one family.

Factory convention: ``factory(options) -> Augment | None`` (None: no augmentation).
"""

from qhep_contrast.data.augmentations.registry import VIEWS

__all__ = ["VIEWS"]
