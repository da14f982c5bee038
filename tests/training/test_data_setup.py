"""Datasets of a run: reading, limits, stratified splits, objective views, memory guard."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment import builders
from qhep_contrast.experiment.builders import build_data
from qhep_contrast.experiment.config import load_config
from tests.training.conftest import CONFIG_DIR


def test_jets_splits_are_stratified_disjoint_and_seeded():
    config = load_config(CONFIG_DIR / "simclr_jets.toml", ["data.limit=200"])
    data, again = build_data(config), build_data(config)
    assert (len(data.train), len(data.val), len(data.test)) == (120, 40, 40)
    assert data.image_shape == (3, 16, 16) and data.num_classes == 2
    for part in (data.train, data.val, data.test):
        assert part.labels.mean() == pytest.approx(0.5, abs=0.03)
    image = data.train[0][0]
    assert image.dtype == torch.float32 and float(image.max()) == pytest.approx(1.0)  # per-channel max norm
    assert torch.equal(data.test[5][0], again.test[5][0])
    view1, view2, label = data.train_set[3]
    assert view1.shape == (3, 16, 16) and not torch.equal(view1, view2) and label.dtype == torch.int64
    assert torch.equal(data.val_set[2][0], data.val_set[2][0])  # validation views are fixed


def test_pairs_for_contrastive_pair_loss():
    config = load_config(CONFIG_DIR / "siamese_digits.toml", ["data.limit=100", "objective.per_epoch=30"])
    data = build_data(config)
    assert len(data.train_set) == 30 and data.image_shape == (1, 8, 8)
    x1, x2, target = data.train_set[0]
    assert x1.shape == x2.shape == (1, 8, 8) and int(target) in (0, 1)


def test_memory_guard_and_tiny_splits(monkeypatch):
    config = load_config(CONFIG_DIR / "siamese_digits.toml")
    monkeypatch.setattr(builders, "MEMORY_BUDGET", 1000)
    with pytest.raises(ConfigError, match="set data.limit"):
        build_data(config)
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="split has"):
        build_data(load_config(CONFIG_DIR / "siamese_digits.toml", ["data.limit=6"]))


def test_egamma_toy_channels():
    with pytest.raises(ConfigError, match=r"data.channels\[0\] must be one of \['energy', 'time'\]"):
        load_config(CONFIG_DIR / "combined_fidelity_egamma.toml", ["data.toy_samples=40", "data.channels=['mass']"])
    data = build_data(load_config(CONFIG_DIR / "combined_fidelity_egamma.toml", ["data.toy_samples=40"]))
    assert data.image_shape == (1, 16, 16) and set(np.unique(data.train.labels)) == {0, 1}
