"""The printed hybrid-vs-twin table."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from qhep_contrast.pipeline import Comparison, RunOutcome, comparison_table


def _outcome(evaluation: dict, model: str = "hybrid") -> RunOutcome:
    fit = SimpleNamespace(interrupted=False)
    return RunOutcome(Path("runs/x/1"), fit, {"evaluation": evaluation, "model": model})


def test_table_columns_and_pair_accuracy() -> None:
    base = {"probe_auc": 0.8312, "knn_auc": 0.8, "probe_rejection": {"0.3": 28.6, "0.5": "inf"}, "parameters": 31176}
    plain = comparison_table(Comparison(_outcome(base), _outcome(dict(base, probe_auc=0.823), "twin")))
    lines = plain.splitlines()
    assert lines[0].split()[:3] == ["model", "probe", "AUC"] and "pair acc" not in lines[0]
    assert lines[1].startswith("hybrid") and lines[2].startswith("twin")
    assert "0.831" in lines[1] and "0.823" in lines[2] and "28.6" in lines[1] and "inf" in lines[1]
    paired = comparison_table(Comparison(_outcome(dict(base, pair_accuracy=0.995))))
    assert "pair acc" in paired.splitlines()[0] and "0.995" in paired.splitlines()[1]
