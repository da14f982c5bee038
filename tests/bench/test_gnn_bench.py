"""``qhep bench gnn`` runs both variants at the same widths and reports jets/s and the ratio."""

from __future__ import annotations

import json

from qhep_contrast.cli.main import main


def test_gnn_bench_reports_both_variants(tmp_path, capsys) -> None:
    out = tmp_path / "gnn.json"
    code = main(["bench", "gnn", "--batch-size", "4", "--particles", "6", "--width", "2", "--layers", "2",
                 "--repeats", "1", "--warmup", "0", "--threads", "1", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    results = report["results"]
    assert set(results) == {"classical twin", "quantum"} and report["quantum"] == ["phi_e"]
    assert results["quantum"]["parameters"] != results["classical twin"]["parameters"]
    assert all(r["jets_per_s"] > 0 for r in results.values())
    assert "jets/s" in capsys.readouterr().out
