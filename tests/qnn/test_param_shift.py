"""Batched parameter-shift rules against finite differences (shared, composite and controlled angles)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp, Statevector

from qhep_contrast.exceptions import CircuitError
from qhep_contrast.qnn.param_shift import FOUR_TERM, TWO_TERM, ShiftPlan
from tests.execution.random_circuits import random_circuit

_ESTIMATOR = StatevectorEstimator()


def _obs_array(observables: list[SparsePauliOp], ndim: int) -> np.ndarray:
    out = np.empty((len(observables),) + (1,) * ndim, dtype=object)
    for i, op in enumerate(observables):
        out[(i,) + (0,) * ndim] = op
    return out


def _finite_differences(circuit: QuantumCircuit, observables: list[SparsePauliOp], values: np.ndarray,
                        eps: float = 1e-6) -> np.ndarray:
    """Central differences of <O_o> w.r.t. every parameter column: ``(n_obs, N, M)``."""
    obs = _obs_array(observables, 1)
    f = lambda v: _ESTIMATOR.run([(circuit, obs, v)]).result()[0].data.evs  # noqa: E731
    return np.stack([(f(values + e) - f(values - e)) / (2 * eps) for e in np.eye(values.shape[1]) * eps], axis=-1)


def _shift_gradient(plan: ShiftPlan, observables: list[SparsePauliOp], values: np.ndarray, wrt=None) -> np.ndarray:
    batch = plan.shifted(values, wrt)
    evs = _ESTIMATOR.run([(plan.circuit, _obs_array(observables, 2), batch.values)]).result()[0].data.evs
    return batch.gradient(evs)


def _observables(n: int, rng: np.random.Generator) -> list[SparsePauliOp]:
    labels = ["".join(rng.choice(list("IXYZ"), size=n)) for _ in range(3)]
    return [SparsePauliOp(labels[:2], [0.7, -0.4]), SparsePauliOp(labels[2]),
            SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], n)]


@pytest.mark.parametrize("seed", range(10))
def test_random_circuits_match_finite_differences(seed: int) -> None:
    """Every gate type, angles that are constants, inputs, weights, w*x + b, 2x - w, x*x', w*w' + c."""
    qc, _, _ = random_circuit(700 + seed, num_qubits=1 + seed % 4, num_gates=14)
    if not qc.parameters:
        pytest.skip("circuit drew no parameters")
    rng = np.random.default_rng(seed)
    values = rng.uniform(-2, 2, (3, qc.num_parameters))
    obs = _observables(qc.num_qubits, rng)
    plan = ShiftPlan(qc)
    np.testing.assert_allclose(_shift_gradient(plan, obs, values), _finite_differences(qc, obs, values), atol=2e-6)


def _shared_composite_circuit() -> QuantumCircuit:
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 3)
    qc = QuantumCircuit(3)
    qc.h(range(3))
    qc.ry(2 * w[0] * x[0] + 0.3, 0)
    qc.rx(w[1] * w[1], 1)
    qc.crx(x[1] - w[0], 0, 1)
    qc.u(w[0], x[0], w[1], 2)
    qc.rzz(x[0] * x[1], 0, 2)
    qc.cry(w[2], 1, 2)
    qc.cp(w[2] * x[1], 2, 0)
    qc.crz(w[1] + x[0], 0, 2)
    qc.cu(w[0], x[1], 0.2, w[2], 1, 0)  # no shift rule: replaced by its definition
    qc.rxx(w[2], 1, 2)
    qc.global_phase = w[0]
    return qc


def test_shared_and_composite_angles_and_subsets() -> None:
    qc = _shared_composite_circuit()
    obs = [SparsePauliOp("IIZ"), SparsePauliOp(["XYZ", "ZIX"], [0.4, 0.6])]
    values = np.random.default_rng(0).uniform(-2, 2, (4, 5))
    plan = ShiftPlan(qc)
    fd = _finite_differences(qc, obs, values)
    np.testing.assert_allclose(_shift_gradient(plan, obs, values), fd, atol=2e-6)
    np.testing.assert_allclose(_shift_gradient(plan, obs, values, wrt=[3, 1]), fd[..., [3, 1]], atol=2e-6)
    assert plan.shifted(values, wrt=[]).values.shape == (4, 0, plan.num_angles)
    assert not set(plan.circuit.parameters) & set(qc.parameters)  # one fresh parameter per angle
    assert plan.circuit.num_parameters == plan.num_angles
    assert plan.circuit.global_phase == 0


def test_shifted_layout_counts_rules() -> None:
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.crx(2 * x[0], 0, 1)
    plan = ShiftPlan(qc)
    batch = plan.shifted(np.array([[0.3], [0.5]]))
    assert batch.values.shape == (2, len(TWO_TERM.shifts) + len(FOUR_TERM.shifts), 2)
    np.testing.assert_allclose(batch.values[1, :2, 0], [0.5 + math.pi / 2, 0.5 - math.pi / 2])
    np.testing.assert_allclose(batch.values[1, 2:, 1], 1.0 + np.array(FOUR_TERM.shifts))
    np.testing.assert_allclose(batch.jacobian[:, :, 0], [[1.0, 2.0], [1.0, 2.0]])


@pytest.mark.parametrize("rule", [TWO_TERM, FOUR_TERM])
def test_rules_are_exact_on_trigonometric_polynomials(rule) -> None:
    """Two-term is exact for frequency 1, four-term for frequencies 1/2 and 1 (controlled rotations)."""
    freqs = (1.0,) if rule is TWO_TERM else (0.5, 1.0)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=len(freqs)), rng.normal(size=len(freqs))
    f = lambda t: sum(ai * np.cos(w * t) + bi * np.sin(w * t) for ai, bi, w in zip(a, b, freqs))  # noqa: E731
    df = lambda t: sum(-ai * w * np.sin(w * t) + bi * w * np.cos(w * t) for ai, bi, w in zip(a, b, freqs))  # noqa
    for t in rng.uniform(-3, 3, 5):
        assert sum(c * f(t + s) for s, c in zip(rule.shifts, rule.coeffs)) == pytest.approx(df(t), abs=1e-12)


def test_probability_gradients_match_finite_differences() -> None:
    """The same shifted bindings differentiate outcome probabilities (sampler gradients)."""
    qc = _shared_composite_circuit()
    values = np.random.default_rng(2).uniform(-2, 2, (2, 5))
    plan = ShiftPlan(qc)
    probs = lambda circuit, rows: np.array([Statevector(circuit.assign_parameters(r)).probabilities()  # noqa
                                            for r in rows])
    batch = plan.shifted(values)
    shifted = probs(plan.circuit, batch.values.reshape(-1, plan.num_angles)).reshape(2, -1, 8)
    grad = np.moveaxis(batch.gradient(np.moveaxis(shifted, -1, 0)), 0, -1)  # (N, M, 8)
    eps = 1e-6
    fd = np.stack([(probs(qc, values + e) - probs(qc, values - e)) / (2 * eps) for e in np.eye(5) * eps], axis=1)
    np.testing.assert_allclose(grad, fd, atol=2e-6)


def test_non_differentiable_gate_is_reported() -> None:
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(1)
    qc.delay(x[0] * 100, 0, unit="dt")
    with pytest.raises(CircuitError, match="parametrised angles"):
        ShiftPlan(qc)
