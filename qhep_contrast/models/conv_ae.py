"""``[model] kind = "conv_ae"``: a small convolutional autoencoder; anomaly score = reconstruction BCE.

``(1, S, S)`` -> ``Conv(1, c1, 3) ReLU MaxPool(2)`` -> ``Conv(c1, c2, 3) ReLU MaxPool(2)`` -> ``Linear(.., latent)``
-> ``Linear(latent, ..) ReLU`` -> ``ConvT(c2, c2, 2, stride 2) ReLU`` -> ``ConvT(c2, c1, 2, stride 2) ReLU`` ->
``Conv(c1, 1, 3)`` -> sigmoid (``S`` divisible by 4). At ``S = 12`` with the defaults (``c = (8, 8)``,
``latent = 12``) it has 3,077 parameters, the size of the classical baseline of T. Magorsch's ``hep-VQAE``
study (about 3,200). Seed: ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.anomaly_base import AnomalyModel, bce_scores
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.options import option

__all__ = ["ConvAutoencoder", "ConvAEOptions", "build_conv_ae"]


class ConvAutoencoder(AnomalyModel):
    """The convolutional autoencoder (see the module docstring); ``scores`` = per-image BCE.

    Args:
        image_shape: ``(C, S, S)`` with ``S`` divisible by 4.
        channels: ``(c1, c2)``.
        latent: bottleneck width.
        seed: initialisation seed.
    """

    score_name = "reconstruction BCE"

    def __init__(self, image_shape: tuple[int, int, int], channels: tuple[int, int] = (8, 8), latent: int = 12,
                 seed: int = 0) -> None:
        super().__init__(image_shape)
        c, size, width = self.image_shape
        if size != width or size % 4:
            raise ConfigError(f"conv_ae needs square images with a side divisible by 4, got {size}x{width}; set "
                              "data.image_size (e.g. 12).")
        c1, c2 = channels
        cells = c2 * (size // 4) ** 2
        with seeded(seed):
            self.encode = nn.Sequential(
                nn.Conv2d(c, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(cells, latent))
            self.decode = nn.Sequential(
                nn.Linear(latent, cells), nn.ReLU(), nn.Unflatten(1, (c2, size // 4, size // 4)),
                nn.ConvTranspose2d(c2, c2, 2, stride=2), nn.ReLU(),
                nn.ConvTranspose2d(c2, c1, 2, stride=2), nn.ReLU(),
                nn.Conv2d(c1, c, 3, padding=1), nn.Sigmoid())

    def reconstruct(self, images: Tensor) -> Tensor:
        """``(B, C, S, S)`` reconstructions in ``(0, 1)``."""
        return self.decode(self.encode(self.check_images(images)))

    def scores(self, images: Tensor) -> Tensor:
        """Per-image BCE of the reconstruction."""
        return bce_scores(self.reconstruct(images), images)


@dataclass(frozen=True)
class ConvAEOptions:
    """``[model] kind = "conv_ae"``."""

    channels: list[int] = option([8, 8], low=1, high=256, help="channels of the two conv blocks (c1, c2)")
    latent: int = option(12, low=1, high=4096, help="bottleneck width")


def _check(options: ConvAEOptions, path: str) -> None:
    if len(options.channels) != 2:
        raise ConfigError(f"{path}.channels must hold two channel counts (c1, c2), got {options.channels}.")


@MODELS.register("conv_ae", options=ConvAEOptions, check=_check, traits=ModelTraits(uses_circuit=False),
                 help="classical convolutional autoencoder (score: reconstruction BCE), about 3,100 parameters")
def build_conv_ae(options: ConvAEOptions, *, image_shape: tuple[int, int, int], circuit: Any = None,
                  execution: Any = None, seed: int = 0) -> ConvAutoencoder:
    """The convolutional autoencoder (deterministic in ``seed``)."""
    c1, c2 = options.channels
    return ConvAutoencoder(image_shape, (c1, c2), options.latent, seed)
