"""The QuantumLayer test double in conftest.py agrees with qiskit's Statevector."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector


@pytest.mark.parametrize("name", ["u_after_v", "reuploading"])
def test_double_matches_statevector(name: str, circuits: dict[str, Callable], dense_test_double: type) -> None:
    spec = circuits[name](3)
    layer = dense_test_double(spec, output="state", seed=3)
    inputs = torch.rand(4, spec.num_inputs, generator=torch.Generator().manual_seed(1)) * 3
    states = layer(inputs).detach().numpy()
    weights = layer.weight.detach().double().numpy()
    for row, x in enumerate(inputs.double().numpy()):
        bound = spec.circuit.assign_parameters(dict(zip(spec.inputs, x)) | dict(zip(spec.weights, weights)))
        assert np.allclose(states[row], Statevector(bound).data, atol=1e-5)
    expectation = dense_test_double(spec, seed=3)(inputs).detach().numpy()
    z = [np.sum(np.abs(states) ** 2 * np.array([1 - 2 * ((i >> q) & 1) for i in range(8)]), axis=1)
         for q in range(3)]
    assert np.allclose(expectation, np.stack(z, axis=1), atol=1e-5)
