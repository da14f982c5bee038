"""The circuit-contribution diagnostic of a graph network whose circuits run on edges, not on samples."""

from __future__ import annotations

import math

import pytest
import torch

from qhep_contrast.experiment.builders import build_data, build_model
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline.contribution import circuit_contribution, trained_circuits
from tests.training.conftest import CONFIG_DIR, tiny_overrides

LORENTZNET = CONFIG_DIR / "lorentznet_qg.toml"


def test_edge_circuits_get_the_diagnostic_without_an_angle_probe() -> None:
    """The phi_m circuits see one row per edge: the angle probe (one row per jet) is skipped, the reset gap and
    the R^2 over the edge outputs are still measured."""
    config = load_config(LORENTZNET, [*tiny_overrides(LORENTZNET), "data.limit=80", "model.width=8",
                                      "model.edge_width=8", "model.layers=2"])
    data = build_data(config)
    model = build_model(config, data.image_shape)
    layers = trained_circuits(model)
    assert len(layers) == 2  # one phi_m circuit per block
    with torch.no_grad():
        for layer in layers:
            layer.weight.add_(1.0)
    values = circuit_contribution(model, config, data, torch.device("cpu"))
    assert values["probe_auc_angles"] is None
    assert values["weight_change"] > 0.1 and math.isfinite(values["outputs_r2"])
    assert values["reset_gap"] == pytest.approx(values["probe_auc_trained"] - values["probe_auc_reset"])
