"""``[model] kind = "hybrid_cnn"``: conv front-end -> angle scaling -> quantum layer -> head, in a Siamese wrapper.

The encoder is :func:`~qhep_contrast.models.build_hybrid_encoder` around the ``[circuit]`` circuit, one of its
controls (``control = "frozen_circuit" | "product_standin" | "equal_width_twin"``, see
:mod:`~qhep_contrast.models.controls`) or, with ``twin = true``, its parameter-matched classical twin (:func:`~qhep_contrast.models.classical_twin` of the
hybrid built with the same seed, so both start from the same front-end and head), plus an optional SimCLR
projection head. Seeds: front-end ``seed``, circuit weights ``seed + 1``, head ``seed + 2``, twin MLP
``seed + 3``, projection ``seed + 4``, equal-width dense core ``seed + 5``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models.classical_twin import classical_twin
from qhep_contrast.models.controls import CONTROLS, apply_control, check_twin_or_control
from qhep_contrast.models.hybrid_encoder import build_hybrid_encoder
from qhep_contrast.models.projection import ProjectionHead
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.options import option
from qhep_contrast.qnn.layer import INITS
from qhep_contrast.qnn.runners import OUTPUTS, Output

__all__ = ["HybridCNNOptions", "build_hybrid_cnn"]


@dataclass(frozen=True)
class HybridCNNOptions:
    """``[model] kind = "hybrid_cnn"``."""

    twin: bool = option(False, help="replace the quantum layer by its parameter-matched classical twin")
    control: str = option("none", choices=CONTROLS,
                          help="a control of the hybrid: circuit frozen at its initial weights, its product-state "
                               "stand-in, or an equal-width dense layer (none: the hybrid itself)")
    output: str = option("expectation", choices=OUTPUTS, help="quantum layer output (state: for fidelity losses)")
    conv_channels: list[int] = option([16, 32], low=1, high=1024, help="channels of each conv block")
    kernel_size: int = option(3, low=1, high=15)
    pool_size: int = option(2, low=1, high=8)
    dense_units: int = option(32, low=1, high=4096, help="dense layer before the angle scaling")
    head_units: list[int] = option([], low=1, high=4096, help="dense ReLU layers after the quantum layer")
    scaling: str = option("tanh", choices=("tanh", "sigmoid", "identity"), help="features -> angles")
    scale: float = option(math.pi, low=0.0, low_open=True, help="angle range of the scaling")
    init: str = option("uniform", choices=INITS, help="circuit weight initialisation")
    init_scale: float = option(math.pi, low=0.0, low_open=True, help="circuit weight initialisation scale")
    projection_dim: int = option(0, low=0, high=4096, help="SimCLR projection head width (0: no projection head)")
    projection_layers: int = option(2, low=1, high=8)
    twin_tolerance: float = option(0.05, low=0.0, high=1.0, high_open=True,
                                   help="allowed relative parameter-count mismatch of the twin")


def _check(options: HybridCNNOptions, path: str) -> None:
    check_twin_or_control(options.twin, options.control, path)
    if options.output == "state" and (options.head_units or options.projection_dim):
        raise ConfigError(f"{path}.output = \"state\" feeds statevectors straight to the fidelity loss: set "
                          f"{path}.head_units = [] and {path}.projection_dim = 0.")


@MODELS.register("hybrid_cnn", options=HybridCNNOptions, check=_check,
                 traits=ModelTraits(uses_circuit=True, outputs=OUTPUTS, controls=CONTROLS[1:]),
                 help="conv front-end -> angles -> quantum layer [-> head] (or its classical twin), Siamese")
def build_hybrid_cnn(options: HybridCNNOptions, *, image_shape: tuple[int, int, int], circuit: CircuitSpec,
                     execution: Any = None, seed: int = 0) -> SiameseEncoder:
    """The hybrid CNN encoder (or its twin) in a :class:`SiameseEncoder` (deterministic in ``seed``).

    Args:
        options: the ``[model]`` options.
        image_shape: ``(C, H, W)`` of the input images.
        circuit: the quantum layer's circuit.
        execution: executor of the quantum layer (None: the exact engine).
        seed: see the module docstring.
    """
    o = options
    channels, height, width = image_shape
    encoder = build_hybrid_encoder(
        channels, (height, width), circuit, output=cast(Output, o.output),
        conv_channels=tuple(o.conv_channels),
        kernel_size=o.kernel_size, pool_size=o.pool_size, dense_units=o.dense_units, head_units=tuple(o.head_units),
        scaling=o.scaling, scale=o.scale, execution=execution, init=o.init, init_scale=o.init_scale, seed=seed)  # type: ignore[arg-type]
    if o.twin:
        encoder = classical_twin(encoder, seed=seed + 3, tolerance=o.twin_tolerance)
    elif o.control != "none":
        encoder.core = apply_control(encoder.core, o.control, seed=seed + 5)  # type: ignore[arg-type]
    projection = None
    if o.projection_dim:
        projection = ProjectionHead(encoder.representation_size, out_features=o.projection_dim,
                                    num_layers=o.projection_layers, seed=seed + 4)
    return SiameseEncoder(encoder, projection)
