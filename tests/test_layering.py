"""The package's one-way data flow: a module imports only from its own room or rooms above it, and no cycle.

Rooms, top to bottom (see the README's layout): the root helpers (exceptions, options, registry, checks,
TOML writer), circuits, execution, qnn, data, models, losses, optim, training, objectives, evaluation,
experiment, pipeline, hardware, bench, cli. Every ``import``/``from ... import`` of a ``qhep_contrast``
module counts, those inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qhep_contrast"
ROOMS = ("", "circuits", "execution", "qnn", "data", "models", "losses", "optim", "training", "objectives",
         "evaluation", "experiment", "pipeline", "hardware", "bench", "cli")


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in ROOMS:
        return ""
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qhep_contrast"):
            out.append(node.module)
            out += [f"{node.module}.{a.name}" for a in node.names if node.module == "qhep_contrast"]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("qhep_contrast")]
    return out


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((".".join(p for p in rel.parts if p != "__init__"), path))
    return out


@pytest.mark.parametrize("module, path", _modules(), ids=[m for m, _ in _modules()])
def test_imports_flow_downwards(module: str, path: Path) -> None:
    here = ROOMS.index(_room(module))
    against = [name for name in _imports(path) if ROOMS.index(_room(name)) > here]
    assert not against, f"{module} (room {ROOMS[here] or 'root'}) imports from rooms below it: {against}"


def test_rooms_cover_the_package() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ROOMS) - {""}
