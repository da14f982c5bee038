"""Find the trainable circuit weights of a model (for their own learning rate and parameter counts)."""

from __future__ import annotations

from torch import nn

__all__ = ["circuit_weights"]


def _module_circuit_weights(module: nn.Module) -> list[object]:
    """The circuit weights one module holds itself: those its ``circuit_parameters()`` names (layers with several
    weight tensors, such as quantum attention), else the ``weight`` of a quantum layer (a module with ``spec``)."""
    named = getattr(module, "circuit_parameters", None)
    if callable(named):
        return list(named())
    if hasattr(module, "spec"):
        return [getattr(module, "weight", None)]
    return []


def circuit_weights(model: nn.Module) -> list[nn.Parameter]:
    """The trainable circuit weights of ``model``: every quantum layer's weights that exist and train (empty for a
    twin, a frozen circuit or a weightless stand-in)."""
    weights = [w for module in model.modules() for w in _module_circuit_weights(module)]
    return [w for w in weights
            if isinstance(w, nn.Parameter) and w.requires_grad and w.numel() > 0]
