"""The README's Python quickstart runs verbatim, and its commands name files that exist."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_code(title: str, language: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {title}", 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no ```{language} block under '## {title}' in README.md"
    return match.group(1)


def test_python_quickstart_runs_verbatim() -> None:
    namespace: dict = {}
    exec(compile(_section_code("Quickstart (Python)", "python"), "README.md", "exec"), namespace)  # noqa: S102
    assert tuple(namespace["z"].shape) == (512, 8)
    noisy, layer = namespace["noisy"], namespace["layer"]
    assert all((noisy.state_dict()[k] == v).all() for k, v in layer.state_dict().items())


def test_first_commands_name_existing_configs() -> None:
    head = README.read_text(encoding="utf-8").split("**qhep-contrast**", 1)[0]
    configs = re.findall(r"runs/configs/[\w.-]+\.toml", head)
    assert configs and all((README.parent / c).is_file() for c in configs)
