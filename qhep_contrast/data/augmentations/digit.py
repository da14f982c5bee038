"""``[views] kind = "digit"``: small affine maps plus Gaussian noise for digit images."""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.data.augmentations.registry import VIEWS
from qhep_contrast.data.views import Augment, digit_augment
from qhep_contrast.options import option

__all__ = ["DigitViewOptions"]


@dataclass(frozen=True)
class DigitViewOptions:
    """``[views] kind = "digit"``."""

    max_degrees: float = option(15.0, low=0.0, high=180.0, help="rotation range in degrees")
    affine_shift: float = option(1.0, low=0.0, high=64.0, help="translation range in pixels")
    noise: float = option(0.05, low=0.0, high=10.0, help="Gaussian noise std")


@VIEWS.register("digit", options=DigitViewOptions, help="digit views: small rotations and shifts, Gaussian noise")
def _digit(options: DigitViewOptions) -> Augment:
    return digit_augment(options.affine_shift, options.max_degrees, options.noise)
