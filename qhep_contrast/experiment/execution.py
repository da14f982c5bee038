"""The executor of a trained model's quantum layers chosen on the command line (``qhep eval --execution``).

The weights of a ``QuantumLayer`` are the same on every executor, so a model trained on ``exact`` is
rebuilt with the :class:`~qhep_contrast.execution.ExecutionConfig` returned here and loaded from its
checkpoint.
"""

from __future__ import annotations

from typing import Any

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.registry import EXECUTORS

__all__ = ["resolve_execution"]


def resolve_execution(kind: str, *, shots: int = 0, noise: str = "", backend: str = "", seed: int | None = None,
                      journal: str | None = None) -> ExecutionConfig | None:
    """The ``execution`` argument of :func:`~qhep_contrast.experiment.build_model` for an executor name.

    Args:
        kind: an executor name (``qhep list executors``); ``"exact"`` returns None (the exact engine).
        shots: shots per circuit; 0 means exact expectation values (Aer only).
        noise: Aer noise model, e.g. ``"fake_torino"`` (a fake backend); empty for ideal simulation.
        backend: IBM target, ``"fake_<name>"`` (local testing mode) or a device name; required for ``ibm``.
        seed: simulator/sampling seed.
        journal: job journal file for ``ibm`` (every job id is written there before it is waited on).

    Raises:
        ConfigError: unknown kind (with the registered names), or options that do not fit it.
    """
    EXECUTORS.get(kind, "--execution")
    if kind == "exact":
        if shots or noise or backend:
            raise ConfigError("--shots, --noise and --backend apply to --execution aer/ibm, not exact.")
        return None
    options: dict[str, Any] = {"kind": kind, "shots": shots or None, "seed": seed}
    if kind == "aer":
        if backend:
            raise ConfigError("--backend names an IBM target; for Aer use --noise fake_<name> for a noise model.")
        options["noise"] = noise or None
    else:
        if not shots:
            raise ConfigError("--execution ibm estimates from measurements: give --shots N (e.g. --shots 4096).")
        if noise:
            raise ConfigError("--noise is for --execution aer; with ibm use --backend fake_<name> (local testing "
                              "mode simulates its noise).")
        options.update(backend=backend or None, journal=journal)
    return ExecutionConfig(**options)
