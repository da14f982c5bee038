"""Typed, range-checked configuration sections built from frozen dataclasses (torch-free).

A section is a frozen dataclass whose fields are declared with :func:`option` (default, allowed range or
choices, one-line help). :func:`section_from_dict` turns a TOML table into a section, checking every key:
unknown keys get a did-you-mean suggestion, values of the wrong type and out-of-range values raise
:class:`~qhep_contrast.exceptions.ConfigError` naming the dotted key, what was expected and what arrived.

Supported field types: ``bool``, ``int``, ``float`` (an int is accepted and converted), ``str``,
``list[int]``, ``list[float]``, ``list[str]``, ``dict[str, Any]`` (free tables, checked elsewhere), nested
sections (another dataclass) and **tagged sections** declared with :func:`tagged`: a table whose tag key
(``[loss] name = "nt_xent"``) picks an entry of a :class:`~qhep_contrast.registry.Registry`, and whose other
keys are exactly that entry's options. A tagged section is read into a :class:`Selection`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from qhep_contrast.exceptions import ConfigError

__all__ = ["option", "tagged", "Selection", "section_from_dict", "section_to_dict", "did_you_mean", "check_value",
           "field_type", "option_rows"]


def option(default: Any, *, low: float | None = None, high: float | None = None, low_open: bool = False,
           high_open: bool = False, choices: Sequence[str] | None = None, help: str = "") -> Any:
    """Declare a configuration field.

    Args:
        default: default value (lists and dicts are copied per instance).
        low, high: inclusive bounds of numbers (of every element for lists); ``None`` for unbounded.
        low_open, high_open: make the bound exclusive.
        choices: allowed values of a string (of every element of a ``list[str]``).
        help: one line shown in messages and documentation.
    """
    meta = {"low": low, "high": high, "low_open": low_open, "high_open": high_open,
            "choices": tuple(choices) if choices is not None else None, "help": help}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: _copy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value)


def did_you_mean(name: str, candidates: Sequence[str]) -> str:
    """`` Did you mean 'x'?`` for the closest candidate, or an empty string when none is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def field_type(section: type, name: str) -> Any:
    """The resolved type annotation of field ``name`` of the dataclass ``section``."""
    return typing.get_type_hints(section)[name]


def tagged(registry: Any, default: str, *, help: str = "") -> Any:
    """Declare a tagged section: a table whose tag key picks an entry of ``registry``.

    Args:
        registry: a :class:`~qhep_contrast.registry.Registry` (its ``tag`` is the key, e.g. ``"name"``).
        default: the entry used when the table is missing or has no tag key.
        help: one line shown in messages and documentation.

    The field's value is a :class:`Selection` holding the entry name and its options.
    """
    meta = {"registry": registry, "default_name": default, "help": help}
    return dataclasses.field(default_factory=lambda: registry.select({}, default_name=default), metadata=meta)


@dataclasses.dataclass(frozen=True)
class Selection:
    """A registry entry chosen in a configuration: its ``name`` and its parsed ``options``.

    Attribute access falls through to the options, so ``config.loss.temperature`` reads
    ``config.loss.options.temperature``.

    Attributes:
        name: the registered name (the value of the tag key).
        options: the entry's options (a frozen dataclass, or the object its registry parses into).
        tag: the tag key of the table (``"name"``, ``"kind"``, ``"dataset"``, ...).
    """

    name: str
    options: Any
    tag: str = "name"

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") or key in ("name", "options", "tag"):
            raise AttributeError(key)
        return getattr(self.options, key)

    def replace(self, **changes: Any) -> Selection:
        """A copy whose options have ``changes`` applied (``config.data.replace(batch_size=32)``)."""
        return dataclasses.replace(self, options=dataclasses.replace(self.options, **changes))

    def to_dict(self) -> dict[str, Any]:
        """``{tag: name, **options}`` as plain values (the TOML table)."""
        options = self.options
        if hasattr(options, "section_dict"):
            values = {k: v for k, v in options.section_dict().items() if k != self.tag}
        elif dataclasses.is_dataclass(options):
            values = section_to_dict(options)
        else:
            values = {}
        return {self.tag: self.name, **values}


def section_from_dict(section: type, values: Mapping[str, Any], path: str = "") -> Any:
    """Build the frozen dataclass ``section`` from a mapping, checking every key and value.

    Args:
        section: a dataclass whose fields were declared with :func:`option` (or nested sections, or
            :func:`tagged` sections).
        values: the TOML table (missing keys take their defaults).
        path: dotted prefix of this table, for messages (``""`` at the top level).

    Raises:
        ConfigError: unknown key (with a suggestion), wrong type, or value out of range.
    """
    if not isinstance(values, Mapping):
        raise ConfigError(f"[{path}] must be a table (key = value lines), got {type(values).__name__} "
                          f"{values!r}.")
    fields = {f.name: f for f in dataclasses.fields(section)}
    for key in values:
        if key not in fields:
            where = f"[{path}]" if path else "the top level"
            raise ConfigError(f"unknown key {_dotted(path, key)!r} in {where}.{did_you_mean(key, list(fields))} "
                              f"Known keys there: {', '.join(sorted(fields))}.")
    kwargs = {}
    for name, fld in fields.items():
        if name not in values:
            continue
        dotted = _dotted(path, name)
        registry = fld.metadata.get("registry")
        if registry is not None:
            kwargs[name] = registry.select(values[name], path=dotted, default_name=fld.metadata["default_name"])
            continue
        kind = field_type(section, name)
        if dataclasses.is_dataclass(kind):
            kwargs[name] = section_from_dict(typing.cast(type, kind), values[name], dotted)
        else:
            kwargs[name] = check_value(dotted, kind, values[name], fld.metadata)
    return section(**kwargs)


def section_to_dict(section: Any) -> dict[str, Any]:
    """The section as plain nested dicts and lists (the resolved configuration, for TOML/JSON)."""
    out: dict[str, Any] = {}
    for fld in dataclasses.fields(section):
        value = getattr(section, fld.name)
        if isinstance(value, Selection):
            out[fld.name] = value.to_dict()
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out[fld.name] = section_to_dict(value)
        else:
            out[fld.name] = _copy(value) if isinstance(value, (list, dict)) else value
    return out


def option_rows(section: type) -> list[tuple[str, str, str]]:
    """``(key, default, "range/choices; help")`` for every field of ``section`` (for ``qhep list``)."""
    rows = []
    for fld in dataclasses.fields(section):
        meta = fld.metadata
        default = fld.default_factory() if fld.default_factory is not dataclasses.MISSING else fld.default
        if isinstance(default, Selection):
            default = default.name
        allowed = ""
        if meta.get("choices"):
            allowed = "one of " + ", ".join(meta["choices"])
        elif meta.get("low") is not None or meta.get("high") is not None:
            allowed = "in " + _interval(meta)
        text = "; ".join(t for t in (allowed, meta.get("help", "")) if t)
        rows.append((fld.name, repr(default), text))
    return rows


def check_value(dotted: str, kind: Any, value: Any, meta: Mapping[str, Any]) -> Any:
    """Check ``value`` against the field type ``kind`` and the bounds/choices in ``meta``; return it
    converted (ints to floats for float fields, tuples to lists)."""
    origin = typing.get_origin(kind)
    if origin is list:
        (item,) = typing.get_args(kind)
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{dotted} must be a list of {item.__name__}, got {_show(value)}; "
                              f"write it as {dotted.rsplit('.', 1)[-1]} = [...].")
        return [check_value(f"{dotted}[{i}]", item, v, meta) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{dotted} must be a table, got {_show(value)}.")
        return dict(value)
    return _check_scalar(dotted, kind, value, meta)


def _check_scalar(dotted: str, kind: type, value: Any, meta: Mapping[str, Any]) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{dotted} must be true or false, got {_show(value)}.")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{dotted} must be an integer, got {_show(value)}.")
        _check_range(dotted, value, meta)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{dotted} must be a number, got {_show(value)}.")
        number = float(value)
        if math.isnan(number):
            raise ConfigError(f"{dotted} must be a number, got nan.")
        _check_range(dotted, number, meta)
        return number
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{dotted} must be a string, got {_show(value)}; quote it: \"...\".")
        choices = meta.get("choices")
        if choices is not None and value not in choices:
            raise ConfigError(f"{dotted} must be one of {list(choices)}, got {value!r}."
                              f"{did_you_mean(value, choices)}")
        return value
    raise ConfigError(f"{dotted}: unsupported field type {kind!r} (a bug in the configuration schema).")


def _check_range(dotted: str, number: float, meta: Mapping[str, Any]) -> None:
    low, high = meta.get("low"), meta.get("high")
    low_open, high_open = meta.get("low_open", False), meta.get("high_open", False)
    below = low is not None and (number < low or (low_open and number == low))
    above = high is not None and (number > high or (high_open and number == high))
    if below or above or (isinstance(number, float) and math.isinf(number)):
        hint = f" ({meta['help']})" if meta.get("help") else ""
        raise ConfigError(f"{dotted} must be in {_interval(meta)}, got {number!r}{hint}.")


def _interval(meta: Mapping[str, Any]) -> str:
    low, high = meta.get("low"), meta.get("high")
    left = "(" if meta.get("low_open") or low is None else "["
    right = ")" if meta.get("high_open") or high is None else "]"
    return f"{left}{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}{right}"


def _show(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _dotted(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
