"""Find the trainable circuit weights of a model (for their own learning rate and parameter counts)."""

from __future__ import annotations

from typing import cast

from torch import nn

__all__ = ["circuit_weights"]


def circuit_weights(model: nn.Module) -> list[nn.Parameter]:
    """The trainable circuit weights of ``model`` (the ``weight`` of every quantum layer; empty for a twin)."""
    return [cast(nn.Parameter, module.weight) for module in model.modules()
            if hasattr(module, "spec") and isinstance(getattr(module, "weight", None), nn.Parameter)]
