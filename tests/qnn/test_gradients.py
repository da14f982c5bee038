"""The qiskit-machine-learning gradient subclasses: same results as qml's own, one primitive run per call."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit_machine_learning.gradients import ParamShiftEstimatorGradient

from qhep_contrast.qnn.gradients import BatchedParamShiftEstimatorGradient, BatchedParamShiftSamplerGradient


class _Counting:
    """Forward ``run`` to a primitive and count the calls."""

    def __init__(self, primitive) -> None:
        self.primitive = primitive
        self.calls = 0

    def run(self, pubs, **kwargs):
        self.calls += 1
        return self.primitive.run(pubs, **kwargs)

    @property
    def options(self):
        return self.primitive.options if hasattr(self.primitive, "options") else None


def _circuit() -> QuantumCircuit:
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 3)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.ry(x[1] * w[2], 1)
    qc.rx(w[0], 0)
    qc.cx(0, 1)
    qc.rz(w[1] + x[0], 1)
    qc.crx(w[2], 1, 0)
    qc.ry(w[0], 1)  # w[0] in two gates
    return qc


def test_estimator_gradient_matches_qiskit_machine_learning() -> None:
    qc = _circuit()
    obs = [SparsePauliOp("ZI"), SparsePauliOp(["XX", "IZ"], [0.5, -0.3])]
    values = np.random.default_rng(0).uniform(-2, 2, (3, qc.num_parameters))
    circuits = [qc] * 6
    observables = [o for o in obs for _ in range(3)]
    rows = np.tile(values, (2, 1))
    reference = ParamShiftEstimatorGradient(StatevectorEstimator()).run(circuits, observables, rows).result()
    counting = _Counting(StatevectorEstimator())
    ours = BatchedParamShiftEstimatorGradient(counting).run(circuits, observables, rows).result()
    assert counting.calls == 1
    np.testing.assert_allclose(np.array(ours.gradients), np.array(reference.gradients), atol=1e-9)


def test_estimator_gradient_parameter_subsets_keep_their_order() -> None:
    qc = _circuit()
    params = list(qc.parameters)
    obs = SparsePauliOp("ZZ")
    values = np.random.default_rng(1).uniform(-2, 2, (2, qc.num_parameters))
    wanted = [[params[4], params[0]], [params[2]]]
    full = BatchedParamShiftEstimatorGradient(StatevectorEstimator()).run([qc, qc], [obs, obs], values).result()
    part = BatchedParamShiftEstimatorGradient(StatevectorEstimator()).run([qc, qc], [obs, obs], values,
                                                                           parameters=wanted).result()
    np.testing.assert_allclose(part.gradients[0], full.gradients[0][[4, 0]], atol=1e-12)
    np.testing.assert_allclose(part.gradients[1], full.gradients[1][[2]], atol=1e-12)


def test_sampler_gradient_within_shot_noise_and_one_run() -> None:
    qc = _circuit()
    qc.measure_all()
    values = np.random.default_rng(2).uniform(-2, 2, (2, qc.num_parameters))
    shots = 20_000
    counting = _Counting(StatevectorSampler(default_shots=shots, seed=3))
    result = BatchedParamShiftSamplerGradient(counting).run([qc, qc], values).result()
    assert counting.calls == 1
    unitary = qc.remove_final_measurements(inplace=False)
    probs = lambda v: Statevector(unitary.assign_parameters(v)).probabilities()  # noqa: E731
    eps = 1e-6
    for row, grads in zip(values, result.gradients):
        for m, dist in enumerate(grads):
            e = np.eye(len(row))[m] * eps
            ref = (probs(row + e) - probs(row - e)) / (2 * eps)
            got = np.array([dist.get(k, 0.0) for k in range(4)])
            # each shifted probability has std <= 0.5/sqrt(shots); <= 12 shifted terms with |c * J| <= 1
            assert np.abs(got - ref).max() < 5 * np.sqrt(12) * 0.5 / np.sqrt(shots)


def test_empty_request_runs_nothing() -> None:
    qc = _circuit()
    counting = _Counting(StatevectorEstimator())
    values = np.zeros((1, qc.num_parameters))
    result = BatchedParamShiftEstimatorGradient(counting).run([qc], [SparsePauliOp("ZZ")], values,
                                                              parameters=[[]]).result()
    assert counting.calls == 0 and result.gradients[0].shape == (0,)
    with pytest.raises(ValueError):
        BatchedParamShiftEstimatorGradient(counting).run([qc], [SparsePauliOp("ZZZ")], values).result()
