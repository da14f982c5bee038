"""``qhep --help`` and every ``qhep <command> --help`` answer without importing the heavy stack."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "qiskit", "sympy", "h5py", "matplotlib", "sklearn", "scipy")
COMMANDS = ("bench", "circuits", "compare", "data", "eval", "list", "train", "transpile")

_PROBE = """
import sys
from qhep_contrast.cli.main import main
try:
    main({argv!r})
except SystemExit:
    pass
print("HEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _heavy_after(argv: list[str]) -> list[str]:
    code = _PROBE.format(argv=argv, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("HEAVY:")][-1]
    return [m for m in line[len("HEAVY:"):].split(",") if m]


@pytest.mark.parametrize("argv", [["--help"], *[[c, "--help"] for c in COMMANDS]], ids=lambda a: " ".join(a))
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    assert _heavy_after(argv) == []


def test_every_command_is_listed() -> None:
    from qhep_contrast.cli.main import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert set(sub.choices) == set(COMMANDS)
