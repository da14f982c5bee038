"""Write nested dicts of plain values as TOML (the standard library reads TOML but does not write it).

Enough for resolved run configurations: tables of booleans, integers, floats (``inf``/``nan`` included),
strings and lists of those, with nested tables. :func:`dumps` output parses back with ``tomllib`` to the
same values (tested).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from qhep_contrast.exceptions import ConfigError

__all__ = ["dumps"]


def dumps(tree: Mapping[str, Any]) -> str:
    """TOML text of ``tree``: scalars and lists first, then one ``[table]`` per nested mapping."""
    lines: list[str] = []
    _write_table(tree, (), lines)
    return "\n".join(lines).strip() + "\n"


def _write_table(tree: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    tables = {k: v for k, v in tree.items() if isinstance(v, Mapping)}
    if path:
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in path)}]")
    for key, value in tree.items():
        if key not in tables:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _write_table(value, (*path, key), lines)


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) as a TOML value.")
