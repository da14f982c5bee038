"""ISA transpilation with observable layout, compaction to the qubits in use, restricted device noise."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from qiskit_aer.primitives import SamplerV2 as AerSampler

from qhep_contrast.circuits import z_observables
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.fake_backends import fake_backend, fake_backend_names
from qhep_contrast.execution.isa import compact, to_isa
from qhep_contrast.execution.noise import restricted_noise_model
from qhep_contrast.execution.program import build_program


def _triangle() -> QuantumCircuit:
    """Needs routing on a line of qubits (CX between all three pairs), so the final layout is permuted."""
    x = ParameterVector("x", 3)
    qc = QuantumCircuit(3)
    for i in range(3):
        qc.ry(x[i], i)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.cx(2, 0)
    qc.rx(x[0] * x[1], 2)
    return qc


_OBS = [*z_observables(3), SparsePauliOp(["XIZ", "YYI"], [0.5, -0.5])]
_VALUES = np.random.default_rng(0).uniform(-2, 2, (4, 3))


def _exact(qc: QuantumCircuit, observables, values) -> np.ndarray:
    obs = np.empty((len(observables), 1), dtype=object)
    for i, o in enumerate(observables):
        obs[i, 0] = o
    return StatevectorEstimator().run([(qc, obs, values)]).result()[0].data.evs


@pytest.mark.parametrize("level", [1, 3])
def test_isa_observables_follow_the_final_layout(level: int) -> None:
    isa = to_isa(_triangle(), _OBS, fake_backend("fake_manila"), level, seed_transpiler=5)
    assert isa.circuit.num_qubits == 5 and set(isa.circuit.count_ops()) <= {"rz", "sx", "x", "cx", "barrier"}
    assert isa.record["seed_transpiler"] == 5 and isa.record["two_qubit_gates"] >= 4  # routed
    ideal = _exact(_triangle(), _OBS, _VALUES)
    np.testing.assert_allclose(_exact(isa.circuit, isa.observables, _VALUES), ideal, atol=1e-10)
    small, observables, qubits = compact(isa)
    assert small.num_qubits == len(qubits) <= 5 and set(isa.physical_qubits) <= set(qubits)
    np.testing.assert_allclose(_exact(small, observables, _VALUES), ideal, atol=1e-10)


def test_initial_layout_alone_would_be_wrong() -> None:
    """Guard for the test above: mapping with the initial layout only gives different values."""
    isa = to_isa(_triangle(), _OBS, fake_backend("fake_manila"), 1, seed_transpiler=5)
    if isa.physical_qubits == tuple(isa.circuit.layout.initial_index_layout(filter_ancillas=True)):
        pytest.skip("this transpilation ended without a permutation")
    initial = [o.apply_layout(isa.circuit.layout.initial_index_layout(filter_ancillas=True), 5) for o in _OBS]
    assert np.abs(_exact(isa.circuit, initial, _VALUES) - _exact(_triangle(), _OBS, _VALUES)).max() > 1e-3


def test_restricted_noise_model_matches_the_full_device_model() -> None:
    """Compacted circuit + restricted model == full ISA circuit + AerSimulator.from_backend (density matrix)."""
    backend = fake_backend("fake_manila")
    isa = to_isa(_triangle(), _OBS, backend, 1, seed_transpiler=5)
    small, observables, qubits = compact(isa)
    bound = [isa.circuit.assign_parameters(v) for v in _VALUES]
    full = AerSimulator.from_backend(backend, method="density_matrix")
    expected = []
    for circuit in bound:
        circuit = circuit.copy()
        for i, o in enumerate(isa.observables):
            circuit.save_expectation_value(o, range(circuit.num_qubits), label=f"o{i}")
        data = full.run(circuit).result().data(0)
        expected.append([data[f"o{i}"].real for i in range(len(_OBS))])
    estimator = AerEstimator(options={"backend_options": {"method": "density_matrix",
                                                          "noise_model": restricted_noise_model(backend, qubits)}})
    obs = np.empty((len(_OBS), 1), dtype=object)
    for i, o in enumerate(observables):
        obs[i, 0] = o
    got = estimator.run([(small, obs, _VALUES)]).result()[0].data.evs
    np.testing.assert_allclose(got, np.array(expected).T, atol=1e-10)
    assert np.abs(got - _exact(_triangle(), _OBS, _VALUES)).max() > 1e-3  # the noise is really there


def test_restricted_readout_errors_match() -> None:
    """Readout noise: outcome frequencies of X on every qubit, restricted vs full device model (5 sigma)."""
    backend = fake_backend("fake_manila")
    qc = QuantumCircuit(5)
    qc.x([1, 3])
    qc.measure_all()
    shots = 20_000
    full = AerSampler.from_backend(backend, seed=3).run([qc], shots=shots).result()[0].data.meas
    nm = restricted_noise_model(backend, [0, 1, 2, 3, 4])
    mine = AerSampler(seed=4, options={"backend_options": {"noise_model": nm}}).run([qc], shots=shots)
    mine = mine.result()[0].data.meas
    for q in range(5):
        p_full = np.mean([(int(k, 2) >> q) & 1 for k in full.get_bitstrings()])
        p_mine = np.mean([(int(k, 2) >> q) & 1 for k in mine.get_bitstrings()])
        assert abs(p_full - p_mine) < 5 * np.sqrt(2 * 0.25 / shots)
        assert p_mine != (1.0 if q in (1, 3) else 0.0)  # readout errors present


def test_aer_with_noise_program_records_the_transpilation() -> None:
    cfg = ExecutionConfig(kind="aer", noise="fake_manila", seed_transpiler=5, optimization_level=1)
    program = build_program(cfg, _triangle(), _OBS)
    assert program.record["noise"] == "fake_manila" and program.record["transpile"]["seed_transpiler"] == 5
    assert program.circuit.num_qubits == len(program.record["simulated_qubits"])
    values = program.primitive.run([(program.circuit, program.observables[0], _VALUES)]).result()[0].data.evs
    ideal = _exact(_triangle(), _OBS[:1], _VALUES)[0]
    assert np.abs(values - ideal).max() < 0.2 and np.abs(values - ideal).max() > 1e-3


def test_fake_backend_names() -> None:
    assert {"fake_manila", "fake_torino", "fake_fez", "fake_sherbrooke"} <= set(fake_backend_names())
    assert fake_backend("fake_manila").num_qubits == 5
    with pytest.raises(ConfigError, match="unknown fake backend 'fake_nowhere'"):
        fake_backend("fake_nowhere")
