"""``[views] kind = "none"``: no augmentation (objectives that compare views refuse it)."""

from __future__ import annotations

from qhep_contrast.data.augmentations.registry import VIEWS
from qhep_contrast.registry import NoOptions

__all__: list[str] = []


@VIEWS.register("none", help="no augmentation")
def _none(options: NoOptions) -> None:
    return None
