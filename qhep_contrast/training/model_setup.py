"""Build the circuit and the model of a run from its ``[circuit]`` and ``[model]`` tables.

The model is a :class:`~qhep_contrast.models.SiameseEncoder` around a hybrid encoder
(``ConvFrontEnd -> AngleScaling -> QuantumLayer -> head``) or, with ``model.twin = true``, around its
parameter-matched classical twin (:func:`~qhep_contrast.models.classical_twin` of the hybrid built with
the same seed, so both start from the same front-end and head), plus an optional SimCLR projection head.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from torch import nn

from qhep_contrast import circuits
from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.models import ProjectionHead, SiameseEncoder, build_hybrid_encoder, classical_twin
from qhep_contrast.training.config import CircuitConfig, RunConfig
from qhep_contrast.training.config_fields import did_you_mean

__all__ = ["build_circuit", "build_model", "circuit_weights"]


def _builder(name: str) -> Callable[..., CircuitSpec]:
    builder = getattr(circuits, name, None)
    if builder is None:
        raise ConfigError(f"circuit builder {name!r} is not available in qhep_contrast.circuits.")
    return builder


def _call(section: str, name: str, num_qubits: int, args: dict[str, Any]) -> CircuitSpec:
    """``builder(num_qubits, **args)`` with unknown or invalid argument names reported as ConfigError."""
    builder = _builder(name)
    params = [p for p in inspect.signature(builder).parameters if p != "num_qubits"]
    for key in args:
        if key not in params:
            raise ConfigError(f"circuit.{section}_args.{key} is not an argument of {name}."
                              f"{did_you_mean(key, params)} Its arguments: {', '.join(params)}.")
    values = {k: list(v) if isinstance(v, list) else v for k, v in args.items()}
    return builder(num_qubits, **values)


def build_circuit(circuit: CircuitConfig) -> CircuitSpec:
    """``compose(encoder, ansatz)`` (or the encoder alone for ``ansatz = "none"``)."""
    encoder = _call("encoder", circuit.encoder, circuit.num_qubits, circuit.encoder_args)
    if circuit.ansatz == "none":
        if circuit.ansatz_args:
            raise ConfigError("circuit.ansatz = \"none\" takes no circuit.ansatz_args; remove them.")
        return encoder
    ansatz = _call("ansatz", circuit.ansatz, circuit.num_qubits, circuit.ansatz_args)
    return circuits.compose(encoder, ansatz)


def build_model(config: RunConfig, image_shape: tuple[int, int, int],
                execution: ExecutionConfig | None = None) -> SiameseEncoder:
    """The run's model (deterministic in ``config.seed``).

    Args:
        config: the run configuration.
        image_shape: ``(C, H, W)`` of the input images.
        execution: executor of the quantum layer (None: the exact engine); e.g. ``ExecutionConfig(kind="aer")``
            to evaluate trained weights on Aer.

    Seeds: front-end ``seed``, circuit weights ``seed + 1``, head ``seed + 2`` (inside
    :func:`~qhep_contrast.models.build_hybrid_encoder`), twin MLP ``seed + 3``, projection ``seed + 4``.
    """
    m = config.model
    channels, height, width = image_shape
    encoder = build_hybrid_encoder(
        channels, (height, width), build_circuit(config.circuit), output=m.output,
        conv_channels=tuple(m.conv_channels), kernel_size=m.kernel_size, pool_size=m.pool_size,
        dense_units=m.dense_units, head_units=tuple(m.head_units), scaling=m.scaling, scale=m.scale,
        execution=execution, init=m.init, init_scale=m.init_scale, seed=config.seed)
    if m.twin:
        encoder = classical_twin(encoder, seed=config.seed + 3, tolerance=m.twin_tolerance)
    projection = None
    if m.projection_dim:
        projection = ProjectionHead(encoder.representation_size, out_features=m.projection_dim,
                                    num_layers=m.projection_layers, seed=config.seed + 4)
    return SiameseEncoder(encoder, projection)


def circuit_weights(model: nn.Module) -> list[nn.Parameter]:
    """The trainable circuit weights of ``model`` (the ``weight`` of every quantum layer; empty for a twin)."""
    return [module.weight for module in model.modules()
            if hasattr(module, "spec") and isinstance(getattr(module, "weight", None), nn.Parameter)]
