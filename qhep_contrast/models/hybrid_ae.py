"""``[model] kind = "hybrid_ae"``: hybrid autoencoder with a patch re-uploading circuit as its latent layer.

``(1, 12, 12)`` -> ``Conv(1, 12, 4)`` ReLU (9 x 9) -> ``Conv(12, 10, 2, same)`` ReLU -> ``Conv(10, 1, 2, same)``
sigmoid -> the 9 x 9 map as angles of a 16-qubit patch re-uploading circuit (16 overlapping 3 x 3 patches,
stride 2, ``drcs`` blocks, :func:`~qhep_contrast.circuits.patch_reuploading_encoder`) -> ``<Z_q>`` (16 latent
values) -> ``Linear(16, 81)`` ReLU -> ``ConvT(1, 12, 4)`` ReLU (12 x 12) -> ``Conv(12, 1, 2, same)`` sigmoid.
"same" for even kernels pads one row and column at the bottom and right. The layers are those of
T. Magorsch's ``hep-VQAE`` hybrid autoencoder: 2,365 classical parameters and ``288 * drcs`` circuit weights
(2,941 at ``drcs = 2``). Score: per-image reconstruction BCE. Seeds: classical layers ``seed``, circuit
weights ``seed + 1``, the equal-width control's dense layer ``seed + 5``.

``control`` (:mod:`~qhep_contrast.models.controls`) keeps everything but the circuit: frozen at its initial
weights, replaced by its product-state stand-in, or by ``Linear(81, 16)`` + tanh (the equal-width control).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from qhep_contrast.circuits.patches import patch_reuploading_encoder
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.anomaly_base import AnomalyModel, bce_scores
from qhep_contrast.models.controls import CONTROLS, apply_control
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.options import option
from qhep_contrast.qnn.layer import INITS, QuantumLayer

__all__ = ["HybridAutoencoder", "HybridAEOptions", "build_hybrid_ae"]

_IMAGE, _MAP = 12, 9


def _same_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    """A 2 x 2 convolution with "same" output size (pad right and bottom by one)."""
    return nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(in_channels, out_channels, 2))


class HybridAutoencoder(AnomalyModel):
    """The hybrid autoencoder (see the module docstring).

    Args:
        drcs: re-upload blocks of the circuit.
        execution: executor of the quantum layer (None: exact engine).
        init, init_scale: circuit weight initialisation.
        angle_scale: the 9 x 9 map (in ``(0, 1)``) is multiplied by this before entering the circuit.
        control: one of :data:`~qhep_contrast.models.controls.CONTROLS` (``"none"``: the hybrid).
        seed: see the module docstring.
    """

    score_name = "reconstruction BCE"

    def __init__(self, drcs: int = 2, *, execution: Any = None, init: str = "uniform", init_scale: float = 1.0,
                 angle_scale: float = math.pi, control: str = "none", seed: int = 0) -> None:
        super().__init__((1, _IMAGE, _IMAGE))
        self.angle_scale = float(angle_scale)
        spec = patch_reuploading_encoder(_MAP, 3, 2, drcs)
        with seeded(seed):
            self.down = nn.Sequential(nn.Conv2d(1, 12, 4), nn.ReLU(), _same_conv(12, 10), nn.ReLU(),
                                      _same_conv(10, 1), nn.Sigmoid(), nn.Flatten())
            self.up = nn.Sequential(nn.Linear(spec.num_qubits, _MAP * _MAP), nn.ReLU(),
                                    nn.Unflatten(1, (1, _MAP, _MAP)), nn.ConvTranspose2d(1, 12, 4), nn.ReLU(),
                                    _same_conv(12, 1), nn.Sigmoid())
        layer = QuantumLayer(spec, execution=execution, init=init, init_scale=init_scale, seed=seed + 1)
        self.circuit: nn.Module = apply_control(layer, control, seed=seed + 5)

    def latent(self, images: Tensor) -> Tensor:
        """``(B, 16)`` latent values ``<Z_q>``."""
        return self.circuit(self.down(self.check_images(images)) * self.angle_scale).to(images.dtype)

    def scores(self, images: Tensor) -> Tensor:
        """Per-image BCE of the reconstruction."""
        return bce_scores(self.up(self.latent(images)), images)


@dataclass(frozen=True)
class HybridAEOptions:
    """``[model] kind = "hybrid_ae"``."""

    drcs: int = option(2, low=1, high=16, help="re-upload blocks of the 16-qubit circuit (288 weights each)")
    init: str = option("uniform", choices=INITS, help="circuit weight initialisation")
    init_scale: float = option(1.0, low=0.0, low_open=True, help="circuit weight initialisation scale")
    angle_scale: float = option(math.pi, low=0.0, low_open=True, help="factor from the 9x9 map to circuit inputs")
    control: str = option("none", choices=CONTROLS,
                          help="a control of the hybrid: circuit frozen at its initial weights, its product-state "
                               "stand-in, or an equal-width dense layer (none: the hybrid)")


@MODELS.register("hybrid_ae", options=HybridAEOptions,
                 traits=ModelTraits(uses_circuit=False, controls=CONTROLS[1:]),
                 help="conv -> 9x9 -> 16-qubit patch re-uploading circuit -> dense + transposed conv (BCE score)")
def build_hybrid_ae(options: HybridAEOptions, *, image_shape: tuple[int, int, int], circuit: Any = None,
                    execution: Any = None, seed: int = 0) -> HybridAutoencoder:
    """The hybrid autoencoder (deterministic in ``seed``); ``image_shape`` must be ``(1, 12, 12)``.

    Raises:
        ConfigError: other image shapes.
    """
    if tuple(image_shape) != (1, _IMAGE, _IMAGE):
        raise ConfigError(f"model.kind = \"hybrid_ae\" takes one-channel 12x12 images, the data give "
                          f"{tuple(image_shape)}; set data.channels = [\"ECAL\"] and data.image_size = 12.")
    o = options
    return HybridAutoencoder(o.drcs, execution=execution, init=o.init, init_scale=o.init_scale,
                             angle_scale=o.angle_scale, control=o.control, seed=seed)
