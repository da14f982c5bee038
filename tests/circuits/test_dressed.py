"""The dressed edge circuit against qiskit.quantum_info.Statevector, through the exact engine."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits.dressed import dressed_circuit
from qhep_contrast.exceptions import CircuitError
from qhep_contrast.models.dressed_quantum import DressedQuantumNet


def _reference(spec, angles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    values = dict(zip(spec.inputs, angles)) | dict(zip(spec.weights, weights))
    state = Statevector(spec.circuit.assign_parameters(values))
    return np.array([state.expectation_value(o).real for o in spec.observables])


@pytest.mark.parametrize("n, depth", [(1, 1), (4, 2), (5, 3)])
def test_dressed_net_matches_statevector(n: int, depth: int) -> None:
    net = DressedQuantumNet(n, depth, init_scale=0.7, seed=1).double()
    spec = net.layer.spec
    assert (spec.num_inputs, spec.num_weights) == (n, n * depth)
    a = torch.randn(7, n, dtype=torch.float64, generator=torch.Generator().manual_seed(2)) * 2
    out = net(a).detach().numpy()
    w = net.layer.weight.detach().numpy()
    for row in range(7):
        expected = _reference(spec, np.tanh(a[row].numpy()) * math.pi / 2, w)
        np.testing.assert_allclose(out[row], expected, atol=1e-10)


def test_dressed_circuit_gates() -> None:
    ops = dressed_circuit(4, 2).circuit.count_ops()
    assert (ops["h"], ops["ry"], ops["cx"]) == (4, 4 + 8, 2 * 3)
    circuit = dressed_circuit(5, 1).circuit
    cx = [tuple(circuit.find_bit(q).index for q in i.qubits) for i in circuit.data if i.operation.name == "cx"]
    assert cx == [(0, 1), (2, 3), (1, 2), (3, 4)]
    with pytest.raises(CircuitError):
        dressed_circuit(0, 1)
