"""Fidelity metrics of a fidelity-trained run on Aer (swap test, compute-uncompute) against the exact ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from qhep_contrast.cli.main import main
from qhep_contrast.evaluation.fidelity_kernel import fidelity_estimator, fidelity_kernel, fidelity_knn
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline import train_run
from qhep_contrast.qnn import QuantumLayer
from tests.qnn.conftest import toy_spec
from tests.training.conftest import CONFIG_DIR, tiny_overrides

SHOTS = 4000


@pytest.fixture(scope="module")
def fidelity_run(tmp_path_factory):
    path = CONFIG_DIR / "fidelity_infonce_jets.toml"
    config = load_config(path, [*tiny_overrides(path), "train.epochs=1", "train.evaluate=false",
                                "circuit.num_qubits=3"])
    return train_run(config, run_dir=tmp_path_factory.mktemp("fidelity") / "run").run_dir


@pytest.mark.parametrize("method", ["swap", "cu"])
def test_kernel_estimates_agree_with_exact_within_shot_noise(method: str) -> None:
    spec = toy_spec(2)
    layer = QuantumLayer(spec, seed=3)
    g = torch.Generator().manual_seed(4)
    xa = torch.rand(4, spec.num_inputs, generator=g, dtype=torch.float64) * 3
    xb = torch.rand(3, spec.num_inputs, generator=g, dtype=torch.float64) * 3
    exact = fidelity_kernel(fidelity_estimator(layer, method, None), xa, xb, layer.weight)
    aer = ExecutionConfig(kind="aer", shots=SHOTS, seed=9)
    estimated = fidelity_kernel(fidelity_estimator(layer, method, aer), xa, xb, layer.weight)
    assert exact.shape == estimated.shape == (4, 3)
    # per-entry standard error 2 sqrt(P0 (1 - P0) / shots) <= 1/sqrt(shots) (swap test), sqrt(F (1 - F) / shots)
    # <= 1/(2 sqrt(shots)) (compute-uncompute)
    sigma = (1.0 if method == "swap" else 0.5) / np.sqrt(SHOTS)
    assert np.abs(estimated - exact).max() <= 5 * sigma
    assert np.abs(estimated - exact).max() > 0  # really sampled


def _knn_loop(k_test: np.ndarray, y_train: np.ndarray, k: int) -> np.ndarray:
    """Fraction of class-1 neighbours, one test row at a time (stable sort: ties to the earlier train index)."""
    out = []
    for row in k_test:
        order = sorted(range(len(row)), key=lambda j: -row[j])[:k]
        out.append(np.mean(y_train[order]))
    return np.array(out)


def test_fidelity_knn_equals_a_loop_over_test_states() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    k_test = rng.random((30, 40))
    y_train = rng.integers(0, 2, 40)
    y_test = rng.integers(0, 2, 30)
    values = fidelity_knn(k_test, y_train, y_test, k=5)
    fractions = _knn_loop(k_test, y_train, 5)
    assert values["fidelity_knn_auc"] == pytest.approx(roc_auc_score(y_test, fractions), abs=1e-12)
    assert values["fidelity_knn_accuracy"] == pytest.approx(np.mean((fractions > 0.5) == y_test), abs=1e-12)


def test_fidelity_knn_finds_the_class_of_near_identical_states() -> None:
    """States close to their own class's centre: every test state's highest fidelities are its class."""
    y_train, y_test = np.array([0, 0, 0, 1, 1, 1]), np.array([0, 1, 1, 0])
    k_test = np.where(y_test[:, None] == y_train[None, :], 0.9, 0.1)
    values = fidelity_knn(k_test, y_train, y_test, k=3)
    assert values == {"fidelity_knn_accuracy": 1.0, "fidelity_knn_auc": 1.0}


def test_unknown_fidelity_method_is_a_config_error() -> None:
    layer = QuantumLayer(toy_spec(2), seed=0)
    with pytest.raises(ConfigError, match="swap"):
        fidelity_estimator(layer, "hadamard", ExecutionConfig(kind="aer", shots=10))


@pytest.mark.parametrize("method", ["swap", "cu"])
def test_eval_on_aer_estimates_fidelity_metrics_next_to_exact(fidelity_run, method: str, capsys) -> None:
    code = main(["eval", str(fidelity_run), "--execution", "aer", "--shots", str(SHOTS), "--fidelity", method,
                 "--limit", "10", "--no-plots"])
    assert code == 0
    values = json.loads((fidelity_run / "evaluation-aer.json").read_text())
    assert values["fidelity"] == method
    pairs = 40  # eval.fidelity_pairs of the tiny run: 20 same-class and 20 other-class test pairs
    sigma = (1.0 if method == "swap" else 0.5) / np.sqrt(SHOTS * pairs / 2)  # of a mean over 20 pairs
    for key in ("fidelity_same_class_mean", "fidelity_other_class_mean"):
        assert abs(values[f"{key}_{method}"] - values[f"{key}_exact"]) <= 5 * sigma, key
    for suffix in ("", "_exact", f"_{method}"):
        assert 0.0 <= values[f"kernel_svc_auc{suffix}"] <= 1.0
        assert 0.0 <= values[f"fidelity_knn_accuracy{suffix}"] <= 1.0
    # the test x train kernel is estimated entry by entry within shot noise, so the neighbour votes move little
    assert abs(values[f"fidelity_knn_accuracy_{method}"] - values["fidelity_knn_accuracy_exact"]) <= 0.3
    assert f"kernel_svc_auc_{method}" in capsys.readouterr().out


def test_exact_eval_of_a_fidelity_run_has_the_kernel_classifier(fidelity_run) -> None:
    assert main(["eval", str(fidelity_run), "--limit", "10", "--no-plots"]) == 0
    values = json.loads((fidelity_run / "evaluation.json").read_text())
    assert 0.0 <= values["kernel_svc_auc"] <= 1.0 and 0.0 <= values["kernel_svc_accuracy"] <= 1.0
    assert "kernel_svc_auc_swap" not in values


def test_eval_on_ibm_local_testing_mode_estimates_fidelities(fidelity_run) -> None:
    """The IBM path on a fake backend (noisy local simulation): compute-uncompute on a 5-qubit device."""
    code = main(["eval", str(fidelity_run), "--execution", "ibm", "--backend", "fake_manila", "--shots", "2000",
                 "--fidelity", "cu", "--limit", "6", "--no-plots"])
    assert code == 0
    values = json.loads((fidelity_run / "evaluation-ibm.json").read_text())
    assert values["fidelity"] == "cu" and values["backend"] == "fake_manila"
    for key in ("fidelity_same_class_mean", "fidelity_other_class_mean"):
        # device noise lowers fidelities a little; 0.25 covers it (exact and estimated share the same pairs)
        assert abs(values[f"{key}_cu"] - values[f"{key}_exact"]) <= 0.25, key
    assert (fidelity_run / "jobs-ibm.jsonl").read_text().count("job_id") >= 3  # pairs, train and test kernels
