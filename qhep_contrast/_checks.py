"""Scalar argument checks shared by losses, models and the execution config (private, torch-free).

Each check raises :class:`~qhep_contrast.exceptions.ConfigError` with a message that names the owner, the
argument, the value that arrived, what was allowed, and how to fix it. Tensor checks are in
:mod:`qhep_contrast._tensor_checks`.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import cast

from qhep_contrast.exceptions import ConfigError

__all__ = ["check_real", "check_int"]


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
    if cast(int, value) < low or (high is not None and cast(int, value) > high):
        raise ConfigError(f"{owner}: {name} must be in {allowed}, got {value!r}; pick a value in that range.")
    return int(value)
