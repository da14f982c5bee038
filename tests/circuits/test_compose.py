"""compose: W1 against a hand-built numpy state, parameter bookkeeping and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from circuit_reference import cx, embed, run, ry, rz, statevector
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits import (
    CircuitSpec,
    angle_encoder,
    compose,
    hardware_efficient,
    qcnn,
    reuploading_encoder,
    z_observables,
)
from qhep_contrast.exceptions import CircuitError


def test_w1_two_qubits_matches_numpy() -> None:
    rng = np.random.default_rng(5)
    x, w = rng.uniform(-np.pi, np.pi, 2), rng.uniform(-np.pi, np.pi, 4)
    ops = [embed(2, {0: ry(x[0]), 1: ry(x[1])}), embed(2, {0: ry(w[0]), 1: ry(w[1])})]
    ops += [embed(2, {0: rz(w[2]), 1: rz(w[3])}), cx(2, 0, 1)]
    spec = compose(angle_encoder(2), hardware_efficient(2, 1))
    np.testing.assert_allclose(statevector(spec, x, w), run(2, ops), atol=1e-12)


def test_w1_counts_and_order() -> None:
    spec = compose(angle_encoder(8, "ry"), hardware_efficient(8, 3))
    assert (spec.num_qubits, spec.num_inputs, spec.num_weights, len(spec.observables)) == (8, 8, 48, 8)
    assert [p.name for p in spec.inputs] == [f"x[{i}]" for i in range(8)]
    assert [p.name for p in spec.weights] == [f"w[{i}]" for i in range(48)]


def test_weights_encoder_first_then_ansatz_and_observables_from_ansatz() -> None:
    encoder = reuploading_encoder(8, 1)
    ansatz = qcnn(8)
    spec = compose(encoder, ansatz, name="hybrid")
    assert spec.weights == (*encoder.weights, *ansatz.weights)
    assert spec.inputs == encoder.inputs
    assert spec.observables == ansatz.observables
    assert spec.name == spec.circuit.name == "hybrid"
    assert spec.metadata["encoder"]["builder"] == "reuploading_encoder"


def test_observables_fall_back_to_encoder() -> None:
    bare = QuantumCircuit(2)
    bare.cx(0, 1)
    spec = compose(angle_encoder(2), CircuitSpec(bare, (), ()))
    assert spec.observables == z_observables(2)


def test_shared_parameter_listed_once() -> None:
    encoder = angle_encoder(2)
    again = QuantumCircuit(2)
    again.rx(encoder.inputs[0], 1)  # re-uploads x[0] in the second block
    spec = compose(encoder, CircuitSpec(again, encoder.inputs[:1], ()))
    assert spec.inputs == encoder.inputs


def test_qubit_mismatch() -> None:
    with pytest.raises(CircuitError, match="3 qubits but ansatz .* has 4"):
        compose(angle_encoder(3), hardware_efficient(4))


def test_name_collision() -> None:
    with pytest.raises(CircuitError, match="both have a parameter named 'x\\[0\\]'"):
        compose(angle_encoder(2), angle_encoder(2))


def test_role_conflict() -> None:
    encoder = angle_encoder(1)
    circuit = QuantumCircuit(1)
    circuit.rz(encoder.inputs[0], 0)
    with pytest.raises(CircuitError, match="is an input of .* but a weight"):
        compose(encoder, CircuitSpec(circuit, (), encoder.inputs))


def test_unrelated_vectors_with_distinct_names_compose() -> None:
    theta = ParameterVector("theta", 1)
    circuit = QuantumCircuit(1)
    circuit.ry(theta[0], 0)
    assert compose(angle_encoder(1), CircuitSpec(circuit, (), tuple(theta))).num_weights == 1
