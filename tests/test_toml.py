"""The shared TOML writer: comment header, odd keys and nested lists round-trip through tomllib."""

from __future__ import annotations

import tomllib

import pytest

from qhep_contrast import _toml
from qhep_contrast.exceptions import ConfigError


def test_round_trip() -> None:
    tree = {
        "generator": {"qiskit": "2.6.2", "flag": True, "ratio": 0.25, "n": 3},
        "circuits": {
            "w1": {"name": "w1", "registers": [[1, 2], [3]], "empty": [], "arguments": {"encoder": {"rotation": "ry"}}},
            "odd key": {"text": 'quote " and \\ backslash, ünïcode'},
        },
    }
    text = _toml.dumps(tree, header="line one\nline two")
    assert text.startswith("# line one\n# line two\n")
    assert tomllib.loads(text) == tree


@pytest.mark.parametrize("value", [None, {1, 2}, b"bytes"])
def test_unwritable_values(value) -> None:
    with pytest.raises(ConfigError, match="cannot write"):
        _toml.dumps({"k": value})
