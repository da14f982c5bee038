"""The (hybrid quantum) vision transformer of Unlu et al. (2024) and its classical twin.

``image -> patches -> Linear(P -> d_t) [+ positional code] [class token] -> n_l encoder layers -> readout``,
with the readout ``"cls"`` (the class token after the last layer), ``"max"`` or ``"mean"`` (over the
tokens, per column). Encoder layers (``LN``: layer norm without affine parameters; ``FFN``:
``Linear(d_t, d_t) -> GELU -> Linear(d_t, d_t)``):

* classical (:class:`~qhep_contrast.models.vit_attention.ClassicalAttention`), and the hybrid with
  ``hybrid_layer = "residual"``: ``r = x + MHA(LN(x))``, ``out = r + FFN(LN(r))``;
* hybrid as published (``hybrid_layer = "published"``, quantum attention): ``out = x + FFN(MHA(LN(x)))``.

Trainable parameters at the paper's setting (``P = 32``, ``d_t = 16``, ``n_h = 4``, ``n_l = 5``, the
classifier ``Linear(16, 32) -> LeakyReLU -> Linear(32, 1)``): embedding 528, per layer FFN 544 plus
attention 192 (classical) or 152 (hybrid), classifier 577, class token 16: 4785 / 4801 (classical,
max-or-mean / class token) and 4585 / 4601 (hybrid). The positional code is not trainable.
"""

from __future__ import annotations

import math
from typing import Literal

import torch.nn.functional as F
from torch import Tensor, nn

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.vit_attention import ClassicalAttention, QuantumAttention
from qhep_contrast.models.vit_tokens import PatchEmbedding

__all__ = ["READOUTS", "HYBRID_LAYERS", "EncoderLayer", "VisionTransformer", "ViTClassifierHead"]

READOUTS: tuple[str, ...] = ("cls", "max", "mean")
"""Readouts of the token matrix: the class token, the column maximum, the column mean."""

HYBRID_LAYERS: tuple[str, ...] = ("published", "residual")
"""Layer structures of the hybrid: as published (no residual around attention, one LN) or the classical one."""

Readout = Literal["cls", "max", "mean"]


def _ffn(width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width))


class EncoderLayer(nn.Module):
    """One encoder layer around an attention module (see the module docstring).

    Args:
        attention: a :class:`ClassicalAttention` or :class:`QuantumAttention`.
        width: token width ``d_t``.
        residual: the classical structure ``r = x + MHA(LN(x)); r + FFN(LN(r))``; otherwise the published
            hybrid one ``x + FFN(MHA(LN(x)))``.
    """

    def __init__(self, attention: nn.Module, width: int, *, residual: bool) -> None:
        super().__init__()
        self.attention = attention
        self.ffn = _ffn(width)
        self.residual = residual

    def forward(self, x: Tensor) -> Tensor:
        width = x.shape[-1]
        attended = self.attention(F.layer_norm(x, (width,)))
        if not self.residual:
            return x + self.ffn(attended)
        r = x + attended
        return r + self.ffn(F.layer_norm(r, (width,)))


class VisionTransformer(nn.Module):
    """Images ``(B, C, H, W)`` -> pooled tokens ``(B, d_t)`` (see the module docstring).

    Args:
        image_shape: ``(C, H, W)``.
        patch: ``(p_h, p_w)``; must tile the image.
        width: token width ``d_t``.
        heads: ``n_h``; must divide ``d_t``.
        layers: ``n_l``.
        readout: one of :data:`READOUTS`.
        positional: ``"none"``, ``"constant"`` or ``"sinusoidal"`` (see :mod:`~qhep_contrast.models.vit_tokens`).
        quantum: quantum attention (the hybrid) instead of classical attention.
        hybrid_layer: ``"published"`` or ``"residual"`` (hybrid only; the classical layer is always residual).
        loader: token loader of the quantum attention (see
            :data:`~qhep_contrast.models.vit_attention.LOADERS`; ``"h_rx"`` is the published one, which loads
            nothing).
        simulation: ``"factored"`` or ``"engine"`` (see :data:`~qhep_contrast.models.vit_attention.SIMULATIONS`).
        init_scale: circuit weights start ``U(-init_scale, init_scale)``.
        control: a control of the quantum attention (see
            :data:`~qhep_contrast.models.vit_attention.CIRCUIT_CONTROLS`; hybrid only).
        seed: classical weights ``seed``, circuit weights of layer ``l`` ``seed + 1 + 1000 l``.
        path: config path for messages.

    Raises:
        ConfigError: the patch does not tile the image, ``heads`` does not divide ``width``, or an unknown
            readout/positional code.
    """

    def __init__(self, image_shape: tuple[int, int, int], *, patch: tuple[int, int] = (4, 8), width: int = 16,
                 heads: int = 4, layers: int = 5, readout: str = "max", positional: str = "none",
                 quantum: bool = False, hybrid_layer: str = "published", loader: str = "rx",
                 simulation: str = "factored", init_scale: float = math.pi, control: str = "none",
                 seed: int | None = None, path: str = "model") -> None:
        super().__init__()
        if readout not in READOUTS:
            raise ConfigError(f"{path}.readout = {readout!r} is not a readout; choose one of {READOUTS} "
                              "(class token, column max, column mean).")
        if hybrid_layer not in HYBRID_LAYERS:
            raise ConfigError(f"{path}.hybrid_layer = {hybrid_layer!r}: choose one of {HYBRID_LAYERS}.")
        self.readout, self.quantum, self.width = readout, quantum, width
        residual = not quantum or hybrid_layer == "residual"
        with seeded(seed):
            self.tokens = PatchEmbedding(image_shape, patch, width, positional=positional,
                                         class_token=readout == "cls", path=path)
            attentions = [QuantumAttention(width, heads, loader=loader, simulation=simulation, init_scale=init_scale,
                                           control=control, path=path,
                                           seed=None if seed is None else seed + 1 + 1000 * i) if quantum
                          else ClassicalAttention(width, heads, path=path) for i in range(layers)]
            self.layers = nn.ModuleList([EncoderLayer(a, width, residual=residual) for a in attentions])

    @property
    def representation_size(self) -> int:
        """Width of the pooled representation, ``d_t``."""
        return self.width

    def encode(self, images: Tensor) -> Tensor:
        """The tokens after the last layer, ``(B, n_t [+1], d_t)``."""
        x = self.tokens(images)
        for layer in self.layers:
            x = layer(x)
        return x

    def forward(self, images: Tensor) -> Tensor:
        x = self.encode(images)
        if self.readout == "cls":
            return x[:, 0]
        if self.readout == "max":
            return x.max(dim=1).values
        return x.mean(dim=1)


class ViTClassifierHead(nn.Module):
    """``Linear(d_t, hidden) -> LeakyReLU -> Linear(hidden, 1)``: one logit per sample, ``(B, d_t) -> (B, 1)``."""

    def __init__(self, width: int, hidden: int = 32, *, seed: int | None = None) -> None:
        super().__init__()
        with seeded(seed):
            self.net = nn.Sequential(nn.Linear(width, hidden), nn.LeakyReLU(), nn.Linear(hidden, 1))

    def forward(self, representation: Tensor) -> Tensor:
        return self.net(representation)

