"""Figures of a transpilation study (matplotlib, Agg backend: no display needed).

- ``plots/levels_<circuit>.png``: 2-qubit gate count and estimated success probability against the
  optimization level, one line per backend (solid: default layout, dashed: best-error layout);
- ``plots/qubits_<family>.png``: the same against the logical qubit count, at the highest optimization level,
  for every family run at two or more sizes.

Every point is the best of the transpiler seeds (:func:`~qhep_contrast.hardware.report.best_of_seeds`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from qhep_contrast.hardware.report import best_of_seeds
from qhep_contrast.hardware.study import TranspileRecord

__all__ = ["plot_study"]

_STYLE = {"default": "-", "best-error": "--"}


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    return plt, fig, axes


def _finish(plt, fig, axes, xlabel: str, title: str, path: Path) -> None:
    axes[0].set_ylabel("2-qubit gates")
    axes[1].set_ylabel("estimated success probability")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _esp_floor(series: dict) -> float:
    """Where a success estimate of 0 is drawn on the log axis: a decade below the smallest positive one."""
    positive = [r.metrics.success_probability for points in series.values() for _, r in points
                if r.metrics.success_probability > 0]
    return 10.0 ** (math.floor(math.log10(min(positive))) - 1) if positive else 1e-6


def _plot_lines(axes, series: dict, backends: Sequence[str]) -> None:
    """``series[(backend, layout)] = [(x, record), ...]`` drawn with one colour per backend.

    An estimate of exactly 0 (a gate with error 1, e.g. a coupler marked broken in the snapshot) is drawn
    at the floor of the log axis with a downward triangle.
    """
    floor = _esp_floor(series)
    clipped = False
    for colour, backend in enumerate(backends):
        for layout, style in _STYLE.items():
            points = sorted(series.get((backend, layout), []), key=lambda p: p[0])
            if not points:
                continue
            xs = [x for x, _ in points]
            esp = [r.metrics.success_probability for _, r in points]
            label = f"{backend} ({layout})"
            axes[0].plot(xs, [r.metrics.two_qubit_count for _, r in points], style, marker="o", color=f"C{colour}",
                         label=label)
            axes[1].plot(xs, [max(v, floor) for v in esp], style, marker="o", color=f"C{colour}", label=label)
            zeros = [x for x, v in zip(xs, esp) if v <= 0]
            if zeros:
                clipped = True
                axes[1].plot(zeros, [floor] * len(zeros), "v", color=f"C{colour}", markersize=9)
    if clipped:
        axes[1].set_title("▼ = estimate 0 (a gate with error 1 on those qubits)", fontsize=8)


def plot_study(records: Sequence[TranspileRecord], folder: Path) -> list[str]:
    """Draw the figures into ``folder / "plots"``; return their paths relative to ``folder``."""
    best = best_of_seeds(records)
    backends = list(dict.fromkeys(r.backend for r in records))
    levels = sorted({r.optimization_level for r in records})
    out_dir = folder / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    by_circuit: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    by_family: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for (circuit, backend, level, layout), (record, _, _) in best.items():
        by_circuit[circuit][(backend, layout)].append((level, record))
        if level == levels[-1] and record.family not in ("qpy", "run"):  # loaded circuits have no size sweep
            by_family[record.family][(backend, layout)].append((record.metrics.num_qubits, record))
    if len(levels) > 1:
        for circuit, series in by_circuit.items():
            plt, fig, axes = _figure()
            _plot_lines(axes, series, backends)
            axes[0].set_xticks(levels)
            axes[1].set_xticks(levels)
            _finish(plt, fig, axes, "optimization level", circuit, out_dir / f"levels_{circuit}.png")
            written.append(f"plots/levels_{circuit}.png")
    for family, series in by_family.items():
        if len({x for points in series.values() for x, _ in points}) < 2:
            continue
        plt, fig, axes = _figure()
        _plot_lines(axes, series, backends)
        _finish(plt, fig, axes, "logical qubits", f"{family} at optimization level {levels[-1]}",
                out_dir / f"qubits_{family}.png")
        written.append(f"plots/qubits_{family}.png")
    return written
