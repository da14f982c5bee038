"""Executor selection for evaluating a trained model somewhere other than the exact engine.

The weights of a ``QuantumLayer`` are the same on every executor, so a model trained on ``exact`` can be
rebuilt with ``execution=ExecutionConfig(kind="aer", ...)`` and loaded from its checkpoint. That needs
the primitive execution layer (``qhep_contrast.execution.ExecutionConfig`` and
``qhep_contrast.qnn.primitive_runner``); without it :func:`resolve_execution` says what is missing.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

from qhep_contrast.exceptions import ConfigError, DependencyError

__all__ = ["EXECUTORS", "resolve_execution"]

EXECUTORS = ("exact", "aer", "ibm")


def _missing_primitives() -> list[str]:
    missing = []
    try:
        execution = importlib.import_module("qhep_contrast.execution")
    except ImportError:  # pragma: no cover - the package itself is always present
        execution = None
    if execution is None or not hasattr(execution, "ExecutionConfig"):
        missing.append("qhep_contrast.execution.ExecutionConfig")
    if importlib.util.find_spec("qhep_contrast.qnn.primitive_runner") is None:
        missing.append("qhep_contrast.qnn.primitive_runner")
    return missing


def resolve_execution(kind: str, shots: int = 0, backend: str = "") -> Any:
    """The ``execution`` argument for :func:`~qhep_contrast.training.model_setup.build_model`.

    Args:
        kind: ``"exact"`` (returns None: the exact engine), ``"aer"`` or ``"ibm"``.
        shots: shots per circuit (0: exact expectation values where the executor allows).
        backend: fake-backend noise model (aer) or device name (ibm); empty for none.

    Raises:
        ConfigError: unknown kind.
        DependencyError: the primitive execution layer is not installed (names the missing modules).
    """
    if kind not in EXECUTORS:
        raise ConfigError(f"--execution must be one of {list(EXECUTORS)}, got {kind!r}.")
    if kind == "exact":
        return None
    missing = _missing_primitives()
    if missing:
        raise DependencyError(
            f"evaluating on {kind!r} needs the primitive execution layer, which this installation lacks: "
            f"{', '.join(missing)} (branch `primitives` of qhep-contrast, not merged yet). Evaluate on the "
            "exact engine (`--execution exact`, the default) until it is available.")
    from qhep_contrast.execution import ExecutionConfig

    offered = {"kind": kind, "shots": shots or None, "backend": backend or None}
    accepted = inspect.signature(ExecutionConfig).parameters
    return ExecutionConfig(**{k: v for k, v in offered.items() if k in accepted and v is not None})
