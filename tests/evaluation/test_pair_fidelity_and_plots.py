"""Pair fidelities against a loop reference and closed forms; every plot writes a PNG."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.evaluation import (
    pair_fidelities,
    plot_embedding,
    plot_fidelity_histograms,
    plot_loss_curves,
    plot_roc,
    project_2d,
    roc_curve,
)


def test_pair_fidelities_closed_form():
    labels = np.array([0, 1] * 10)
    states = torch.zeros(20, 4, dtype=torch.complex64)
    states[labels == 0, 0] = 1.0  # class 0 -> |00>, class 1 -> i|11>: same class F = 1, other class F = 0
    states[labels == 1, 3] = 1j
    result = pair_fidelities(states, labels, 30, seed=1)
    assert result.positive.size == 15 and result.negative.size == 15
    assert np.all(result.positive == 1.0) and np.all(result.negative == 0.0)


def test_plots_write_pngs(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 60)
    features = rng.normal(size=(60, 4)) + labels[:, None]
    curve = roc_curve(features[:, 0], labels)
    history = [{"epoch": e, "train_loss": 1.0 / e, "val_loss": 1.1 / e, "improved": True} for e in (1, 2, 3)]
    paths = [plot_roc({"probe": curve}, tmp_path / "roc.png"),
             plot_loss_curves(history, tmp_path / "loss.png"),
             plot_embedding(project_2d(features), labels, tmp_path / "emb.png", ("gluon", "quark")),
             plot_fidelity_histograms(rng.uniform(size=20), rng.uniform(size=20), tmp_path / "fid.png")]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert project_2d(features[:, :1]).shape == (60, 2)


@pytest.mark.slow
def test_tsne_projection(tmp_path):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 30)
    points = project_2d(rng.normal(size=(30, 5)) + 3 * labels[:, None], "tsne")
    assert points.shape == (30, 2)
    assert plot_embedding(points, labels, tmp_path / "tsne.png").is_file()
