"""Find the trainable circuit weights of a model (for their own learning rate and parameter counts)."""

from __future__ import annotations

from torch import nn

__all__ = ["circuit_weights"]


def circuit_weights(model: nn.Module) -> list[nn.Parameter]:
    """The trainable circuit weights of ``model``: the ``weight`` of every quantum layer that has weights and
    trains (empty for a twin, a frozen circuit or a weightless stand-in)."""
    weights = [getattr(module, "weight", None) for module in model.modules() if hasattr(module, "spec")]
    return [w for w in weights
            if isinstance(w, nn.Parameter) and w.requires_grad and w.numel() > 0]
