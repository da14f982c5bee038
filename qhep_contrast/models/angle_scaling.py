"""Bounded maps from unbounded front-end features to rotation angles."""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor, nn

from qhep_contrast._checks import check_real
from qhep_contrast.exceptions import ConfigError

__all__ = ["AngleScaling", "ScalingMode"]

ScalingMode = Literal["tanh", "sigmoid", "identity"]
_MODES: tuple[str, ...] = ("tanh", "sigmoid", "identity")


class AngleScaling(nn.Module):
    r"""Map features ``x`` to rotation angles, element-wise and without trainable parameters.

    * ``"tanh"`` (default): ``theta = s * tanh(x)`` in ``(-s, s)``; with ``s = pi`` it covers a full turn
      of an ``RY``/``RX`` rotation once, so distinct small features never alias.
    * ``"sigmoid"``: ``theta = s * sigmoid(x)`` in ``(0, s)``; with ``s = pi`` an ``RY(theta)|0>`` encoding
      gives ``<Z> = cos(theta)``, a strictly monotonic (injective) map of ``x``.
    * ``"identity"``: ``theta = x`` (``scale`` is ignored); the front-end must keep angles sensible itself.

    Both bounded maps have non-zero derivative everywhere, so gradients reach the front-end.

    Args:
        mode: ``"tanh"``, ``"sigmoid"`` or ``"identity"``.
        scale: ``s > 0`` (default ``pi``).

    Shapes:
        Any shape in, the same shape out.
    """

    def __init__(self, mode: ScalingMode = "tanh", scale: float = math.pi) -> None:
        super().__init__()
        if mode not in _MODES:
            raise ConfigError(f"{type(self).__name__}: mode must be one of {_MODES}, got {mode!r}.")
        self.mode: ScalingMode = mode
        self.scale = check_real(type(self).__name__, "scale", scale, low=0.0, low_open=True)

    def forward(self, features: Tensor) -> Tensor:
        """Return the angles (see the class docstring)."""
        if self.mode == "tanh":
            return self.scale * torch.tanh(features)
        if self.mode == "sigmoid":
            return self.scale * torch.sigmoid(features)
        return features

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, scale={self.scale:g}"
