"""The executor registry: ``[execution] kind = "exact" | "aer" | "ibm"``, parsed into an :class:`ExecutionConfig`.

The names are :data:`~qhep_contrast.execution.config.KINDS` (the one list of executors); each entry accepts
exactly the :class:`ExecutionConfig` fields that apply to its kind, and its traits say which quantum-layer
outputs it supports and whether ``qhep train`` may train on it. Factory convention:
``factory(options) -> ExecutionConfig | None`` (None: the exact engine, the default of every layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.config import APPLIES, KINDS, ExecutionConfig, reject_credentials
from qhep_contrast.options import did_you_mean
from qhep_contrast.registry import Entry, Registry

__all__ = ["EXECUTORS", "ExecutorTraits", "execution_keys"]

EXECUTORS = Registry("executor", tag="kind", section="execution")
"""Every executor (``qhep list executors``)."""


@dataclass(frozen=True)
class ExecutorTraits:
    """What an executor supports.

    Attributes:
        outputs: quantum-layer outputs it computes (``"state"`` needs amplitudes, which only ``exact`` has).
        trains: ``qhep train`` may train on it (primitives: one job forward and one job backward per step).
    """

    outputs: tuple[str, ...]
    trains: bool


_TRAITS = {
    "exact": ExecutorTraits(outputs=("expectation", "probabilities", "state", "marginals"), trains=True),
    "aer": ExecutorTraits(outputs=("expectation", "probabilities", "marginals"), trains=True),
    "ibm": ExecutorTraits(outputs=("expectation", "probabilities", "marginals"), trains=True),
}
_HELP = {
    "exact": "the package's compiled torch statevector engine (CPU or CUDA; exact values and gradients)",
    "aer": "qiskit-aer primitives: exact or with shots, optional fake-backend noise, CPU or GPU",
    "ibm": "qiskit-ibm-runtime primitives on an IBM device, or a fake backend in local testing mode",
}


def execution_keys(kind: str) -> tuple[str, ...]:
    """The ``[execution]`` keys (besides ``kind``) that apply to ``kind``."""
    return tuple(name for name, kinds in APPLIES.items() if kind in kinds)


def _parser(kind: str) -> Any:
    def parse(values: Mapping[str, Any], path: str) -> ExecutionConfig:
        allowed = execution_keys(kind)
        reject_credentials(values)
        for key in values:
            if key not in allowed and key not in ExecutionConfig.__dataclass_fields__:
                raise ConfigError(f"unknown key '{path}.{key}'.{did_you_mean(key, allowed)} Keys of kind "
                                  f"{kind!r}: {', '.join(allowed) or '(none)'}.")
        try:
            return ExecutionConfig.from_dict({"kind": kind, **values})
        except ConfigError as err:
            raise ConfigError(f"[{path}] {err}") from err

    return parse


def _factory(options: ExecutionConfig) -> ExecutionConfig | None:
    return None if options.kind == "exact" else options


for _kind in KINDS:
    EXECUTORS.add(Entry(_kind, _factory, ExecutionConfig, _TRAITS[_kind], _HELP[_kind], parse=_parser(_kind)))
