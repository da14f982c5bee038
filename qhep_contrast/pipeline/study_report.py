"""The report of a ``qhep compare`` study: tables (Markdown + JSON), figures and a plain verdict.

For every model (the hybrid and its controls): mean, sd and each seed of the linear-probe AUC, kNN AUC and
background rejection ``1/eps_B`` at every efficiency of ``eval.efficiencies`` (for one-class anomaly models,
``[objective] name = "anomaly"``: the anomaly-score AUC and its ``1/eps_B``); the Hanley-McNeil statistical
error of one AUC on the test set; paired differences ``control - hybrid`` with 95 % t intervals
(:mod:`~qhep_contrast.evaluation.seed_statistics`); collapsed runs flagged
(:mod:`~qhep_contrast.evaluation.collapse`); and, for the hybrid, the circuit-contribution diagnostic
(:mod:`~qhep_contrast.pipeline.contribution`) with the reset-vs-trained gap in units of the hybrid's seed sd.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from qhep_contrast.evaluation.auc_error import auc_standard_error
from qhep_contrast.evaluation.collapse import collapse_flags
from qhep_contrast.evaluation.seed_statistics import paired_difference, seed_spread
from qhep_contrast.experiment.run_dir import read_json, write_json
from qhep_contrast.pipeline.study import HYBRID, Study

__all__ = ["GAP_CRITERION", "headline", "study_results", "write_report", "verdict", "summary_table"]

GAP_CRITERION = 3.0
"""The trained circuit "measurably matters" when its reset-vs-trained probe AUC gap is at least this many
seed standard deviations of the hybrid's probe AUC."""


def _anomaly(study: Study) -> bool:
    """The study's models are one-class anomaly models (scored, not embedded)."""
    return bool(study.config.objective.name == "anomaly")


def headline(study: Study) -> tuple[str, str]:
    """``(key, label)`` of the metric the verdict and the paired differences lead with: the linear-probe AUC,
    or the anomaly-score AUC for anomaly models."""
    return ("anomaly_auc", "anomaly AUC") if _anomaly(study) else ("probe_auc", "probe AUC")


def _metric_keys(study: Study) -> list[tuple[str, str]]:
    """``(key, label)`` of every reported metric (a supervised run's own classifier AUC first)."""
    if _anomaly(study):
        keys = [headline(study)]
    else:
        keys = [("classifier_auc", "classifier AUC")] if study.config.objective.name == "supervised" else []
        keys += [("probe_auc", "probe AUC"), ("knn_auc", "kNN AUC")]
    keys += [(f"rejection_{e:g}", f"1/eps_B @ {e:g}") for e in study.config.eval.efficiencies]
    return keys


def _run_metrics(evaluation: dict[str, Any], anomaly: bool = False) -> dict[str, Any]:
    if anomaly:
        out = {"anomaly_auc": evaluation.get("anomaly_auc")}
        out.update({f"rejection_{k[len('anomaly_rejection_'):]}": v for k, v in evaluation.items()
                    if k.startswith("anomaly_rejection_")})
        out["flags"] = collapse_flags(evaluation.get("anomaly_auc"), evaluation.get("score_variance"),
                                      evaluation.get("score_mean_square"), metric="anomaly AUC", spread_of="score")
        out["n_test"], out["n_test_positive"] = evaluation.get("n_test"), evaluation.get("n_anomaly")
    else:
        rejection = evaluation.get("probe_rejection") or {}
        out = {"probe_auc": evaluation.get("probe_auc"), "knn_auc": evaluation.get("knn_auc"),
               "classifier_auc": evaluation.get("classifier_auc")}
        out.update({f"rejection_{k}": v for k, v in rejection.items()})
        out["flags"] = collapse_flags(evaluation.get("probe_auc"), evaluation.get("embedding_variance"),
                                      evaluation.get("embedding_mean_square"))
        out["n_test"], out["n_test_positive"] = evaluation.get("n_test"), evaluation.get("n_test_positive")
    out["parameters"] = evaluation.get("parameters")
    return out


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)  # "inf"/"nan" strings from strict JSON parse too


def _models(study: Study, source: str) -> dict[str, Any]:
    """Per model: each seed's metrics, their spreads, paired differences to the hybrid and collapse flags, from
    the ``source`` entry of the run summaries (``"evaluation"``: the test split; ``"unseen"``: the unseen file)."""
    keys = [k for k, _ in _metric_keys(study)]
    per_seed = {m: {s: _run_metrics(study.summaries[m][s][source], _anomaly(study)) for s in study.seeds
                    if source in study.summaries.get(m, {}).get(s, {})} for m in study.models}
    models: dict[str, Any] = {}
    hybrid = per_seed.get(HYBRID, {})
    for model, runs in per_seed.items():
        entry: dict[str, Any] = {"seeds": {str(s): r for s, r in runs.items()},
                                 "parameters": next((r["parameters"] for r in runs.values()), None),
                                 "collapsed_seeds": [s for s, r in runs.items() if r["flags"]]}
        for key in keys:
            entry[key] = seed_spread([_float(r.get(key)) for r in runs.values()]).to_dict() if runs else None
            if model != HYBRID and hybrid:
                common = [s for s in study.seeds if s in runs and s in hybrid]
                entry[f"{key}_vs_hybrid"] = paired_difference([_float(runs[s].get(key)) for s in common],
                                                              [_float(hybrid[s].get(key)) for s in common]).to_dict()
        models[model] = entry
    return models


def _test_set(models: dict[str, Any], key: str = "probe_auc") -> dict[str, Any]:
    """``n_test``, ``n_test_positive`` and the Hanley-McNeil error of the hybrid's mean ``key`` AUC."""
    first: dict[str, Any] = next((r for entry in models.values() for r in entry["seeds"].values()), {})
    n_test, n_pos = first.get("n_test"), first.get("n_test_positive")
    auc_error = None
    if n_test and n_pos and models.get(HYBRID, {}).get(key):
        auc = models[HYBRID][key]["mean"]
        if math.isfinite(auc):
            auc_error = auc_standard_error(auc, n_pos, n_test - n_pos)
    return {"n_test": n_test, "n_test_positive": n_pos, "auc_statistical_error": auc_error}


def study_results(study: Study) -> dict[str, Any]:
    """Every number of the report, JSON-ready (see the module docstring)."""
    key, label = headline(study)
    models = _models(study, "evaluation")
    results = {"experiment": study.config.experiment, "seeds": study.seeds, "headline": {"key": key, "label": label},
               "models": models, **_test_set(models, key), "contribution": _contribution(study, models, key),
               "cores": _cores(study)}
    if study.unseen_data:
        unseen = _models(study, "unseen")
        warnings = sorted({w for m in study.models for r in study.summaries.get(m, {}).values()
                           for w in r.get("unseen", {}).get("data_warnings", [])})
        results["unseen"] = {"file": study.unseen_data, "models": unseen, **_test_set(unseen, key),
                             "data_warnings": warnings}
    return results


def _cores(study: Study) -> dict[str, str]:
    path = study.folder / "study.json"
    return dict(read_json(path).get("cores", {})) if path.is_file() else {}


def _contribution(study: Study, models: dict[str, Any], key: str = "probe_auc") -> dict[str, Any] | None:
    found = {s: study.summaries[HYBRID][s].get("contribution") for s in study.seeds
             if s in study.summaries.get(HYBRID, {})}
    runs: dict[int, dict[str, Any]] = {s: c for s, c in found.items() if c}
    if not runs:
        return None
    gaps = [_float(c.get("reset_gap")) for c in runs.values()]
    gap = seed_spread(gaps).to_dict()
    hybrid_sd = models[HYBRID][key]["sd"] if models.get(HYBRID, {}).get(key) else math.nan
    return {"seeds": {str(s): c for s, c in runs.items()}, "reset_gap": gap,
            f"{key}_reset": seed_spread([_float(c.get(f"{key}_reset")) for c in runs.values()]).to_dict(),
            "outputs_r2": seed_spread([_float(c.get("outputs_r2")) for c in runs.values()]).to_dict(),
            "probe_auc_angles": seed_spread([_float(c.get("probe_auc_angles")) for c in runs.values()]).to_dict(),
            "gap_in_seed_sd": gap["mean"] / hybrid_sd if hybrid_sd and math.isfinite(hybrid_sd) else math.nan}


def verdict(results: dict[str, Any]) -> list[str]:
    """Plain sentences: does the trained circuit matter, and how does the hybrid stand against each control."""
    lines = []
    key, label = _headline_of(results)
    c = results.get("contribution")
    if c:
        gap, ratio, r2 = c["reset_gap"], c["gap_in_seed_sd"], c["outputs_r2"]["mean"]
        matters = math.isfinite(ratio) and ratio >= GAP_CRITERION
        lines.append(f"The trained circuit {'measurably matters' if matters else 'does not measurably matter'}: "
                     f"resetting its weights to their initial values lowers the {label} by "
                     f"{gap['mean']:+.4f} +- {gap['sd']:.4f} (mean +- sd over {gap['n']} seeds), "
                     f"{ratio:.1f} seed-sd of the hybrid's AUC (criterion: at least {GAP_CRITERION:g}); the trained "
                     f"circuit's outputs are an affine function of the reset circuit's with R^2 = {r2:.3f}.")
    for model, entry in results["models"].items():
        if model == HYBRID or f"{key}_vs_hybrid" not in entry:
            continue
        d = entry[f"{key}_vs_hybrid"]
        if not math.isfinite(d["low"]):
            lines.append(f"{model}: {label} {d['mean']:+.4f} against the hybrid (too few seeds for an interval).")
            continue
        if d["high"] < 0:
            word = "the hybrid is better"
        elif d["low"] > 0:
            word = "the hybrid is worse"
        else:
            word = "level (the interval contains 0)"
        lines.append(f"{model}: {label} {d['mean']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] against the hybrid "
                     f"(control - hybrid, 95 % t interval over {d['n']} paired seeds): {word}.")
    collapsed = {m: e["collapsed_seeds"] for m, e in results["models"].items() if e["collapsed_seeds"]}
    if collapsed:
        lines.append("Collapsed runs (flagged, included in the means): "
                     + "; ".join(f"{m} seeds {v}" for m, v in collapsed.items()) + ".")
    return lines


def _headline_of(results: dict[str, Any]) -> tuple[str, str]:
    """The headline ``(key, label)`` recorded in ``results`` (reports written before it existed: probe AUC)."""
    found = results.get("headline") or {"key": "probe_auc", "label": "probe AUC"}
    return str(found["key"]), str(found["label"])


def _pm(spread: dict[str, Any] | None, digits: int = 3) -> str:
    if not spread or not math.isfinite(spread["mean"]):
        return "-"
    return f"{spread['mean']:.{digits}f} +- {spread['sd']:.{digits}f}"


def _num(value: Any, digits: int = 3) -> str:
    v = _float(value)
    if math.isnan(v):
        return "-"
    return "inf" if math.isinf(v) else f"{v:.{digits}f}"


def _ci(d: dict[str, Any] | None) -> str:
    if not d or not math.isfinite(d["mean"]):
        return "-"
    if not math.isfinite(d["low"]):
        return f"{d['mean']:+.3f}"
    return f"{d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]"


def _markdown(study: Study, results: dict[str, Any], figures: list[str], wall: float | None) -> str:
    keys = _metric_keys(study)
    label = _headline_of(results)[1]
    cfg = study.config
    n_test, n_pos = results["n_test"], results["n_test_positive"]
    error = results["auc_statistical_error"]
    lines = [f"# qhep compare: {cfg.experiment}", "",
             f"{cfg.description}".strip(), "",
             f"- seeds: {', '.join(map(str, study.seeds))} (training seed; one data split, split seed "
             f"{cfg.data.split_seed if cfg.data.split_seed >= 0 else cfg.seed}); epochs {cfg.train.epochs}; "
             f"model kind {cfg.model.name}; executor {cfg.execution.name}",
             f"- test set: N_test = {n_test}" + (f" ({n_pos} signal)" if n_pos else "")
             + (f"; statistical error of one {label} (Hanley-McNeil) +-{error:.3f}" if error else ""),
             f"- written {time.strftime('%Y-%m-%d %H:%M:%S %Z')}" + (f"; wall time {wall:.0f} s" if wall else ""), "",
             "## Models", "", "| model | core | trainable parameters |", "| --- | --- | --- |"]
    for model, entry in results["models"].items():
        lines.append(f"| {model} | {results['cores'].get(model, '-')} | {entry['parameters']} |")
    lines += _result_tables(keys, results["models"], f"## Results on the test split: mean +- sd over "
                                                     f"{len(study.seeds)} seeds")
    lines += ["", "## Every seed", "", "| model | seed | " + " | ".join(label for _, label in keys) + " | flags |",
              "| --- " * (len(keys) + 3) + "|"]
    for model, entry in results["models"].items():
        for seed, run in entry["seeds"].items():
            lines.append(f"| {model} | {seed} | "
                         + " | ".join(_num(run.get(k), 1 if k.startswith("rejection") else 4) for k, _ in keys)
                         + f" | {'; '.join(run['flags']) or '-'} |")
    unseen = results.get("unseen")
    if unseen:
        error = unseen["auc_statistical_error"]
        lines += ["", f"## Re-measured on unseen data: {unseen['file']}", "",
                  f"Every trained model scored on every image of this file (N = {unseen['n_test']}"
                  + (f", {unseen['n_test_positive']} signal" if unseen["n_test_positive"] else "")
                  + (f"; statistical error of one {label} +-{error:.3f}" if error else "")
                  + "), with its run's preprocessing" + ("." if _anomaly(study) else
                                                         "; probes and kNN fitted on the run's training split."),
                  *[f"Warning: {w}" for w in unseen["data_warnings"]]]
        lines += _result_tables(keys, unseen["models"], "### Unseen data: mean +- sd over seeds")
    c = results["contribution"]
    if c:
        key = _headline_of(results)[0]
        lines += ["", "## Circuit contribution (hybrid)", "",
                  f"| seed | {label} trained | {label}, circuit reset | gap | R^2 trained ~ reset outputs | "
                  "probe AUC on the circuit's input angles | relative weight change |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for seed, run in c["seeds"].items():
            lines.append(f"| {seed} | {_num(run.get(f'{key}_trained'), 4)} | {_num(run.get(f'{key}_reset'), 4)} | "
                         f"{_num(run.get('reset_gap'), 4)} | {_num(run.get('outputs_r2'), 4)} | "
                         f"{_num(run.get('probe_auc_angles'), 4)} | {_num(run.get('weight_change'), 3)} |")
        lines.append(f"| mean +- sd | | {_pm(c[f'{key}_reset'], 4)} | {_pm(c['reset_gap'], 4)} | "
                     f"{_pm(c['outputs_r2'], 4)} | {_pm(c['probe_auc_angles'], 4)} | |")
    lines += ["", "## Verdict", "", *[f"- {line}" for line in verdict(results)], ""]
    if figures:
        lines += ["## Figures", "", *[f"![{Path(f).stem}](figures/{Path(f).name})" for f in figures], ""]
    return "\n".join(lines)


def _result_tables(keys: list[tuple[str, str]], models: dict[str, Any], heading: str) -> list[str]:
    """Markdown: the mean +- sd table and the paired-difference table of ``models``."""
    lines = ["", heading, "", "| model | " + " | ".join(label for _, label in keys) + " | collapsed seeds |",
             "| --- " * (len(keys) + 2) + "|"]
    for model, entry in models.items():
        lines.append(f"| {model} | " + " | ".join(_pm(entry[k], 1 if k.startswith("rejection") else 3)
                                                  for k, _ in keys)
                     + f" | {entry['collapsed_seeds'] or '-'} |")
    lines += ["", "Paired differences to the hybrid (control - hybrid, mean [95 % t interval]):", "",
              "| model | " + " | ".join(label for _, label in keys) + " |", "| --- " * (len(keys) + 1) + "|"]
    for model, entry in models.items():
        if model != HYBRID:
            lines.append(f"| {model} | " + " | ".join(_ci(entry.get(f"{k}_vs_hybrid")) for k, _ in keys) + " |")
    return lines


def _roc_overlay(study: Study, path: Path, title: str) -> Path | None:
    from qhep_contrast.evaluation import plot_roc
    from qhep_contrast.evaluation.roc import RocCurve

    curves = {}
    for model in study.models:
        rocs = [study.summaries[model][s]["evaluation"].get("probe_roc") for s in study.seeds
                if s in study.summaries.get(model, {})]
        rocs = [r for r in rocs if r]
        if not rocs:
            continue
        tpr = np.asarray(rocs[0]["tpr"])
        fpr = np.mean([np.asarray(r["fpr"]) for r in rocs], axis=0)
        curves[f"{model} (mean of {len(rocs)} seeds)"] = RocCurve(fpr, tpr, np.full(tpr.size, np.nan))
    return plot_roc(curves, path, title) if curves else None


def write_report(study: Study, wall_seconds: float | None = None, plots: bool = True) -> dict[str, Any]:
    """Write ``report.json``, ``report.md`` and ``figures/`` into the study folder; return the results."""
    results = study_results(study)
    figures: list[str] = []
    if plots:
        from qhep_contrast.evaluation.study_plots import plot_paired_differences, plot_seed_metrics

        keys = _metric_keys(study)
        key, label = headline(study)
        title = f"{study.config.experiment}: {len(study.seeds)} seeds, N_test = {results['n_test']}"
        shown = [k for k in keys if k[0] in (key, "knn_auc")] + [k for k in keys if k[0] == "rejection_0.5"]
        metrics = {label: {m: [_float(r.get(key)) for r in e["seeds"].values()]
                           for m, e in results["models"].items()} for key, label in shown}
        figures.append(str(plot_seed_metrics(metrics, study.folder / "figures" / "seeds.png", title)))
        diffs = {m: (e[f"{key}_vs_hybrid"]["mean"], e[f"{key}_vs_hybrid"]["low"], e[f"{key}_vs_hybrid"]["high"])
                 for m, e in results["models"].items() if f"{key}_vs_hybrid" in e}
        if diffs:
            figures.append(str(plot_paired_differences(diffs, study.folder / "figures" / f"paired_{key}.png",
                                                       f"{label}: control - hybrid", title)))
        roc = _roc_overlay(study, study.folder / "figures" / "roc_mean.png", title)
        if roc is not None:
            figures.append(str(roc))
    results["figures"] = figures
    results["verdict"] = verdict(results)
    write_json(study.folder / "report.json", results)
    (study.folder / "report.md").write_text(_markdown(study, results, figures, wall_seconds), encoding="utf-8")
    return results


def summary_table(results: dict[str, Any]) -> str:
    """A plain-text table of the means (for the terminal)."""
    unseen = results.get("unseen", {}).get("models", {})
    key, label = _headline_of(results)
    knn = key == "probe_auc"
    rows = [["model", label] + (["kNN AUC"] if knn else []) + [f"d {label} vs hybrid [95% CI]", "collapsed"]
            + ([f"{label}, unseen data"] if unseen else [])]
    for model, entry in results["models"].items():
        rows.append([model, _pm(entry[key])] + ([_pm(entry["knn_auc"])] if knn else [])
                    + [_ci(entry.get(f"{key}_vs_hybrid")), str(entry["collapsed_seeds"] or "-")]
                    + ([_pm(unseen.get(model, {}).get(key))] if unseen else []))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
