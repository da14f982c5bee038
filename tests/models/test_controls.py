"""Controls of hybrid models: product-state stand-in against Statevector, each control trains one step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import angle_encoder, compose, hardware_efficient, product_standin, reuploading_encoder
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.losses import NTXentLoss
from qhep_contrast.models import HybridCNNOptions, QSSLClassifierOptions, build_hybrid_cnn, build_qssl_classifier
from qhep_contrast.models.controls import CONTROLS, DenseCore, apply_control, describe_core, describe_model
from qhep_contrast.models.registry import MODELS
from qhep_contrast.qnn import QuantumLayer


def _reference(spec, x: np.ndarray, keep_data_weights: dict | None = None) -> np.ndarray:
    """<Z_i> of ``spec``'s circuit with entanglers removed and trainable gates set to the identity (weights 0;
    weights beside an input in ``keep_data_weights``), one Statevector per sample."""
    weights = {w: 0.0 for w in spec.weights} | (keep_data_weights or {})
    out = []
    for row in x:
        bound = spec.circuit.assign_parameters({**dict(zip(spec.inputs, row)), **weights})
        stripped = QuantumCircuit(*bound.qregs)
        for instruction in bound.data:
            if len(instruction.qubits) == 1:
                stripped.append(instruction.operation, instruction.qubits)
        state = Statevector(stripped)
        out.append([state.expectation_value(obs).real for obs in spec.observables])
    return np.array(out)


def test_product_standin_of_angle_encoding_is_cos_per_qubit() -> None:
    spec = compose(angle_encoder(5, "ry"), hardware_efficient(5, num_layers=2))
    layer = QuantumLayer(product_standin(spec))
    x = torch.rand(7, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 6 - 3
    assert layer.num_weights == 0
    np.testing.assert_allclose(layer(x).detach().numpy(), np.cos(x.numpy()), atol=1e-5)
    np.testing.assert_allclose(layer(x).detach().numpy(), _reference(spec, x.numpy()), atol=1e-5)


def test_product_standin_equals_the_circuit_without_entanglers_and_trainable_gates() -> None:
    """A re-uploading encoder (angles ew * x + eb) with RX/RZ axes: the stand-in keeps RY/RZ(x), i.e. the
    circuit with its entanglers removed, the input weights at 1, the biases and trainable rotations at 0."""
    encoder = reuploading_encoder(3, 2, data_rotations=["ry", "rz"], trainable_rotations=["rx"])
    spec = compose(encoder, hardware_efficient(3, num_layers=1, rotations=["rx", "rz"]))
    stand_in = product_standin(spec)
    assert stand_in.num_weights == 0 and all(len(i.qubits) == 1 for i in stand_in.circuit.data)
    x = np.random.default_rng(1).uniform(-2, 2, size=(6, spec.num_inputs))
    scales = {w: 1.0 for w in spec.weights if w.name.startswith("ew")}
    assert scales, "the encoder's input weights should be named ew"
    got = QuantumLayer(stand_in)(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, _reference(spec, x, scales), atol=1e-5)


def _model(control: str):
    spec = compose(angle_encoder(4, "ry"), hardware_efficient(4, num_layers=2))
    options = HybridCNNOptions(control=control, conv_channels=[4], dense_units=8, projection_dim=4)
    return build_hybrid_cnn(options, image_shape=(1, 8, 8), circuit=spec, seed=0)


@pytest.mark.parametrize("control", CONTROLS)
def test_each_control_trains_one_step(control: str) -> None:
    model = _model(control)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    images = torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    loss = NTXentLoss(0.5)(*model(images, images.flip(-1)))
    loss.backward()
    optimizer.step()
    changed = {n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())}
    core = {n for n, _ in model.named_parameters() if ".core." in n}
    assert changed - core, "the front-end must train under every control"
    if control == "frozen_circuit":
        assert not changed & core
    elif control != "product_standin":
        assert changed & core
    else:
        assert core == {"encoder.core.weight"} and model.encoder.core.weight.numel() == 0


def test_control_descriptions_name_shapes() -> None:
    assert "frozen at its initial weights" in describe_core(_model("frozen_circuit").encoder.core)
    assert "equal-width dense core 4 -> 4 (20 parameters)" in describe_core(_model("equal_width_twin").encoder.core)
    assert "product-state stand-in" in describe_core(_model("product_standin").encoder.core)
    spec = compose(angle_encoder(4, "ry"), hardware_efficient(4, num_layers=2))
    twin = build_hybrid_cnn(HybridCNNOptions(twin=True, conv_channels=[4], dense_units=8), image_shape=(1, 8, 8),
                            circuit=spec, seed=0)
    assert "parameter-matched twin MLP 4 -> 1 -> 4" in describe_core(twin.encoder.core)


def test_dense_core_keeps_the_output_range() -> None:
    x = torch.randn(5, 3) * 10
    assert DenseCore(3, 4, seed=0)(x).abs().max() <= 1
    np.testing.assert_allclose(DenseCore(3, 4, output="marginals", seed=0)(x).sum(-1).detach(), 1.0, atol=1e-6)
    np.testing.assert_allclose(DenseCore(3, 4, output="state", seed=0)(x).norm(dim=-1).detach(), 1.0, atol=1e-6)


def test_qssl_classifier_offers_the_controls() -> None:
    model = build_qssl_classifier(QSSLClassifierOptions(control="frozen_circuit"), image_shape=(1, 8, 8), seed=0)
    assert not model.encoder.core.weight.requires_grad
    dense = build_qssl_classifier(QSSLClassifierOptions(control="equal_width_twin"), image_shape=(1, 8, 8), seed=0)
    assert isinstance(dense.encoder.core, DenseCore)


def test_twin_and_control_together_are_refused() -> None:
    from qhep_contrast.experiment.config import config_from_dict

    with pytest.raises(ConfigError, match="twin = true and model.control"):
        config_from_dict({"model": {"kind": "hybrid_cnn", "twin": True, "control": "frozen_circuit"}})


def test_unknown_control_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="frozen_circuit"):
        apply_control(QuantumLayer(product_standin(angle_encoder(2, "ry"))), "melted")


def test_models_without_a_core_are_described_by_their_encoder() -> None:
    """A transformer keeps its circuits inside its layers: the study report names the encoder, not the wrapper."""
    selection = MODELS.select({"kind": "qvit", "positional": "constant"}, default_name="qvit")
    model = MODELS.build(selection, image_shape=(1, 32, 32), seed=0)
    assert describe_model(model) == "VisionTransformer (4585 trainable parameters)"
