"""One training run end to end: data, model, run folder, fit loop, evaluation, ``summary.json``.

:func:`train_run` starts a run in a fresh ``runs/<experiment>/<stamp>/`` folder (or a given folder);
:func:`resume_run` continues the run in an existing folder from its last checkpoint, with the folder's own
``config.toml``. Both return a :class:`RunOutcome`. With ``train.evaluate`` (default) the best checkpoint
is evaluated on the test split when training ends and the metrics go to ``summary.json``. Everything that
can be checked (configuration, threads, device, data, model) is checked before a run folder is made, and the
folder is locked while the run writes it (:class:`~qhep_contrast.experiment.run_lock.RunLock`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from qhep_contrast.exceptions import CheckpointError, ConfigError
from qhep_contrast.execution.registry import EXECUTORS
from qhep_contrast.experiment.builders import (
    DataBundle,
    build_data,
    build_model,
    build_objective,
    build_optimizer,
    build_scheduler,
)
from qhep_contrast.experiment.config import RunConfig, config_from_dict, config_to_dict
from qhep_contrast.experiment.cost import hardware_notice
from qhep_contrast.experiment.execution import training_execution
from qhep_contrast.experiment.run_dir import (
    create_run_dir,
    environment,
    read_json,
    read_run_config,
    write_config,
    write_json,
)
from qhep_contrast.experiment.run_lock import RunLock
from qhep_contrast.models.controls import describe_model
from qhep_contrast.objectives import Objective
from qhep_contrast.pipeline.evaluate import evaluate_model, load_best_weights
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.distributed import Distributed, from_environment
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT, EpochCallback, FitResult, FitSettings, fit
from qhep_contrast.training.runtime import configure_threads, seed_everything, select_device

__all__ = ["RunOutcome", "RESUME_OVERRIDABLE", "train_run", "resume_run", "resume_overrides", "twin_config"]

RESUME_OVERRIDABLE = ("train.epochs", "train.progress", "train.device", "train.threads", "train.evaluate")
"""Keys that ``--set`` may change when resuming (everything else would break exact continuation)."""


@dataclass
class RunOutcome:
    """What a run produced: its folder, the fit result, and the summary written to ``summary.json``."""

    run_dir: Path
    fit: FitResult
    summary: dict[str, Any]

    @property
    def interrupted(self) -> bool:
        """Ctrl-C stopped the run before it finished (resume it)."""
        return self.fit.interrupted


def _settings(config: RunConfig, device: Any) -> FitSettings:
    t = config.train
    return FitSettings(epochs=t.epochs, batch_size=config.data.batch_size, eval_batch_size=config.data.eval_batch_size,
                       seed=config.seed, device=device, grad_clip=t.grad_clip, patience=t.patience,
                       min_delta=t.min_delta, progress=t.progress)


@dataclass
class _Prepared:
    """A run's parts, built and checked before anything is written."""

    threads: int
    device: Any
    objective: Objective
    data: DataBundle
    model: nn.Module
    distributed: Distributed | None = None

    @property
    def writes(self) -> bool:
        """This process writes the run folder (the only process, or rank 0 of several)."""
        return self.distributed is None or self.distributed.is_main


def _prepare(config: RunConfig) -> _Prepared:
    """Threads, device, seeds, data and model: every check that can fail runs here, before a folder is made.

    Under torchrun (several processes) this process joins the process group, takes its own device, and
    reads images from the files as its shard indexes them.
    """
    _check_trainable(config)
    threads = configure_threads(config.train.threads)
    device = select_device(config.train.device)
    distributed = from_environment(device)
    if distributed is not None:
        device = distributed.device
    seed_everything(config.seed)
    objective = build_objective(config)
    if distributed is not None and callable(getattr(objective, "state_dict", None)):
        raise ConfigError(f"objective {config.objective.name!r} keeps state across steps, which one process per "
                          "shard cannot share; train it in a single process.")
    data = build_data(config, objective, lazy=distributed is not None)
    _check_data_fits(config, data)
    model = build_model(config, data.image_shape, EXECUTORS.build(config.execution)).to(device)
    return _Prepared(threads, device, objective, data, model, distributed)


def _check_trainable(config: RunConfig) -> None:
    if not EXECUTORS.traits(config.execution.name).trains:
        raise ConfigError(f"execution.kind = {config.execution.name!r} cannot train yet; train on the exact engine "
                          f"(remove [execution] or set kind = \"exact\") and evaluate the trained run there with "
                          f"qhep eval RUN_DIR --execution {config.execution.name}.")


def _check_data_fits(config: RunConfig, data: DataBundle) -> None:
    if config.eval.knn_k >= len(data.train):
        raise ConfigError(f"eval.knn_k = {config.eval.knn_k} needs more training images than the {len(data.train)} "
                          f"of the training split; set eval.knn_k below {len(data.train)} or use more data.")
    for name, part in (("training", data.train), ("test", data.test)):
        if len(np.unique(part.labels)) < 2:
            raise ConfigError(f"the {name} split holds only one class (of {data.num_classes}); the probe and ROC AUC "
                              "need two: check data.classes and the files' labels, or raise data.limit.")


def _model_label(config: RunConfig) -> str:
    """``"twin"``, the control's name (``model.control``), or ``"hybrid"``."""
    if getattr(config.model.options, "twin", False):
        return "twin"
    control = getattr(config.model.options, "control", "none")
    return "hybrid" if control == "none" else str(control)


def _execute(config: RunConfig, prepared: _Prepared, run_dir: Path, resume: bool,
             log: Callable[[str], None] | None, on_epoch_end: EpochCallback | None) -> RunOutcome:
    p = prepared
    execution = training_execution(config.execution, run_dir, resume)
    notice = hardware_notice(config, execution)
    if notice is not None:
        (log or print)(notice)
    if execution is not None and execution.kind == "ibm":  # the same weights, now journaling in the run folder
        p.model = build_model(config, p.data.image_shape, execution).to(p.device)
    if log:
        log(f"model: {describe_model(p.model)}")
    optimizer = build_optimizer(p.model, config.optimizer)
    scheduler = build_scheduler(optimizer, config.scheduler, config.train.epochs)
    start = time.perf_counter()
    result = fit(p.model, p.objective, p.data.train_set, p.data.val_set, optimizer, scheduler, run_dir,
                 _settings(config, p.device), resume=resume, on_epoch_end=on_epoch_end, log=log,
                 distributed=p.distributed, gather_outputs=config.objective.name == "two_views")
    summary: dict[str, Any] = {"experiment": config.experiment, "run_dir": str(run_dir),
                               "model": _model_label(config), "core": describe_model(p.model),
                               "finished": not result.interrupted,
                               "last_epoch": result.last_epoch, "best_epoch": result.best_epoch,
                               "best_val_loss": result.best_val_loss, "stopped_early": result.stopped_early,
                               "train_seconds_this_session": time.perf_counter() - start,
                               "device": str(p.device), "threads": p.threads,
                               "processes": 1 if p.distributed is None else p.distributed.world_size}
    if not p.writes:  # rank 0 evaluates and writes the summary
        return RunOutcome(run_dir, result, summary)
    if not result.interrupted and config.train.evaluate:
        load_best_weights(p.model, run_dir, p.device)
        summary["evaluation"] = evaluate_model(p.model, config, p.data, p.device, run_dir,
                                               figures_dir=run_dir / "figures")
    write_json(run_dir / "summary.json", summary)
    return RunOutcome(run_dir, result, summary)


def train_run(config: RunConfig, runs_root: str | Path = "runs", *, run_dir: str | Path | None = None,
              log: Callable[[str], None] | None = None, on_epoch_end: EpochCallback | None = None) -> RunOutcome:
    """Start a run: check and build everything, then make its folder, write ``config.toml`` and ``env.json``,
    train and evaluate. A configuration, data or model that fails its checks leaves no folder behind.

    Args:
        config: the validated configuration.
        runs_root: parent of the ``<experiment>/<stamp>/`` folders.
        run_dir: use this (new or empty) folder instead of a time-stamped one (e.g. a twin's ``twin/``).
        log: receives one line per epoch.
        on_epoch_end: see :func:`~qhep_contrast.training.fit_loop.fit`.

    Raises:
        CheckpointError: ``run_dir`` already holds a run. RunFolderBusyError: another process writes it.
    """
    if run_dir is not None and (Path(run_dir) / "config.toml").exists():
        raise CheckpointError(f"{run_dir} already holds a run; resume it with --resume {run_dir}.")
    prepared = _prepare(config)
    if not prepared.writes:
        assert prepared.distributed is not None
        folder = Path(prepared.distributed.broadcast(None))  # rank 0 makes the folder
        return _execute(config, prepared, folder, False, log, on_epoch_end)
    if run_dir is None:
        folder = create_run_dir(runs_root, config.experiment)
    else:
        folder = Path(run_dir)
        folder.mkdir(parents=True, exist_ok=True)
    with RunLock(folder):
        write_config(folder, config)
        write_json(folder / "env.json", environment(config, str(prepared.device), prepared.threads))
        if prepared.distributed is not None:
            prepared.distributed.broadcast(str(folder))
        return _execute(config, prepared, folder, False, log, on_epoch_end)


def resume_overrides(config: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """``config`` with the few keys allowed on resume (:data:`RESUME_OVERRIDABLE`) changed.

    Raises:
        ConfigError: another key, or an invalid value.
    """
    tree = config_to_dict(config)
    for key, value in overrides.items():
        if key not in RESUME_OVERRIDABLE:
            raise ConfigError(f"--set {key}=... cannot change a run being resumed (only {', '.join(RESUME_OVERRIDABLE)}"
                              "); start a new run with the changed configuration instead.")
        section, name = key.split(".")
        tree[section][name] = value
    return config_from_dict(tree)


def resume_run(run_dir: str | Path, *, overrides: dict[str, Any] | None = None,
               log: Callable[[str], None] | None = None, on_epoch_end: EpochCallback | None = None) -> RunOutcome:
    """Continue the run in ``run_dir`` from ``checkpoints/last.pt`` with the folder's own configuration.

    Args:
        run_dir: the run folder.
        overrides: ``{"train.epochs": 20, ...}`` (only :data:`RESUME_OVERRIDABLE` keys).
        log, on_epoch_end: as for :func:`train_run`.

    Raises:
        CheckpointError: not a run folder, or no checkpoint in it. RunFolderBusyError: another process writes it.
        ConfigError: an override that cannot apply (e.g. fewer epochs than already trained).
    """
    folder = Path(run_dir)
    config = read_run_config(folder)
    last = folder / LAST_CHECKPOINT
    if not last.is_file():
        raise CheckpointError(f"{last} is missing: the run stopped before its first checkpoint; "
                              f"start it again with qhep train {folder / 'config.toml'}.")
    main = int(os.environ.get("RANK", "0")) == 0  # under torchrun only rank 0 locks and writes the folder
    with RunLock(folder) if main else contextlib.nullcontext():
        if overrides:
            config = resume_overrides(config, overrides)
            _check_epochs(config, int(load_checkpoint(last)["epoch"]))
        env = read_json(folder / "env.json")
        prepared = _prepare(config)
        if overrides and prepared.writes:
            write_config(folder, config)
        env.setdefault("resumed", []).append(time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        if prepared.writes:
            write_json(folder / "env.json", env)
        return _execute(config, prepared, folder, True, log, on_epoch_end)


def _check_epochs(config: RunConfig, done: int) -> None:
    if config.train.epochs < done:
        raise ConfigError(f"--set train.epochs={config.train.epochs} is below the {done} epochs this run has already "
                          f"trained; resume with train.epochs >= {done}.")


def twin_config(config: RunConfig) -> RunConfig:
    """The classical-twin version of ``config`` (``model.twin = true``, no further comparison)."""
    if not hasattr(config.model.options, "twin"):
        raise ConfigError(f"model.kind = {config.model.name!r} has no classical twin; set compare.twin = false.")
    return dataclasses.replace(config, model=config.model.replace(twin=True),
                               compare=dataclasses.replace(config.compare, twin=False))

