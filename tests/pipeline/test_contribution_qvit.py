"""The circuit-contribution diagnostic and the study's controls for the vision transformer's quantum attention."""

from __future__ import annotations

import json
import math

import pytest
import torch

from qhep_contrast.cli.main import main
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.builders import build_data, build_model
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline.contribution import circuit_contribution, trained_circuits
from qhep_contrast.pipeline.study import available_controls, variant_config
from tests.training.conftest import CONFIG_DIR, tiny_overrides

QVIT = CONFIG_DIR / "qvit_jets.toml"


def _config(*extra: str):
    return load_config(QVIT, [*tiny_overrides(QVIT), "model.layers=2", "data.limit=120", *extra])


def test_qvit_offers_its_own_controls() -> None:
    config = _config()
    assert available_controls(config) == ["frozen_circuit", "product_standin", "matched_twin"]
    assert variant_config(config, "product_standin", 1).model.control == "product_standin"
    with pytest.raises(ConfigError, match="equal_width_twin"):
        variant_config(config, "equal_width_twin", 0)


def test_contribution_resets_every_attention_circuit() -> None:
    """At its initial weights the hybrid equals its reset self (gap 0, R^2 1); moved circuits do not, and the
    trained weights are back afterwards. Controls without trained circuits get no diagnostic."""
    config = _config()
    data = build_data(config)
    model = build_model(config, data.image_shape)
    layers = trained_circuits(model)
    assert len(layers) == 2  # the quantum attention of each encoder layer
    device = torch.device("cpu")
    same = circuit_contribution(model, config, data, device)
    assert same["reset_gap"] == pytest.approx(0.0, abs=1e-12) and same["weight_change"] == 0.0
    assert same["outputs_r2"] == pytest.approx(1.0, abs=1e-4)  # float32 outputs
    with torch.no_grad():
        for layer in layers:
            for w in layer.circuit_parameters():
                w.add_(torch.linspace(-1.0, 1.0, w.numel()).view_as(w))
    moved = [w.detach().clone() for layer in layers for w in layer.circuit_parameters()]
    values = circuit_contribution(model, config, data, device)
    assert values["weight_change"] > 0.1 and values["outputs_r2"] < 0.999
    assert math.isfinite(values["probe_auc_angles"])
    assert values["reset_gap"] == pytest.approx(values["probe_auc_trained"] - values["probe_auc_reset"])
    for before, after in zip(moved, (w for layer in layers for w in layer.circuit_parameters())):
        assert torch.equal(before, after)
    for control in ("frozen_circuit", "product_standin"):
        variant = _config(f'model.control="{control}"')
        assert circuit_contribution(build_model(variant, data.image_shape), variant, data, device) == {}


def test_qhep_compare_scores_the_qvit_classifier_and_its_circuits(tmp_path, capsys) -> None:
    """A supervised study reports the classifier's own AUC beside the probe on the pooled tokens, and the
    circuit diagnostic of the hybrid; ``qhep eval`` of one of its runs prints the classifier AUC too."""
    sets = [a for item in [*tiny_overrides(QVIT), "model.layers=1", "data.limit=96", "train.epochs=1"]
            for a in ("--set", item) if item not in ("train.progress=false", "train.threads=0", "compare.twin=false")]
    code = main(["compare", str(QVIT), "--seeds", "2", "--controls", "product_standin", "matched_twin", "--jobs", "1",
                 "--runs-root", str(tmp_path), "--no-progress", "--no-plots", *sets])
    assert code == 0
    [folder] = (tmp_path / "qvit_jets").iterdir()
    report = json.loads((folder / "report.json").read_text())
    for model in ("hybrid", "product_standin", "matched_twin"):
        entry = report["models"][model]
        assert 0.0 <= entry["classifier_auc"]["mean"] <= 1.0 and 0.0 <= entry["probe_auc"]["mean"] <= 1.0
    assert report["models"]["matched_twin"]["classifier_auc_vs_hybrid"]["n"] == 2
    assert set(report["contribution"]["seeds"]) == {"0", "1"}
    assert "| model | classifier AUC | probe AUC |" in (folder / "report.md").read_text()
    capsys.readouterr()
    assert main(["eval", str(folder / "hybrid" / "seed-0"), "--no-plots", "--limit", "40"]) == 0
    shown = capsys.readouterr().out
    assert "classifier_auc " in shown and "classifier_rejection" in shown and "probe_auc " in shown
