"""Write nested dicts of plain values as TOML (``tomllib`` reads TOML; the standard library cannot write it).

Tables of booleans, integers, finite floats, strings and lists of those, with nested tables; a table that
holds only sub-tables gets no header of its own. ``tomllib.loads(dumps(tree)) == tree`` (tested).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from qhep_contrast.exceptions import ConfigError

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(tree: Mapping[str, Any], header: str = "") -> str:
    """TOML text of ``tree``, preceded by ``header`` lines as ``#`` comments."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _write_table(tree, (), lines)
    return "\n".join(lines).strip() + "\n"


def _write_table(tree: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    scalars = {k: v for k, v in tree.items() if not isinstance(v, Mapping)}
    if path and scalars:
        lines += ["", f"[{'.'.join(_key(p) for p in path)}]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]
    for key, value in tree.items():
        if isinstance(value, Mapping):
            _write_table(value, (*path, key), lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) as a TOML value; use plain values.")
