"""Argument and tensor checks shared by losses and models (private).

Each check raises the package's error classes with a message that names the owner, the argument, the
value that arrived, what was allowed, and how to fix it.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import torch
from torch import Tensor

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = [
    "check_real",
    "check_int",
    "check_matrix",
    "check_same_shape",
    "check_vector",
]


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_real(
    owner: str,
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite real number inside the interval, else raise.

    Args:
        owner: class or function name used in the message.
        name: parameter name used in the message.
        value: the value to check (``bool`` is rejected).
        low, high: interval bounds (``None``: unbounded on that side).
        low_open, high_open: exclude the bound itself.

    Raises:
        ConfigError: not a real number, not finite, or outside the interval.
    """
    allowed = _interval(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ConfigError(f"{owner}: {name} must be a real number in {allowed}, got {value!r} "
                          f"of type {type(value).__name__}.")
    number = float(value)
    below = low is not None and (number < low or (low_open and number == low))
    above = high is not None and (number > high or (high_open and number == high))
    if not math.isfinite(number) or below or above:
        raise ConfigError(f"{owner}: {name} must be in {allowed}, got {value!r}; pick a value in that range.")
    return number


def check_int(owner: str, name: str, value: object, *, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in ``[low, high]``, else raise :class:`ConfigError`."""
    allowed = f"[{low}, {'inf)' if high is None else f'{high}]'}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ConfigError(f"{owner}: {name} must be an integer in {allowed}, got {value!r} "
                          f"of type {type(value).__name__}.")
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{owner}: {name} must be in {allowed}, got {value!r}; pick a value in that range.")
    return int(value)


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
