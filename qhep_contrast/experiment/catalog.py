"""Every registry of the package under one name each, and a plain-text listing of their entries (``qhep list``).

The listing is generated from the registries themselves (names, one-line help, option keys with defaults,
ranges and help, traits), so it cannot drift from what a configuration accepts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from qhep_contrast.circuits.selectable import ANSATZE, ENCODERS
from qhep_contrast.data.augmentations import VIEWS
from qhep_contrast.data.sources import DATASETS, ImageDataOptions, SplitOptions
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.execution.registry import EXECUTORS, execution_keys
from qhep_contrast.losses.registry import LOSSES
from qhep_contrast.models.registry import MODELS
from qhep_contrast.objectives.registry import OBJECTIVES
from qhep_contrast.optim.registry import OPTIMIZERS, SCHEDULERS
from qhep_contrast.options import option_rows
from qhep_contrast.registry import Entry, Registry

__all__ = ["REGISTRIES", "describe"]

REGISTRIES: dict[str, Registry] = {
    "datasets": DATASETS,
    "views": VIEWS,
    "objectives": OBJECTIVES,
    "encoders": ENCODERS,
    "ansatze": ANSATZE,
    "models": MODELS,
    "losses": LOSSES,
    "optimizers": OPTIMIZERS,
    "schedulers": SCHEDULERS,
    "executors": EXECUTORS,
}
"""Listing name -> registry (``qhep list <name>``)."""


def _traits(traits: Any) -> str:
    if traits is None or not dataclasses.is_dataclass(traits):
        return ""
    shown = []
    for f in dataclasses.fields(traits):
        value = getattr(traits, f.name)
        shown.append(f"{f.name}={getattr(value, '__name__', value)!s}" if callable(value) else f"{f.name}={value!r}")
    return ", ".join(shown)


def _rows(registry: Registry, entry: Entry) -> list[tuple[str, str, str]]:
    if registry is EXECUTORS:
        fields = ExecutionConfig.__dataclass_fields__
        return [(k, repr(fields[k].default), "see ExecutionConfig") for k in execution_keys(entry.name)]
    rows = option_rows(entry.options)
    if registry is DATASETS:
        common = {f.name for f in dataclasses.fields(ImageDataOptions)}
        rows = [r for r in rows if r[0] not in common]
    return rows


def describe(name: str) -> str:
    """The listing of registry ``name`` (a key of :data:`REGISTRIES`): every entry, its keys and traits."""
    registry = REGISTRIES[name]
    lines = [f"{name} ([{registry.section}] {registry.tag} = \"...\")"]
    if registry is DATASETS:
        common = [r[0] for r in option_rows(SplitOptions)]
        lines.append("  every dataset also takes: " + ", ".join(common))
        lines.append("  every image dataset also takes: "
                     + ", ".join(r[0] for r in option_rows(ImageDataOptions) if r[0] not in common))
    for entry in registry.entries():
        lines.append(f"  {entry.name}: {entry.help}")
        traits = _traits(entry.traits)
        if traits:
            lines.append(f"      traits: {traits}")
        for key, default, text in _rows(registry, entry):
            lines.append(f"      {key} = {default}" + (f"  ({text})" if text else ""))
    return "\n".join(lines)
