"""``[views] kind = "jet"``: physics-respecting views of jet images (rotations, reflections, shifts, smearing)."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.augmentations.registry import VIEWS
from qhep_contrast.data.views import Augment, jet_augment
from qhep_contrast.options import option

__all__ = ["JetViewOptions"]


@dataclass(frozen=True)
class JetViewOptions:
    """``[views] kind = "jet"``."""

    rotation: str = option("any", choices=("any", "90", "none"), help="rotations about the jet axis")
    flips: bool = option(True, help="reflections in eta and phi")
    max_shift: int = option(1, low=0, high=64, help="translations in whole pixels")
    dropout: float = option(0.0, low=0.0, high=1.0, high_open=True, help="pixel-dropout probability")
    smear: float = option(0.0, low=0.0, high=10.0, help="log-normal energy smearing sigma")


@VIEWS.register("jet", options=JetViewOptions, help="jet-image views: rotations about the axis, flips, shifts, "
                "pixel dropout, energy smearing")
def _jet(options: JetViewOptions) -> Augment:
    return jet_augment(options.rotation, options.flips, options.max_shift, options.dropout, options.smear)
