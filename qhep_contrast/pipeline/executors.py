"""Executor selection for evaluating a trained model somewhere other than the exact engine.

The weights of a ``QuantumLayer`` are the same on every executor, so a model trained on ``exact`` can be
rebuilt with ``execution=ExecutionConfig(kind="aer", ...)`` and loaded from its checkpoint. That needs
the primitive execution layer (``qhep_contrast.execution.ExecutionConfig`` and
``qhep_contrast.qnn.primitive_runner``); without it :func:`resolve_execution` says what is missing.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from qhep_contrast.exceptions import ConfigError, DependencyError

__all__ = ["EXECUTORS", "resolve_execution"]

EXECUTORS = ("exact", "aer", "ibm")


def _missing_primitives() -> list[str]:
    missing = []
    execution = importlib.import_module("qhep_contrast.execution")
    if not hasattr(execution, "ExecutionConfig"):
        missing.append("qhep_contrast.execution.ExecutionConfig")
    if importlib.util.find_spec("qhep_contrast.qnn.primitive_runner") is None:
        missing.append("qhep_contrast.qnn.primitive_runner")
    return missing


def resolve_execution(kind: str, *, shots: int = 0, noise: str = "", backend: str = "", seed: int | None = None,
                      journal: str | None = None) -> Any:
    """The ``execution`` argument for :func:`~qhep_contrast.training.model_setup.build_model`.

    Args:
        kind: ``"exact"`` (returns None: the exact engine), ``"aer"`` or ``"ibm"``.
        shots: shots per circuit; 0 means exact expectation values (Aer only).
        noise: Aer noise model, e.g. ``"fake_manila"`` (a fake backend); empty for ideal simulation.
        backend: IBM target, ``"fake_<name>"`` (local testing mode) or a device name; required for ``ibm``.
        seed: simulator/sampling seed.
        journal: job journal file for ``ibm`` (every job id is written there before it is waited on).

    Raises:
        ConfigError: unknown kind, or options that do not fit it (checked by ``ExecutionConfig``).
        DependencyError: the primitive execution layer is not installed (names the missing modules).
    """
    if kind not in EXECUTORS:
        raise ConfigError(f"--execution must be one of {list(EXECUTORS)}, got {kind!r}.")
    if kind == "exact":
        if shots or noise or backend:
            raise ConfigError("--shots, --noise and --backend apply to --execution aer/ibm, not exact.")
        return None
    missing = _missing_primitives()
    if missing:
        raise DependencyError(
            f"evaluating on {kind!r} needs the primitive execution layer, which this installation lacks: "
            f"{', '.join(missing)} (branch `primitives` of qhep-contrast). Evaluate on the exact engine "
            "(`--execution exact`, the default) until it is available.")
    from qhep_contrast.execution import ExecutionConfig

    options: dict[str, Any] = {"kind": kind, "shots": shots or None, "seed": seed}
    if kind == "aer":
        if backend:
            raise ConfigError("--backend names an IBM target; for Aer use --noise fake_<name> for a noise model.")
        options["noise"] = noise or None
    else:
        if noise:
            raise ConfigError("--noise is for --execution aer; with ibm use --backend fake_<name> (local testing "
                              "mode simulates its noise).")
        options.update(backend=backend or None, journal=journal)
    return ExecutionConfig(**options)
