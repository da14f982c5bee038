"""``qhep compare``: a hybrid and its controls, trained over several seeds on one fixed test set.

A study folder ``runs/<experiment>/compare-<stamp>/`` holds ``study.toml`` (the base configuration),
``study.json`` (seeds, controls, the unseen-data file if any), one complete run folder per model and seed
(``<model>/seed-<s>/``; with an unseen-data file each run is also evaluated on it) and,
at the end, the report (``report.md``, ``report.json``, ``figures/``; see
:mod:`~qhep_contrast.pipeline.study_report`).

Models: ``hybrid`` (the configuration as given) and the controls of
:data:`~qhep_contrast.experiment.config.STUDY_CONTROLS` (``model.control`` values, and ``matched_twin`` for
``model.twin = true``). Seeds ``seed, seed + 1, ...`` change initialisation, augmentation and batch order;
the data split stays the base configuration's (``data.split_seed``), so every model and seed is scored on the
same test images and runs of one seed are paired. Each hybrid run also gets the circuit-contribution diagnostic
(:mod:`~qhep_contrast.pipeline.contribution`).

Runs go in parallel in worker processes (``jobs``; each with ``cores // jobs`` torch threads). A finished run
is never trained again: ``--resume`` (or a second call on the same folder) skips finished runs, continues
interrupted ones from their last checkpoint, and restarts runs that stopped before their first checkpoint.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from qhep_contrast.exceptions import CheckpointError, ConfigError
from qhep_contrast.experiment.builders import build_data, build_model, split_seed_of
from qhep_contrast.experiment.config import STUDY_CONTROLS, RunConfig, config_from_dict, config_to_dict
from qhep_contrast.experiment.run_dir import create_run_dir, read_json, read_run_config, write_config, write_json
from qhep_contrast.models import MODELS
from qhep_contrast.models.controls import describe_model

__all__ = ["HYBRID", "Study", "variant_config", "available_controls", "plan_study", "run_study", "load_study"]

HYBRID = "hybrid"
"""Name of the configured model itself among a study's models."""

_STUDY_FILE = "study.json"


@dataclass
class Study:
    """A study's folder, base configuration, seeds and models, and the summaries of its finished runs."""

    folder: Path
    config: RunConfig
    seeds: list[int]
    models: list[str]
    summaries: dict[str, dict[int, dict[str, Any]]] = dataclasses.field(default_factory=dict)
    unseen_data: str | None = None

    def run_dir(self, model: str, seed: int) -> Path:
        """``<folder>/<model>/seed-<seed>/``."""
        return self.folder / model / f"seed-{seed}"

    @property
    def complete(self) -> bool:
        """Every model has a finished, evaluated run for every seed (re-measured on the unseen data if any)."""
        return all(seed in self.summaries.get(m, {}) for m in self.models for seed in self.seeds)


def available_controls(config: RunConfig) -> list[str]:
    """The controls the configured model kind offers: its ``control`` values named in its traits
    (:attr:`~qhep_contrast.models.ModelTraits.controls`) and ``matched_twin`` with a ``twin`` option."""
    options = config.model.options
    traits = MODELS.get(config.model.name).traits
    offered = []
    if hasattr(options, "control"):
        offered += [c for c in STUDY_CONTROLS if c in getattr(traits, "controls", ())]
    if hasattr(options, "twin"):
        offered.append("matched_twin")
    return offered


def variant_config(config: RunConfig, model: str, seed: int) -> RunConfig:
    """``config`` as model ``model`` (``"hybrid"`` or a control) with training seed ``seed``.

    The split seed is pinned to the base configuration's, evaluation figures are off (the study draws its own)
    and no further comparison runs.

    Raises:
        ConfigError: the model kind has no such control, or the base is itself a control or twin.
    """
    options = config.model.options
    if getattr(options, "twin", False) or getattr(options, "control", "none") != "none":
        raise ConfigError(f"qhep compare takes the hybrid's configuration; {config.experiment!r} is already a control "
                          "(model.twin = true or model.control set): compare its base configuration instead.")
    if model != HYBRID and model not in available_controls(config):
        raise ConfigError(f"model.kind = {config.model.name!r} has no control {model!r}; it offers "
                          f"{available_controls(config) or 'none'}.")
    selection = config.model
    if model == "matched_twin":
        selection = selection.replace(twin=True)
    elif model != HYBRID:
        selection = selection.replace(control=model)
    return dataclasses.replace(
        config, experiment=f"{config.experiment}_{model}", seed=seed, model=selection,
        data=config.data.replace(split_seed=split_seed_of(config)),
        train=dataclasses.replace(config.train, progress=False),
        eval=dataclasses.replace(config.eval, plots=False),
        compare=dataclasses.replace(config.compare, twin=False))


_UNSEEN_KEYS = ("probe_auc", "probe_accuracy", "knn_auc", "knn_accuracy", "probe_rejection", "n_test",
                "n_test_positive", "embedding_variance", "embedding_mean_square", "parameters", "data_warnings",
                "test_data", "folder")
_UNSEEN_PREFIXES = ("anomaly_", "score_", "n_anomaly", "n_normal", "classifier_")
"""What an anomaly model's or a classifier's unseen-data evaluation keeps beside :data:`_UNSEEN_KEYS`."""


def _unseen_values(values: dict[str, Any]) -> dict[str, Any]:
    """The part of an unseen-data evaluation a study keeps: the embedding metrics, an anomaly model's scores
    and a classifier's own AUC, accuracy and rejections (no figures, curves or pair statistics)."""
    return {k: v for k, v in values.items() if k in _UNSEEN_KEYS or k.startswith(_UNSEEN_PREFIXES)}


def _finished(run_dir: Path, contribution: bool = False, unseen: str | None = None) -> dict[str, Any] | None:
    """The run's summary if it has everything the study needs, else None."""
    path = run_dir / "summary.json"
    if not path.is_file():
        return None
    summary = read_json(path)
    complete = (summary.get("finished") and "evaluation" in summary and (not contribution or "contribution" in summary)
                and (unseen is None or "unseen" in summary))
    return summary if complete else None


def _train_one(config_tree: dict[str, Any], run_dir: str, threads: int, contribution: bool,
               unseen: str | None = None) -> dict[str, Any]:
    """Train (or finish) one run of a study and return its summary; runs in a worker process."""
    from qhep_contrast.pipeline.train_run import resume_run, train_run

    folder = Path(run_dir)
    config = config_from_dict(config_tree)
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, threads=threads))
    summary = _finished(folder)
    if summary is None:
        if (folder / "checkpoints" / "last.pt").is_file():
            outcome = resume_run(folder, overrides={"train.threads": threads})
        else:
            if folder.exists():  # stopped before its first checkpoint: nothing to keep
                shutil.rmtree(folder)
            outcome = train_run(config, run_dir=folder)
        if outcome.interrupted:
            raise KeyboardInterrupt
        summary = outcome.summary
    if contribution and "contribution" not in summary:
        summary["contribution"] = _contribution(folder)
        write_json(folder / "summary.json", summary)
    if unseen is not None and "unseen" not in summary:
        from qhep_contrast.pipeline.evaluate import evaluate_run

        values = evaluate_run(folder, plots=False, data_file=unseen)
        summary["unseen"] = _unseen_values(values)
        write_json(folder / "summary.json", summary)
    return summary


def _contribution(folder: Path) -> dict[str, Any]:
    from qhep_contrast.pipeline.contribution import circuit_contribution
    from qhep_contrast.pipeline.evaluate import load_best_weights
    from qhep_contrast.training.runtime import select_device

    config = read_run_config(folder)
    device = select_device(config.train.device)
    data = build_data(config)
    model = build_model(config, data.image_shape).to(device)
    load_best_weights(model, folder, device)
    return circuit_contribution(model, config, data, device)


def plan_study(config: RunConfig, runs_root: str | Path = "runs", *, seeds: int | None = None,
               controls: Sequence[str] | None = None, folder: str | Path | None = None,
               unseen_data: str | Path | None = None) -> Study:
    """Check every model of the study (each builds once) and create its folder with ``study.toml``.

    Args:
        config: the hybrid's configuration.
        runs_root: parent of ``<experiment>/compare-<stamp>/``.
        seeds: number of seeds (None: ``compare.seeds``).
        controls: controls to train (None: ``compare.controls`` that the model kind offers).
        folder: use this new folder instead of a time-stamped one.
        unseen_data: also score every trained model on every image of this file (same schema; see
            :func:`~qhep_contrast.pipeline.evaluate.external_test_data`).

    Raises:
        ConfigError: an unknown control, a control the model kind lacks, a model that does not build, or an
            unseen-data file that cannot be read with the run's preprocessing.
    """
    n_seeds = config.compare.seeds if seeds is None else int(seeds)
    if n_seeds < 1:
        raise ConfigError(f"qhep compare needs at least one seed, got --seeds {n_seeds}.")
    offered = available_controls(config)
    if controls is None:
        chosen = [c for c in config.compare.controls if c in offered]
    else:
        unknown = [c for c in controls if c not in STUDY_CONTROLS]
        if unknown:
            raise ConfigError(f"unknown control(s) {unknown}; choose from {list(STUDY_CONTROLS)}.")
        chosen = list(dict.fromkeys(controls))
    models = [HYBRID, *chosen]
    configs = [variant_config(config, m, config.seed) for m in models]
    data = build_data(configs[0])
    for variant in configs:  # every model must build (e.g. a twin within its parameter tolerance)
        build_model(variant, data.image_shape)
    unseen = None if unseen_data is None else str(Path(unseen_data).resolve())
    if unseen is not None:
        from qhep_contrast.pipeline.evaluate import external_test_data

        external_test_data(configs[0], data, unseen, limit=64)  # readable, and the images fit the model
    if folder is None:
        target = create_run_dir(runs_root, config.experiment, prefix="compare-")
    else:
        target = Path(folder)
        if (target / _STUDY_FILE).exists():
            raise CheckpointError(f"{target} already holds a study; continue it with qhep compare --resume {target}.")
        target.mkdir(parents=True, exist_ok=True)
    write_config(target, config, name="study.toml")
    seed_list = [config.seed + k for k in range(n_seeds)]
    write_json(target / _STUDY_FILE, {"seeds": seed_list, "models": models, "split_seed": split_seed_of(config),
                                      "model_kind": config.model.name, "unseen_data": unseen,
                                      "cores": {m: describe_model(build_model(c, data.image_shape))
                                                for m, c in zip(models, configs)}})
    return Study(target, config, seed_list, models, unseen_data=unseen)


def load_study(folder: str | Path) -> Study:
    """The study in ``folder`` with the summaries of its finished runs.

    Raises:
        CheckpointError: ``folder`` holds no study.
    """
    target = Path(folder)
    if not (target / _STUDY_FILE).is_file():
        raise CheckpointError(f"{target} holds no study ({_STUDY_FILE} is missing); start one with qhep compare CONFIG.")
    meta = read_json(target / _STUDY_FILE)
    config = read_run_config(target, name="study.toml")
    study = Study(target, config, [int(s) for s in meta["seeds"]], list(meta["models"]),
                  unseen_data=meta.get("unseen_data"))
    for model in study.models:
        for seed in study.seeds:
            summary = _finished(study.run_dir(model, seed), model == HYBRID, study.unseen_data)
            if summary is not None:
                study.summaries.setdefault(model, {})[seed] = summary
    return study


def _jobs(requested: int, runs: int) -> tuple[int, int]:
    """``(parallel runs, torch threads per run)`` for ``requested`` jobs (0: automatic) on this machine."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = requested or min(cores, 4)
    jobs = max(1, min(jobs, runs))
    return jobs, max(1, cores // jobs)


def run_study(study: Study, *, jobs: int | None = None, log: Callable[[str], None] | None = None,
              progress: bool = True) -> Study:
    """Train every missing run of ``study`` (in parallel where cores allow) and collect the summaries.

    Args:
        study: from :func:`plan_study` or :func:`load_study`.
        jobs: runs in parallel (None: ``compare.jobs``; 0: one per core, at most 4).
        log: receives one line per finished run.
        progress: a progress bar over runs on stderr.

    Returns:
        ``study`` with every summary filled in. Ctrl-C stops the workers; finished runs are kept and the rest
        continue with ``qhep compare --resume``.
    """
    from tqdm import tqdm

    pending = [(m, s) for m in study.models for s in study.seeds if s not in study.summaries.get(m, {})]
    n_jobs, threads = _jobs(study.config.compare.jobs if jobs is None else jobs, max(len(pending), 1))
    bar = tqdm(total=len(study.models) * len(study.seeds), initial=sum(map(len, study.summaries.values())),
               desc="compare", unit="run", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    args = {(m, s): (config_to_dict(variant_config(study.config, m, s)), str(study.run_dir(m, s)), threads,
                     m == HYBRID, study.unseen_data) for m, s in pending}
    start = time.perf_counter()

    def done(key: tuple[str, int], summary: dict[str, Any]) -> None:
        study.summaries.setdefault(key[0], {})[key[1]] = summary
        bar.update(1)
        evaluation = summary.get("evaluation", {})
        name = "anomaly AUC" if "anomaly_auc" in evaluation else "probe AUC"
        auc = evaluation.get("anomaly_auc", evaluation.get("probe_auc"))
        if log:
            log(f"{key[0]} seed {key[1]}: {name} {auc if auc is None else round(auc, 4)} "
                f"({time.perf_counter() - start:.0f} s)")

    try:
        if n_jobs == 1:
            for key in pending:
                done(key, _train_one(*args[key]))
        else:
            with ProcessPoolExecutor(n_jobs, mp_context=get_context("spawn")) as pool:
                futures: dict[Future, tuple[str, int]] = {pool.submit(_train_one, *args[k]): k for k in pending}
                try:
                    while futures:
                        finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                        for future in finished:
                            done(futures.pop(future), future.result())
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        bar.close()
    return study


def study_summary_json(study: Study) -> str:
    """All per-run evaluations of ``study`` as JSON text (for debugging and external analysis)."""
    return json.dumps({m: {str(s): v for s, v in runs.items()} for m, runs in study.summaries.items()}, indent=1)
