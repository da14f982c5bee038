"""``qhep bench e2e`` runs on a tiny workload and writes its JSON (speed itself is never asserted)."""

from __future__ import annotations

import json

import numpy as np

from qhep_contrast.bench.e2e import synthetic_images
from qhep_contrast.cli.main import main
from tests.training.conftest import CONFIG_DIR


def test_synthetic_images_are_seeded_and_normalised():
    a, b = synthetic_images(20, seed=1), synthetic_images(20, seed=1)
    assert a.shape == (20, 1, 16, 16) and a.dtype == np.float32 and np.array_equal(a, b)
    assert np.allclose(a.reshape(20, -1).max(axis=1), 1.0) and (a >= 0).all()


def test_e2e_bench_tiny(tmp_path, capsys):
    out = tmp_path / "e1.json"
    code = main(["bench", "e2e", "--config", str(CONFIG_DIR / "simclr_jets.toml"), "--images", "32",
                 "--batch-size", "16", "--warmup", "0", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "hybrid / classical twin throughput" in printed
    figures = json.loads(out.read_text())
    assert figures["images"] == 32 and set(figures["results"]) == {"hybrid", "classical twin"}
    assert figures["results"]["hybrid"]["steps"] == 2
