"""``qhep bench sqae`` runs on tiny batches and writes its JSON (speed itself is never asserted)."""

from __future__ import annotations

import json

from qhep_contrast.bench.sqae import PUBLISHED_SAMPLES_PER_S
from qhep_contrast.cli.main import main


def test_sqae_bench_tiny(tmp_path, capsys):
    out = tmp_path / "sqae.json"
    assert main(["bench", "sqae", "--batch-sizes", "2", "3", "--repeats", "1", "--drcs", "1", "--json", str(out)]) == 0
    assert "x published" in capsys.readouterr().out
    figures = json.loads(out.read_text())
    assert [r["batch_size"] for r in figures["results"]] == [2, 3]
    row = figures["results"][0]
    assert row["samples_per_s"] == 2 / row["wall_s"]
    assert row["speedup_vs_published"] == row["samples_per_s"] / PUBLISHED_SAMPLES_PER_S == row["samples_per_s"] / 7.5
