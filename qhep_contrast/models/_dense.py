"""Stacks of dense layers (private; used by heads)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from qhep_contrast._checks import check_int

__all__ = ["dense_stack"]


def dense_stack(owner: str, in_features: int, units: Sequence[int], *, last_activation: bool,
                batch_norm: bool = False) -> nn.Sequential:
    """``Linear(in, u_1) -> [BN] -> ReLU -> ... -> Linear(., u_k) [-> [BN] -> ReLU if last_activation]``.

    Args:
        owner: name used in error messages.
        in_features: input width.
        units: output width of each ``Linear`` (may be empty: identity).
        last_activation: put BN/ReLU after the last layer as well.
        batch_norm: ``BatchNorm1d`` before each ReLU (SimCLR v2 style heads).
    """
    layers: list[nn.Module] = []
    width = check_int(owner, "in_features", in_features)
    for position, size in enumerate(units):
        size = check_int(owner, f"units[{position}]", size)
        layers.append(nn.Linear(width, size))
        if position < len(units) - 1 or last_activation:
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(nn.ReLU())
        width = size
    return nn.Sequential(*layers)
