"""CountsEstimator (expectations from Sampler V2 counts) and MergedEstimator (one PUB per binding set)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import BitArray, StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer.primitives import SamplerV2

from qhep_contrast.exceptions import CircuitError, ConfigError
from qhep_contrast.execution.counts import frequencies, outcomes, z_signs
from qhep_contrast.execution.counts_estimator import CountsEstimator
from qhep_contrast.execution.pub_merge import MergedEstimator


class _Counting:
    def __init__(self, primitive) -> None:
        self.primitive = primitive
        self.pubs: list[int] = []

    def run(self, pubs, **kwargs):
        pubs = list(pubs)
        self.pubs.append(len(pubs))
        return self.primitive.run(pubs, **kwargs)


def _circuit() -> QuantumCircuit:
    x = ParameterVector("x", 3)
    qc = QuantumCircuit(3)
    qc.ry(x[0], 0)
    qc.rx(x[1], 1)
    qc.h(2)
    qc.cx(0, 2)
    qc.ry(x[2], 2)
    qc.cx(1, 0)
    qc.rz(x[0] * x[2], 1)
    return qc


_OBSERVABLES = [
    SparsePauliOp(["IIZ", "XYZ"], [0.5, 0.7]),
    SparsePauliOp("YIX"),
    SparsePauliOp(["XXI", "III", "ZZZ"], [1.0, 0.3, -0.6]),
    SparsePauliOp(["IYY", "IXX"], [0.4, 0.4]),
]


def _obs_array(shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for i, idx in enumerate(np.ndindex(shape)):
        out[idx] = _OBSERVABLES[i % len(_OBSERVABLES)]
    return out


def test_bit_helpers_against_counts() -> None:
    rng = np.random.default_rng(0)
    bits = BitArray.from_bool_array(rng.random((2, 3, 50, 11)) < 0.3, order="little")
    values = outcomes(bits)
    for loc in np.ndindex(2, 3):
        assert sorted(values[loc].tolist()) == sorted(int(k) for k, n in bits.get_int_counts(loc).items()
                                                      for _ in range(n))
    freq = frequencies(values, 11)
    np.testing.assert_allclose(freq.sum(-1), 1.0)
    assert freq[1, 2, values[1, 2, 0]] >= 1 / 50
    signs = z_signs(values, np.array([0b1, 0b101], dtype=np.uint64))
    parity = lambda v, m: (-1) ** bin(int(v) & m).count("1")  # noqa: E731
    assert signs[0, 1, 7, 1] == parity(values[0, 1, 7], 0b101)


@pytest.mark.parametrize("obs_shape", [(4, 1), (4, 3)])
def test_counts_estimator_within_its_standard_errors(obs_shape) -> None:
    qc = _circuit()
    values = np.random.default_rng(1).uniform(-2, 2, (3, 3))
    obs = _obs_array(obs_shape)
    ref = StatevectorEstimator().run([(qc, obs, values)]).result()[0].data.evs
    sampler = _Counting(SamplerV2(seed=7))
    shots = 8000
    result = CountsEstimator(sampler, shots).run([(qc, obs, values), (qc, _obs_array((2,)), values[:2])]).result()
    assert sampler.pubs == [4 + 3]  # one sampler run for both PUBs: one PUB per commuting group
    evs, stds = result[0].data.evs, result[0].data.stds
    assert evs.shape == stds.shape == (obs_shape[0], 3)
    assert np.all(np.abs(evs - ref) <= 5 * stds + 1e-12)
    assert np.abs(evs - ref).max() > 0  # genuinely sampled
    # standard error of a single +-1 Pauli term (YIX): sqrt((1 - <P>^2) / shots)
    single = np.array([[o is _OBSERVABLES[1] for o in row] for row in obs]).repeat(3 // obs_shape[1], axis=1)
    expected = np.sqrt(np.clip(1 - ref[single] ** 2, 0, 1) / shots)
    np.testing.assert_allclose(stds[single], expected, atol=1e-3)
    assert result[1].data.evs.shape == (2,)


def test_counts_estimator_precision_sets_shots_and_rejects_measured_circuits() -> None:
    qc = _circuit()
    estimator = CountsEstimator(SamplerV2(seed=1), shots=100)
    result = estimator.run([(qc, SparsePauliOp("ZII"), np.zeros((1, 3)))], precision=0.05).result()
    assert result[0].metadata["shots"] == 400
    with pytest.raises(ConfigError, match="precision"):
        estimator.run([(qc, SparsePauliOp("ZII"), np.zeros((1, 3)))], precision=0.0)
    with pytest.raises(CircuitError, match="already measures"):
        estimator.run([(qc.measure_all(inplace=False), SparsePauliOp("ZII"), np.zeros((1, 3)))])
    with pytest.raises(ConfigError, match="shots"):
        CountsEstimator(SamplerV2(), shots=0)


def test_merged_estimator_runs_one_pub_and_splits_results() -> None:
    qc = _circuit()
    values = np.random.default_rng(2).uniform(-2, 2, (5, 3))
    pubs = [(qc, op, values) for op in _OBSERVABLES] + [(qc, _OBSERVABLES[0], values[:2])]
    ref = StatevectorEstimator().run(pubs).result()
    inner = _Counting(StatevectorEstimator())
    got = MergedEstimator(inner).run(pubs).result()
    assert inner.pubs == [2]  # the four same-binding PUBs became one
    for r, g in zip(ref, got):
        np.testing.assert_allclose(g.data.evs, r.data.evs, atol=1e-12)
        assert g.data.evs.shape == r.data.evs.shape
    single = MergedEstimator(inner).run([(qc, _OBSERVABLES[1], values)]).result()
    np.testing.assert_allclose(single[0].data.evs, ref[1].data.evs, atol=1e-12)


@pytest.mark.parametrize("obs_shape", [(), (3,), (4, 1), (4, 3)])
def test_aer_exact_estimator_matches_aer_estimator(obs_shape) -> None:
    from qiskit_aer.primitives import EstimatorV2 as AerEstimator

    from qhep_contrast.execution.aer_estimator import AerExactEstimator

    qc = _circuit()
    values = np.random.default_rng(3).uniform(-2, 2, (3, 3))
    obs = _obs_array(obs_shape) if obs_shape else _OBSERVABLES[2]
    options = {"default_precision": 0.0, "backend_options": {"runtime_parameter_bind_enable": True}}
    pubs = [(qc, obs, values), (qc.assign_parameters(values[0]), obs)]
    ref = AerEstimator(options=options).run(pubs).result()
    got = AerExactEstimator(options=options).run(pubs).result()
    for r, g in zip(ref, got):
        assert g.data.evs.shape == r.data.evs.shape
        np.testing.assert_allclose(g.data.evs, r.data.evs, atol=1e-12)
    noisy = AerExactEstimator(options={"run_options": {"seed_simulator": 1}}).run(pubs, precision=0.1).result()
    assert 0 < np.abs(noisy[0].data.evs - ref[0].data.evs).max() < 1.0
    np.testing.assert_allclose(noisy[0].data.stds, 0.1)
