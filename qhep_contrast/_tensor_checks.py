"""Tensor argument checks shared by losses and models (private).

Each check raises :class:`~qhep_contrast.exceptions.ShapeError` with a message that names the owner, the
argument, the shape or dtype that arrived, what was expected, and how to fix it.
"""

from __future__ import annotations

import torch
from torch import Tensor

from qhep_contrast.exceptions import ShapeError

__all__ = ["check_matrix", "check_same_shape", "check_vector"]


def check_matrix(owner: str, name: str, tensor: object, *, min_rows: int = 1) -> Tensor:
    """Check that ``tensor`` is a 2-D floating or complex tensor with at least ``min_rows`` rows."""
    if not isinstance(tensor, Tensor):
        raise ShapeError(f"{owner}: {name} must be a torch.Tensor of shape (N, D), got {type(tensor).__name__}.")
    if tensor.ndim != 2 or tensor.shape[0] < min_rows or tensor.shape[1] < 1:
        raise ShapeError(f"{owner}: {name} must have shape (N, D) with N >= {min_rows} and D >= 1, "
                         f"got {tuple(tensor.shape)}; reshape to (batch, features).")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ShapeError(f"{owner}: {name} must be a floating-point or complex tensor, got {tensor.dtype}; "
                         "convert with .float() or .double().")
    return tensor


def check_same_shape(owner: str, names: tuple[str, ...], tensors: tuple[Tensor, ...]) -> None:
    """Check that all ``tensors`` have the same shape; the message lists every name with its shape."""
    shapes = [tuple(t.shape) for t in tensors]
    if any(s != shapes[0] for s in shapes):
        listed = ", ".join(f"{n}={s}" for n, s in zip(names, shapes))
        raise ShapeError(f"{owner}: {', '.join(names)} must have the same shape, got {listed}.")


def check_vector(owner: str, name: str, tensor: object, length: int) -> Tensor:
    """Check that ``tensor`` is a 1-D tensor of the given length."""
    if not isinstance(tensor, Tensor):
        raise ShapeError(f"{owner}: {name} must be a torch.Tensor of shape ({length},), "
                         f"got {type(tensor).__name__}.")
    if tensor.shape != torch.Size([length]):
        raise ShapeError(f"{owner}: {name} must have shape ({length},) (one entry per sample), "
                         f"got {tuple(tensor.shape)}.")
    return tensor
