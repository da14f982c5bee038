"""Mirrored hardware-efficient ansatz and identity-block initialisation (Grant et al. 2019)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import angle_encoder, compose, hardware_efficient
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.qnn import QuantumLayer


def _z(spec, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    bound = spec.circuit.assign_parameters({**dict(zip(spec.inputs, x)), **dict(zip(spec.weights, w))})
    state = Statevector(bound)
    return np.array([state.expectation_value(o).real for o in spec.observables])


def test_identity_blocks_start_as_the_encoder_alone() -> None:
    spec = compose(angle_encoder(4, "ry"), hardware_efficient(4, num_layers=2, mirrored=True))
    assert spec.num_weights == 2 * 16
    layer = QuantumLayer(spec, init="identity_blocks", seed=5)
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(w[:16], w[16:])
    assert np.abs(w).max() > 1.0  # uniform angles, not small ones
    x = np.random.default_rng(0).uniform(-2, 2, size=(3, 4))
    np.testing.assert_allclose(layer(torch.from_numpy(x)).detach().numpy(), np.cos(x), atol=1e-5)
    np.testing.assert_allclose(_z(spec, x[0], w), np.cos(x[0]), atol=1e-9)


def test_mirrored_circuit_gradients_match_finite_differences_of_statevector() -> None:
    spec = compose(angle_encoder(3, "ry"), hardware_efficient(3, num_layers=1, mirrored=True))
    layer = QuantumLayer(spec, init="identity_blocks", seed=2)
    x = np.array([0.3, -1.1, 0.7])
    upstream = np.array([0.5, -1.0, 2.0])
    out = layer(torch.tensor(x[None], dtype=torch.float64))
    (out[0] * torch.tensor(upstream, dtype=out.dtype)).sum().backward()
    w = layer.weight.detach().numpy().astype(np.float64)
    h = 1e-6
    expected = [(upstream @ (_z(spec, x, w + h * e) - _z(spec, x, w - h * e))) / (2 * h) for e in np.eye(w.size)]
    assert np.abs(np.array(expected)).max() > 1e-2  # non-vanishing gradients at the identity
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, atol=2e-4)


def test_identity_blocks_need_a_mirrored_ansatz() -> None:
    with pytest.raises(ConfigError, match="mirrored = true"):
        QuantumLayer(compose(angle_encoder(3, "ry"), hardware_efficient(3)), init="identity_blocks")
