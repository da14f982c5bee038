"""SQAE, conv and hybrid autoencoders: scores, parameter counts, reference states, executors; loss and objective."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.data import InMemoryImageDataset
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.losses.anomaly_score import AnomalyScoreLoss
from qhep_contrast.models import count_parameters
from qhep_contrast.models.anomaly_base import bce_scores
from qhep_contrast.models.conv_ae import ConvAutoencoder
from qhep_contrast.models.hybrid_ae import HybridAutoencoder
from qhep_contrast.models.sqae import SQAE
from qhep_contrast.objectives.anomaly import Anomaly, AnomalyOptions


def test_parameter_counts() -> None:
    assert count_parameters(SQAE()) == 576
    assert count_parameters(SQAE(reference="trainable")) == 586
    assert count_parameters(ConvAutoencoder((1, 12, 12))) == 3077
    assert count_parameters(HybridAutoencoder()) == 2365 + 576


def test_sqae_score_is_one_minus_the_trash_fidelity_and_in_range() -> None:
    model = SQAE(seed=3)
    images = torch.rand(6, 1, 12, 12)
    scores = model(images)
    assert scores.shape == (6,) and ((scores >= -1e-6) & (scores <= 1 + 1e-6)).all()
    assert torch.allclose(scores, 1 - model.fidelity(images))
    assert scores.std() > 1e-4  # the score depends on the image


def test_sqae_zero_weights_with_zero_reference_is_the_pseudo_solution() -> None:
    zeros, random = SQAE(reference="zeros", init="zeros"), SQAE(reference="random", init="zeros")
    images = torch.rand(4, 1, 12, 12)
    assert torch.allclose(zeros(images), torch.zeros(4), atol=1e-5)
    assert (random(images) > 0.05).all()


def test_sqae_trainable_reference_gets_gradients() -> None:
    model = SQAE(reference="trainable")
    model(torch.rand(4, 1, 12, 12)).square().mean().backward()
    assert model.reference_angles.grad is not None and model.reference_angles.grad.abs().sum() > 0
    assert model.encoder.weight.grad is not None and model.encoder.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("circuit, qubits", [("swap", 15), ("cu", 9)])
def test_sqae_on_aer_matches_the_engine_with_either_circuit(circuit: str, qubits: int) -> None:
    exact = SQAE(seed=1)
    aer = SQAE(seed=1, execution=ExecutionConfig(kind="aer", shots=None, seed=1), hardware_circuit=circuit)
    aer.load_state_dict(exact.state_dict())
    assert aer.hardware_circuit == circuit
    assert (aer.swap_test if circuit == "swap" else aer.inverse_reference).num_qubits == qubits
    images = torch.rand(2, 1, 12, 12, dtype=torch.float64)
    with torch.no_grad():
        want = exact(images).double()
        assert torch.allclose(aer(images), want, atol=1e-4)
        aer.use_hardware_circuit("swap" if circuit == "cu" else "cu")
        assert torch.allclose(aer(images), want, atol=1e-4)
    with pytest.raises(ConfigError, match="swap test or inverse"):
        aer.use_hardware_circuit("hadamard")


def test_conv_autoencoder_score_is_the_per_image_bce() -> None:
    model = ConvAutoencoder((1, 12, 12), seed=0)
    images = torch.rand(3, 1, 12, 12)
    recon = model.reconstruct(images)
    expected = -(images * recon.log() + (1 - images) * (1 - recon).log()).flatten(1).mean(1)
    assert torch.allclose(model(images), expected, atol=1e-5)
    assert torch.allclose(bce_scores(recon, images), expected, atol=1e-5)


def test_hybrid_autoencoder_latent_is_sixteen_expectations() -> None:
    model = HybridAutoencoder(seed=0)
    latent = model.latent(torch.rand(2, 1, 12, 12))
    assert latent.shape == (2, 16) and (latent.abs() <= 1 + 1e-6).all()


def test_models_refuse_other_image_shapes() -> None:
    with pytest.raises(ConfigError, match="divisible by 4"):
        ConvAutoencoder((1, 10, 10))
    from qhep_contrast.exceptions import ShapeError
    with pytest.raises(ShapeError, match="1, 12, 12"):
        SQAE()(torch.rand(2, 1, 8, 8))


def test_anomaly_objective_trains_on_the_normal_class_only() -> None:
    images = np.random.rand(10, 1, 12, 12).astype(np.float32)
    labels = np.array([0, 1] * 5)
    data = InMemoryImageDataset(images, labels, 2)
    objective = Anomaly(AnomalyScoreLoss(2), AnomalyOptions(normal_class=0))
    items = objective.dataset(data, None, 0)
    assert len(items) == 5 and all(int(items[i][1]) == 0 for i in range(5))
    model = ConvAutoencoder((1, 12, 12))
    batch = [torch.as_tensor(images[:4]), torch.as_tensor(labels[:4])]
    loss, n = objective(model, batch, torch.device("cpu"))
    assert n == 4 and torch.isclose(loss, model(batch[0]).square().mean())
    with pytest.raises(ConfigError, match="normal_class"):
        Anomaly(AnomalyScoreLoss(), AnomalyOptions(normal_class=3)).dataset(data, None, 0)


def test_anomaly_score_loss_powers() -> None:
    s = torch.tensor([0.5, 1.0, 0.0])
    assert AnomalyScoreLoss(1)(s) == pytest.approx(0.5)
    assert AnomalyScoreLoss(2)(s) == pytest.approx((0.25 + 1.0) / 3)


@pytest.mark.parametrize("control, parameters, circuit_type", [
    ("frozen_circuit", 2365, "QuantumLayer"), ("product_standin", 2365, "QuantumLayer"),
    ("equal_width_twin", 2365 + 81 * 16 + 16, "DenseCore"),
])
def test_hybrid_autoencoder_controls_replace_only_the_circuit(control: str, parameters: int,
                                                              circuit_type: str) -> None:
    hybrid = HybridAutoencoder(seed=0)
    model = HybridAutoencoder(seed=0, control=control)
    assert count_parameters(model) == parameters and type(model.circuit).__name__ == circuit_type
    assert all(torch.equal(a, b) for a, b in zip(model.down.state_dict().values(), hybrid.down.state_dict().values()))
    before = [p.detach().clone() for p in model.circuit.parameters()]
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model(torch.rand(4, 1, 12, 12)).mean().backward()
    optimizer.step()
    after = list(model.circuit.parameters())
    if control == "equal_width_twin":
        assert any(not torch.equal(a, b) for a, b in zip(before, after))
    else:
        assert all(torch.equal(a, b) for a, b in zip(before, after))  # frozen or weightless


def test_hybrid_autoencoder_product_standin_latent_is_a_product_of_patch_rotations() -> None:
    """The stand-in keeps only the data rotations RZ/RY/RZ(x) per pixel on each qubit: <Z_q> depends on qubit q's
    own 3x3 patch alone, so changing one patch moves one latent value."""
    model = HybridAutoencoder(seed=0, control="product_standin")
    angles = torch.rand(2, 81, dtype=torch.float64)
    base = model.circuit(angles)
    changed = angles.clone()
    changed[:, 0] += 0.7  # pixel (0, 0): only in the first patch
    moved = (model.circuit(changed) - base).abs() > 1e-9
    assert moved[:, 0].all() and not moved[:, 1:].any()
