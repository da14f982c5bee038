"""The study loop, its tables, summary and plots, on tiny circuits and a 5-qubit fake backend."""

from __future__ import annotations

import csv
import json

import pytest

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.hardware import StudyResult, circuit_set, run_study
from qhep_contrast.hardware.plots import plot_study
from qhep_contrast.hardware.report import best_of_seeds, summary_markdown, write_report


@pytest.fixture(scope="module")
def result(manila) -> StudyResult:
    circuits = circuit_set(["w1", "compute_uncompute", "swap_test"], [2, 3])
    return run_study(circuits, [manila], optimization_levels=[0, 1], seeds=[0, 1], progress=False)


def test_rows_and_skips(result: StudyResult) -> None:
    # swap_test_3q has 7 qubits > 5: skipped; the other 5 circuits x 2 levels x 2 seeds x 2 layouts
    assert result.skipped == [("swap_test_3q", "fake_manila", "7 qubits > 5")]
    assert len(result.records) == 5 * 2 * 2 * 2
    by_key = {(r.circuit, r.optimization_level, r.seed, r.layout): r for r in result.records}
    for (circuit, level, seed, layout), record in by_key.items():
        if layout == "default":
            best = by_key[(circuit, level, seed, "best-error")]
            assert best.metrics.success_probability >= record.metrics.success_probability
        assert 0.0 < record.metrics.success_probability < 1.0
        assert len(record.metrics.initial_layout) == record.metrics.num_qubits


def test_same_seed_same_result(manila, result: StudyResult) -> None:
    again = run_study(circuit_set(["w1"], [3]), [manila], [1], [1], progress=False)
    first = [r for r in result.records if r.circuit == "w1_3q" and r.optimization_level == 1 and r.seed == 1]
    assert [r.metrics for r in again.records] == [r.metrics for r in first]


def test_bad_levels_and_seeds(manila) -> None:
    with pytest.raises(ConfigError, match="optimization levels"):
        run_study(circuit_set(["w1"], [2]), [manila], [4], [0], progress=False)
    with pytest.raises(ConfigError, match="seeds"):
        run_study(circuit_set(["w1"], [2]), [manila], [1], [-1], progress=False)


def test_best_of_seeds_takes_the_highest_success(result: StudyResult) -> None:
    best = best_of_seeds(result.records)
    for (circuit, backend, level, layout), (record, low, high) in best.items():
        rows = [r for r in result.records if (r.circuit, r.backend, r.optimization_level, r.layout)
                == (circuit, backend, level, layout)]
        assert record.metrics.success_probability == max(r.metrics.success_probability for r in rows)
        assert (low, high) == (min(r.metrics.two_qubit_count for r in rows),
                               max(r.metrics.two_qubit_count for r in rows))


def test_report_files(tmp_path, result: StudyResult) -> None:
    figures = plot_study(result.records, tmp_path)
    write_report(result, tmp_path, {"backends": "fake_manila"}, figures)
    with (tmp_path / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(result.records)
    assert {"two_qubit_count", "success_probability", "layout", "initial_layout", "count_cx", "count_sx"} <= set(rows[0])
    first = result.records[0]
    assert int(rows[0]["count_cx"]) == first.metrics.gate_counts.get("cx", 0)
    payload = json.loads((tmp_path / "table.json").read_text())
    assert payload["rows"][0]["gate_counts"] == first.metrics.gate_counts
    assert payload["skipped"][0]["circuit"] == "swap_test_3q"
    summary = (tmp_path / "summary.md").read_text()
    assert "## Fidelity estimators over the same encoder (swap test vs compute-uncompute over W1) (optimization level 1)" in summary
    assert "| compute_uncompute_3q | 3 | fake_manila |" in summary
    assert summary == summary_markdown(result, {"backends": "fake_manila"}, figures)
    assert "plots/qubits_w1.png" in figures and "plots/levels_w1_2q.png" in figures
    assert all((tmp_path / f).stat().st_size > 1000 for f in figures)


def test_plots_survive_a_zero_estimate(tmp_path, result: StudyResult) -> None:
    import dataclasses

    from qhep_contrast.hardware.plots import _esp_floor

    records = [r for r in result.records if r.circuit == "w1_2q"]
    zeroed = [dataclasses.replace(r, metrics=dataclasses.replace(r.metrics, success_probability=0.0))
              if r.optimization_level == 0 else r for r in records]
    assert plot_study(zeroed, tmp_path) == ["plots/levels_w1_2q.png"]
    lowest = min(r.metrics.success_probability for r in zeroed if r.metrics.success_probability > 0)
    floor = _esp_floor({("b", "default"): [(0, r) for r in zeroed]})
    assert lowest / 100 < floor < lowest
