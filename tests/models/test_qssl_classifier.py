"""The qssl_classifier model kind: the circuit's readout probabilities, both encoders train, sizes, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import qssl_classifier
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models import MODELS, QSSLClassifierOptions, build_qssl_classifier, count_parameters
from qhep_contrast.models.qssl_classifier import QSSLFrontEnd


def _model(twin: bool = False, shape: tuple[int, int, int] = (1, 8, 8), **options):
    return build_qssl_classifier(QSSLClassifierOptions(twin=twin, **options), image_shape=shape, seed=3)


def test_quantum_output_is_the_readout_qubit_distribution() -> None:
    model = _model().double().eval()
    images = torch.rand(4, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        probs = model.embed(images)
        angles = model.encoder.front_end(images)
    weights = model.encoder.core.weight.detach().tolist()
    spec = qssl_classifier(2)
    for b in range(4):
        values = [*angles[b].tolist(), *weights]
        bound = spec.circuit.assign_parameters(dict(zip([*spec.inputs, *spec.weights], values)))
        np.testing.assert_allclose(probs[b].numpy(), Statevector(bound).probabilities([4]), atol=1e-10)


@pytest.mark.parametrize("twin", [False, True])
def test_every_parameter_gets_a_gradient(twin: bool) -> None:
    model = _model(twin).train()
    a = torch.rand(6, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    za, zb = model(a, a.flip(-1))
    torch.testing.assert_close(za.sum(1), torch.ones(6))
    (za[:, 0] * torch.arange(6.0)).sum().add((zb[:, 1] ** 2).sum()).backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_parameter_counts() -> None:
    # front-end: 4x4 kernel + bias + batch-norm affine = 19; circuit 6 * n_layers; baseline 20 * hidden + 10
    assert count_parameters(_model()) == 19 + 12
    assert count_parameters(_model(n_layers=3)) == 19 + 18
    assert count_parameters(_model(True)) == 19 + 10
    assert count_parameters(_model(True, twin_hidden_layers=2)) == 19 + 50
    assert count_parameters(_model(shape=(1, 14, 14), kernel_size=7, stride=5)) == 52 + 12  # published sizes


@pytest.mark.parametrize("size, kernel, stride", [(8, 4, 4), (14, 7, 7), (28, 14, 14), (9, 5, 4)])
def test_automatic_convolution_gives_four_angles(size: int, kernel: int, stride: int) -> None:
    front = QSSLFrontEnd(1, (size, size))
    assert (front.kernel_size, front.stride) == (kernel, stride)
    assert front(torch.rand(2, 1, size, size)).shape == (2, 4)


def test_bad_convolution_names_the_keys() -> None:
    with pytest.raises(ConfigError, match="model.kernel_size and model.stride"):
        _model(kernel_size=3, stride=1)
    assert MODELS.traits("qssl_classifier").outputs == ("marginals",)
