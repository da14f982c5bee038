"""Tables and the Markdown summary of a transpilation study.

Files written into the run folder by :func:`write_report`:

- ``table.csv``: one row per :class:`~qhep_contrast.hardware.study.TranspileRecord`, gate counts spread into
  ``count_<gate>`` columns and layouts as space-separated physical qubits;
- ``table.json``: ``{"settings": ..., "skipped": ..., "rows": [...]}`` with gate counts as objects;
- ``summary.md``: the headline tables (see :func:`summary_markdown`) and links to the figures.

"Best of seeds" everywhere means: of the rows that differ only in ``seed_transpiler``, the one with the highest
estimated success probability (the compilation one would run); the 2-qubit count range over seeds is shown
next to it.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from qhep_contrast.hardware.circuit_sets import HEADLINE_FAMILIES
from qhep_contrast.hardware.study import StudyResult, TranspileRecord

__all__ = ["best_of_seeds", "summary_markdown", "write_report", "write_tables"]

_Group = tuple[str, str, int, str]  # circuit, backend, level, layout


def best_of_seeds(records: Iterable[TranspileRecord]) -> dict[_Group, tuple[TranspileRecord, int, int]]:
    """``(circuit, backend, level, layout) -> (best record, min 2q count, max 2q count)`` over seeds."""
    groups: dict[_Group, list[TranspileRecord]] = defaultdict(list)
    for record in records:
        groups[(record.circuit, record.backend, record.optimization_level, record.layout)].append(record)
    out = {}
    for key, rows in groups.items():
        best = max(rows, key=lambda r: (r.metrics.success_probability, -r.metrics.two_qubit_count, -r.seed))
        counts = [r.metrics.two_qubit_count for r in rows]
        out[key] = (best, min(counts), max(counts))
    return out


def _csv_rows(records: Sequence[TranspileRecord]) -> tuple[list[str], list[dict]]:
    gates = sorted({name for r in records for name in r.metrics.gate_counts})
    rows = []
    for record in records:
        row = record.as_row()
        counts = row.pop("gate_counts")
        row["initial_layout"] = " ".join(map(str, row["initial_layout"]))
        row["final_layout"] = " ".join(map(str, row["final_layout"]))
        row.update({f"count_{g}": counts.get(g, 0) for g in gates})
        rows.append(row)
    header = list(rows[0]) if rows else []
    return header, rows


def write_tables(result: StudyResult, folder: Path, settings: Mapping) -> None:
    """Write ``table.csv`` and ``table.json`` into ``folder``."""
    header, rows = _csv_rows(result.records)
    with (folder / "table.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    payload = {
        "settings": dict(settings),
        "skipped": [{"circuit": c, "backend": b, "reason": r} for c, b, r in result.skipped],
        "rows": [_json_safe(record.as_row()) for record in result.records],
    }
    (folder / "table.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def _json_safe(row: dict) -> dict:
    """NaN durations become ``null`` (JSON has no NaN)."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _fmt_esp(value: float) -> str:
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def _fmt_us(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1e6:.1f}"


def _table(best: Mapping, rows: Sequence[tuple[str, str]], level: int, layouts: Sequence[str]) -> list[str]:
    """Markdown table, one line per (circuit, backend) at ``level``."""
    lines = [
        "| circuit | qubits | backend | 2q gates (seed range) | 2q depth | depth | duration (us) | "
        + " | ".join(f"ESP {layout}" for layout in layouts) + " |",
        "|" + " --- |" * (7 + len(layouts)),
    ]  # fmt: skip
    for circuit, backend in rows:
        entry = best.get((circuit, backend, level, "default"))
        if entry is None:
            continue
        record, low, high = entry
        m = record.metrics
        esps = []
        for layout in layouts:
            other = best.get((circuit, backend, level, layout))
            esps.append(_fmt_esp(other[0].metrics.success_probability) if other else "-")
        spread = f"{m.two_qubit_count} ({low}-{high})" if low != high else f"{m.two_qubit_count}"
        lines.append(
            f"| {circuit} | {m.num_qubits} | {backend} | {spread} | {m.two_qubit_depth} | {m.depth} | "
            f"{_fmt_us(m.duration_s)} | " + " | ".join(esps) + " |"
        )
    return lines


def _level_table(best: Mapping, circuits: Sequence[str], backends: Sequence[str], levels: Sequence[int]) -> list[str]:
    """Total 2q gates over all circuits (best of seeds, default layout) per backend and level."""
    lines = ["| backend | " + " | ".join(f"O{level}" for level in levels) + " |", "|" + " --- |" * (1 + len(levels))]
    for backend in backends:
        cells = []
        for level in levels:
            counts = [best[(c, backend, level, "default")][0].metrics.two_qubit_count
                      for c in circuits if (c, backend, level, "default") in best]
            cells.append(str(sum(counts)) if counts else "-")
        lines.append(f"| {backend} | " + " | ".join(cells) + " |")
    return lines


def summary_markdown(result: StudyResult, settings: Mapping, figures: Sequence[str] = ()) -> str:
    """The study's Markdown summary: settings, headline tables, all circuits at the top level, figures.

    Args:
        result: the study result.
        settings: what was run (backends, levels, seeds, versions, wall time, ...), listed first.
        figures: figure paths relative to the run folder, embedded at the end.
    """
    records = result.records
    best = best_of_seeds(records)
    levels = sorted({r.optimization_level for r in records})
    backends = list(dict.fromkeys(r.backend for r in records))
    layouts = list(dict.fromkeys(r.layout for r in records))
    top = max(levels) if levels else 0
    circuits = list(dict.fromkeys(r.circuit for r in records))
    family_of = {r.circuit: (r.family, r.size) for r in records}
    lines = ["# Transpilation study", ""]
    lines += [f"- {key}: {value}" for key, value in settings.items()]
    lines += [
        "",
        "ESP = estimated success probability, the product of (1 - error) over every gate and measurement from the "
        "backend's Target (missing error entries count as error-free). Each row is the best of the transpiler "
        "seeds (highest ESP), with the range of 2-qubit gate counts over seeds in brackets. Parametrized u/p/cp "
        "gates are rewritten up to a global phase before transpiling (Qiskit issue #16520).",
        "",
    ]
    headline = sorted((c for c in circuits if family_of[c][0] in HEADLINE_FAMILIES),
                      key=lambda c: (HEADLINE_FAMILIES.index(family_of[c][0]), family_of[c][1]))
    for title, chosen in (
        ("Fidelity estimators over the same encoder (swap test vs compute-uncompute over W1)",
         [c for c in headline if family_of[c][0] != "w1"]),
        ("Hybrid layer (W1: angle encoder + hardware-efficient ansatz) by width", [c for c in headline
                                                                                 if family_of[c][0] == "w1"]),
        ("All circuits", circuits),
    ):
        if chosen:
            lines += [f"## {title} (optimization level {top})", ""]
            lines += _table(best, [(c, b) for c in chosen for b in backends], top, layouts) + [""]
    if len(levels) > 1:
        lines += ["## Total 2-qubit gates over all circuits by optimization level (default layout)", ""]
        lines += _level_table(best, circuits, backends, levels) + [""]
    if result.skipped:
        lines += ["## Skipped", ""] + [f"- {c} on {b}: {r}" for c, b, r in result.skipped] + [""]
    if figures:
        lines += ["## Figures", ""] + [f"![{Path(f).stem}]({f})" for f in figures] + [""]
    return "\n".join(lines)


def write_report(result: StudyResult, folder: Path, settings: Mapping, figures: Sequence[str] = ()) -> None:
    """Write ``table.csv``, ``table.json`` and ``summary.md`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tables(result, folder, settings)
    (folder / "summary.md").write_text(summary_markdown(result, settings, figures), encoding="utf-8")
