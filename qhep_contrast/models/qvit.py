"""``[model] kind = "qvit"``: the hybrid quantum vision transformer (Unlu et al. 2024) or its classical twin.

The encoder is a :class:`~qhep_contrast.models.vit.VisionTransformer` with quantum attention, or with
``twin = true`` classical attention (same embedding, layers, readout and head; it is also the equal-width
classical control). ``control`` trains a control of the hybrid instead: ``"frozen_circuit"`` (the attention
circuits keep their initial weights) or ``"product_standin"`` (every attention circuit replaced by its
product-state stand-in, ``<Z_j> = cos x_j`` for the ``rx`` loader; see
:mod:`~qhep_contrast.models.vit_attention`). The head on the pooled
tokens is the paper's classifier (``Linear(d_t, 32) -> LeakyReLU -> Linear(32, 1)``: one logit, for the
``supervised`` objective), a SimCLR projection head (for contrastive objectives), or none. The model's
``embed`` is the pooled token vector in every case. The circuits are built in (``[circuit]`` is unused).
Seeds: transformer ``seed`` (circuit weights ``seed + 1 + 1000 l``), head ``seed + 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import nn

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models.controls import check_twin_or_control
from qhep_contrast.models.projection import ProjectionHead
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.models.vit import HYBRID_LAYERS, READOUTS, VisionTransformer, ViTClassifierHead
from qhep_contrast.models.vit_attention import CIRCUIT_CONTROLS, LOADERS, SIMULATIONS, split_heads
from qhep_contrast.models.vit_tokens import POSITIONAL
from qhep_contrast.options import option

__all__ = ["QViTOptions", "build_qvit"]

HEADS: tuple[str, ...] = ("classifier", "projection", "none")


@dataclass(frozen=True)
class QViTOptions:
    """``[model] kind = "qvit"``."""

    twin: bool = option(False, help="classical attention instead of quantum attention (the classical twin)")
    control: str = option("none", choices=CIRCUIT_CONTROLS,
                          help="a control of the hybrid: attention circuits frozen at their initial weights, or "
                               "replaced by their product-state stand-in (no entanglers, no trainable gates)")
    patch: list[int] = option([4, 8], low=1, high=1024, help="patch rows and columns; must tile the image")
    token_width: int = option(16, low=1, high=1024, help="token width d_t; divisible by heads")
    heads: int = option(4, low=1, high=64, help="attention heads n_h (d_t / n_h qubits per circuit)")
    layers: int = option(5, low=1, high=64, help="encoder layers n_l")
    readout: str = option("max", choices=READOUTS, help="cls: class token; max/mean: over tokens, per column")
    positional: str = option("constant", choices=POSITIONAL,
                             help="constant: the published fixed vector (same for every token); sinusoidal: per "
                                  "position")
    hybrid_layer: str = option("published", choices=HYBRID_LAYERS,
                               help="published: x + FFN(MHA(LN x)); residual: the classical layer's structure")
    loader: str = option("rx", choices=LOADERS,
                         help="token loader: rx (RX on |0>), h_ry, or h_rx (published: H then RX, which only adds a "
                              "global phase, so the circuits never see the token)")
    simulation: str = option("factored", choices=SIMULATIONS,
                             help="factored: per-head tail unitaries from the engine, tokens as Bloch vectors (exact, "
                                  "fast); engine: every token's circuit in the engine")
    init_scale: float = option(math.pi, low=0.0, low_open=True, help="circuit weights start U(-s, s)")
    head: str = option("classifier", choices=HEADS,
                       help="classifier: one logit (supervised); projection: SimCLR head; none")
    classifier_units: int = option(32, low=1, high=4096, help="hidden units of the classifier head")
    projection_dim: int = option(8, low=1, high=4096, help="projection head width (head = \"projection\")")
    projection_layers: int = option(2, low=1, high=8)


def _check(options: QViTOptions, path: str) -> None:
    if len(options.patch) != 2:
        raise ConfigError(f"{path}.patch = {options.patch} must be two numbers [rows, columns], e.g. [4, 8].")
    split_heads(options.token_width, options.heads, path)
    check_twin_or_control(options.twin, options.control, path, "attention circuits")


def _head(options: QViTOptions, width: int, seed: int) -> nn.Module | None:
    if options.head == "classifier":
        return ViTClassifierHead(width, options.classifier_units, seed=seed)
    if options.head == "projection":
        return ProjectionHead(width, out_features=options.projection_dim, num_layers=options.projection_layers,
                              seed=seed)
    return None


@MODELS.register("qvit", options=QViTOptions, check=_check,
                 traits=ModelTraits(uses_circuit=False, controls=CIRCUIT_CONTROLS[1:]),
                 help="hybrid quantum vision transformer (Unlu et al. 2024) or its classical twin")
def build_qvit(options: QViTOptions, *, image_shape: tuple[int, int, int], circuit: Any = None,
               execution: Any = None, seed: int = 0) -> SiameseEncoder:
    """The vision transformer and its head in a :class:`SiameseEncoder` (deterministic in ``seed``).

    Args:
        options: the ``[model]`` options.
        image_shape: ``(C, H, W)`` of the input images.
        circuit: unused (the attention circuits are built in).
        execution: must be None or exact: the quantum attention runs on the exact engine.
        seed: see the module docstring.

    Raises:
        ConfigError: the patch does not tile the images, or a non-exact executor for the hybrid.
    """
    kind = getattr(execution, "kind", "exact")
    if not options.twin and kind != "exact":
        raise ConfigError(f"model.kind = \"qvit\" runs its attention circuits on the exact engine only; got "
                          f"execution.kind = {kind!r}. Remove [execution] or set kind = \"exact\".")
    o = options
    encoder = VisionTransformer(image_shape, patch=(o.patch[0], o.patch[1]), width=o.token_width, heads=o.heads,
                                layers=o.layers, readout=o.readout, positional=o.positional, quantum=not o.twin,
                                hybrid_layer=o.hybrid_layer, loader=o.loader, simulation=o.simulation,
                                init_scale=o.init_scale, control=o.control, seed=seed)
    return SiameseEncoder(encoder, _head(o, encoder.representation_size, seed + 2))
