"""Argument validation shared by the circuit builders.

Every check raises :class:`~qhep_contrast.exceptions.CircuitError` naming the argument, the value that
arrived and the allowed range, so a wrong configuration fails at build time with a fixable message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qhep_contrast.exceptions import CircuitError


def check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` if it is an integer in ``[minimum, maximum]`` (``maximum=None``: unbounded).

    Raises:
        CircuitError: ``value`` is not an ``int`` (``bool`` is refused) or lies outside the range.
    """
    upper = "inf)" if maximum is None else f"{maximum}]"
    allowed = f"an integer in [{minimum}, {upper}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise CircuitError(f"{name} must be {allowed}; got {value!r} of type {type(value).__name__}.")
    if value < minimum or (maximum is not None and value > maximum):
        raise CircuitError(f"{name} must be {allowed}; got {value}.")
    return value


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is a ``bool``.

    Raises:
        CircuitError: ``value`` is not ``True`` or ``False``.
    """
    if not isinstance(value, bool):
        raise CircuitError(f"{name} must be True or False; got {value!r} of type {type(value).__name__}.")
    return value


def check_choice(name: str, value: object, allowed: Collection[str]) -> str:
    """Return ``value`` if it is one of ``allowed``.

    Raises:
        CircuitError: ``value`` is not among ``allowed`` (the message lists them).
    """
    if not isinstance(value, str) or value not in allowed:
        raise CircuitError(f"{name} must be one of {sorted(allowed)}; got {value!r}.")
    return value


def check_choices(name: str, values: object, allowed: Collection[str], *, empty_ok: bool = False) -> tuple[str, ...]:
    """Return ``values`` as a tuple if it is a sequence of names from ``allowed``.

    Args:
        name: argument name used in the error message.
        values: a sequence of strings such as ``("ry", "rz")``; a bare string is refused.
        allowed: the permitted names.
        empty_ok: whether an empty sequence is acceptable.

    Raises:
        CircuitError: ``values`` is a string, not a sequence, empty (unless ``empty_ok``), or holds an
            unknown name.
    """
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise CircuitError(
            f"{name} must be a sequence of names from {sorted(allowed)} such as ('ry',); got {values!r}."
        )
    if not values and not empty_ok:
        raise CircuitError(f"{name} must name at least one of {sorted(allowed)}; got an empty sequence.")
    for value in values:
        check_choice(f"each entry of {name}", value, allowed)
    return tuple(values)
