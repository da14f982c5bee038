"""The executor of a trained model's quantum layers chosen on the command line (``qhep eval --execution``).

The weights of a ``QuantumLayer`` are the same on every executor, so a model trained on ``exact`` is
rebuilt with the :class:`~qhep_contrast.execution.ExecutionConfig` returned here and loaded from its
checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.registry import EXECUTORS

__all__ = ["resolve_execution", "training_execution", "JOURNAL_NAME"]

JOURNAL_NAME = "jobs-ibm.jsonl"
"""File name of a run folder's IBM job journal (one JSON line per submitted job, written before waiting)."""


def resolve_execution(kind: str, *, shots: int = 0, noise: str = "", backend: str = "", seed: int | None = None,
                      journal: str | None = None, runtime: dict[str, Any] | None = None) -> ExecutionConfig | None:
    """The ``execution`` argument of :func:`~qhep_contrast.experiment.build_model` for an executor name.

    Args:
        kind: an executor name (``qhep list executors``); ``"exact"`` returns None (the exact engine).
        shots: shots per circuit; 0 means exact expectation values (Aer only).
        noise: Aer noise model, e.g. ``"fake_torino"`` (a fake backend); empty for ideal simulation.
        backend: IBM target, ``"fake_<name>"`` (local testing mode) or a device name; required for ``ibm``.
        seed: simulator/sampling seed.
        journal: job journal file for ``ibm`` (every job id is written there before it is waited on).
        runtime: ``ibm`` Runtime options given on the command line (``mode``, ``resilience_level``,
            ``twirling``, ``dynamical_decoupling``, ``max_execution_time``); None values are left at defaults.

    Raises:
        ConfigError: unknown kind (with the registered names), or options that do not fit it.
    """
    EXECUTORS.get(kind, "--execution")
    runtime = {k: v for k, v in (runtime or {}).items() if v is not None}
    if runtime and kind != "ibm":
        flags = ", ".join("--" + k.replace("_", "-") for k in runtime)
        raise ConfigError(f"{flags} set IBM Runtime options and apply to --execution ibm only, not {kind}.")
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
        options.update(backend=backend or None, journal=journal, **runtime)
    return ExecutionConfig(**options)


def training_execution(selection: Any, run_dir: str | Path, resume: bool) -> ExecutionConfig | None:
    """The executor a run trains on, from its ``[execution]`` table.

    ``ibm`` runs journal every job in the run folder (:data:`JOURNAL_NAME`) unless the table names a
    journal. On a real device a resumed run fetches the results of journaled jobs from the service instead
    of submitting them again (a run killed between submit and result pays for that job once); in local
    testing mode (``fake_*``) jobs live only in the process that ran them, so a resumed run recomputes them.

    Args:
        selection: ``config.execution`` (the registry selection of ``[execution]``).
        run_dir: the run folder.
        resume: the run continues from a checkpoint.

    Returns:
        None for the exact engine, else the ``ExecutionConfig`` to build the model with.
    """
    execution = EXECUTORS.build(selection)
    if execution is None or execution.kind != "ibm":
        return execution
    journal = execution.journal or str(Path(run_dir) / JOURNAL_NAME)
    return execution.replace(journal=journal, resume=execution.resume or (resume and not execution.is_local))
