"""Train a configuration and, with ``[compare] twin = true``, its parameter-matched classical twin, and compare.

The twin runs in ``<run_dir>/twin/`` (a complete run folder of its own) with the same data, seed,
front-end initialisation, loss and schedule; only the quantum layer is replaced
(:func:`~qhep_contrast.models.classical_twin`). The hybrid's ``summary.json`` gets a ``comparison`` entry
with both models' metrics, and :func:`comparison_table` prints them side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qhep_contrast.experiment.config import RunConfig
from qhep_contrast.experiment.run_dir import read_run_config, write_json
from qhep_contrast.pipeline.train_run import RunOutcome, resume_run, train_run, twin_config

__all__ = ["Comparison", "train_compare", "resume_compare", "comparison_table"]

_KEYS = ("probe_auc", "probe_accuracy", "knn_auc", "knn_accuracy", "probe_rejection", "parameters",
         "circuit_weights")


@dataclass
class Comparison:
    """The configured run's outcome (``primary``: the hybrid, or a twin trained on its own) and, with
    ``[compare] twin = true``, the classical twin's."""

    primary: RunOutcome
    twin: RunOutcome | None = None

    @property
    def interrupted(self) -> bool:
        """Either run was stopped by Ctrl-C."""
        return self.primary.interrupted or (self.twin is not None and self.twin.interrupted)

    @property
    def outcomes(self) -> dict[str, RunOutcome]:
        """The runs that exist, keyed by their model kind (``"hybrid"`` or ``"twin"``)."""
        runs = [self.primary] + ([self.twin] if self.twin is not None else [])
        return {run.summary.get("model", "hybrid"): run for run in runs}


def _record(comparison: Comparison) -> None:
    if comparison.twin is None or comparison.interrupted:
        return
    entry = {name: {k: o.summary.get("evaluation", {}).get(k) for k in _KEYS} | {"run_dir": str(o.run_dir)}
             for name, o in comparison.outcomes.items()}
    comparison.primary.summary["comparison"] = entry
    overlay = _overlay(comparison)
    if overlay is not None:
        comparison.primary.summary["comparison_figure"] = overlay
    write_json(comparison.primary.run_dir / "summary.json", comparison.primary.summary)


def _overlay(comparison: Comparison) -> str | None:
    """ROC and rejection of the hybrid and the twin in one figure (``figures/roc_hybrid_vs_twin.png``)."""
    from qhep_contrast.evaluation import plot_roc
    from qhep_contrast.evaluation.roc import RocCurve

    curves = {}
    for name, outcome in comparison.outcomes.items():
        evaluation = outcome.summary.get("evaluation", {})
        roc = evaluation.get("probe_roc")
        if roc is None or not evaluation.get("figures"):
            return None
        curves[f"{name} (probe AUC {evaluation['probe_auc']:.3f})"] = RocCurve(
            np.asarray(roc["fpr"]), np.asarray(roc["tpr"]), np.full(len(roc["tpr"]), np.nan))
    n_test = comparison.primary.summary["evaluation"].get("n_test")
    path = plot_roc(curves, comparison.primary.run_dir / "figures" / "roc_hybrid_vs_twin.png",
                    f"hybrid vs classical twin, same data and seed; N_test = {n_test}")
    return str(path)


def train_compare(config: RunConfig, runs_root: str | Path = "runs", *,
                  log: Callable[[str], None] | None = None) -> Comparison:
    """Train ``config``; then its twin in ``<run_dir>/twin/`` if ``config.compare.twin``."""
    if log:
        log(f"training {'the classical twin' if getattr(config.model.options, 'twin', False) else 'the hybrid'} "
            f"({config.experiment})")
    primary = train_run(config, runs_root, log=log)
    comparison = Comparison(primary)
    if config.compare.twin and not primary.interrupted:
        if log:
            log("training the parameter-matched classical twin")
        comparison.twin = train_run(twin_config(config), run_dir=primary.run_dir / "twin", log=log)
    _record(comparison)
    return comparison


def resume_compare(run_dir: str | Path, *, overrides: dict[str, Any] | None = None,
                   log: Callable[[str], None] | None = None) -> Comparison:
    """Resume the run in ``run_dir`` and then its twin (started if it never began)."""
    folder = Path(run_dir)
    primary = resume_run(folder, overrides=overrides, log=log)
    comparison = Comparison(primary)
    config = read_run_config(folder)
    if config.compare.twin and not primary.interrupted:
        twin_dir = folder / "twin"
        if (twin_dir / "config.toml").is_file():
            comparison.twin = resume_run(twin_dir, overrides=overrides, log=log)
        else:
            comparison.twin = train_run(twin_config(config), run_dir=twin_dir, log=log)
    _record(comparison)
    return comparison


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "inf" if value == float("inf") else f"{value:.{digits}f}"
    return str(value)


def comparison_table(comparison: Comparison, efficiencies: tuple[str, ...] = ("0.3", "0.5")) -> str:
    """A plain-text table: linear-probe AUC, kNN AUC, rejections, parameter counts and N_test per model.

    A ``pair acc`` column is added when any model has a Siamese pair accuracy (contrastive-pair runs).
    """
    evaluations = {name: o.summary.get("evaluation", {}) for name, o in comparison.outcomes.items()}
    pairs = any("pair_accuracy" in ev for ev in evaluations.values())
    header = (["model", "probe AUC", "kNN AUC"] + [f"1/eps_B@{e}" for e in efficiencies]
              + (["pair acc"] if pairs else []) + ["params", "N test", "run folder"])
    rows = [header]
    for name, outcome in comparison.outcomes.items():
        ev = evaluations[name]
        rejection = ev.get("probe_rejection") or {}
        rows.append([name, _fmt(ev.get("probe_auc")), _fmt(ev.get("knn_auc"))]
                    + [_fmt(rejection.get(e), 1) for e in efficiencies]
                    + ([_fmt(ev.get("pair_accuracy"))] if pairs else [])
                    + [_fmt(ev.get("parameters")), _fmt(ev.get("n_test")), str(outcome.run_dir)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
