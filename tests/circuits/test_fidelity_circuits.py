"""Fidelity circuits: every estimator equals |<psi(x1)|psi(x2)>|^2 computed from two separate Statevectors."""

from __future__ import annotations

import numpy as np
import pytest
from circuit_reference import statevector
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import (
    CircuitSpec,
    angle_encoder,
    compute_uncompute,
    compute_uncompute_fidelity,
    destructive_swap_fidelity,
    destructive_swap_parities,
    destructive_swap_test,
    hardware_efficient,
    reuploading_encoder,
    swap_test,
    swap_test_fidelity,
    unsupported_instructions,
    w1_spec,
    w2_spec,
)
from qhep_contrast.exceptions import CircuitError, ShapeError

RNG = np.random.default_rng(2024)
BUILDERS = [swap_test, compute_uncompute, destructive_swap_test]


def _exact_fidelity(spec: CircuitSpec, x1: np.ndarray, x2: np.ndarray, w: np.ndarray) -> float:
    return float(abs(np.vdot(statevector(spec, x1, w), statevector(spec, x2, w))) ** 2)


def _estimates(spec: CircuitSpec, x1: np.ndarray, x2: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Fidelity from the probabilities of each unmeasured fidelity circuit, via the package's estimators."""
    n, values = spec.num_qubits, [*x1, *x2]
    swap_probs = np.abs(statevector(swap_test(spec, measure=False), values, w)) ** 2
    cu_probs = np.abs(statevector(compute_uncompute(spec, measure=False), values, w)) ** 2
    ds_probs = np.abs(statevector(destructive_swap_test(spec, measure=False), values, w)) ** 2
    return {
        "swap": float(swap_test_fidelity(swap_probs[0::2].sum())),  # qubit 0 (ancilla) = 0: even indices
        "compute_uncompute": float(compute_uncompute_fidelity(cu_probs[0])),
        "destructive": float(ds_probs @ destructive_swap_parities(n)),
    }


def _encoding() -> CircuitSpec:
    """A 2-qubit encoding with weights inside and complex amplitudes (phases matter for F)."""
    return reuploading_encoder(2, 2, 3, reupload="patches", trainable_rotations=("rx", "rz"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_pairs_match_exact_fidelity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spec = _encoding()
    x1, x2 = rng.uniform(-2, 2, spec.num_inputs), rng.uniform(-2, 2, spec.num_inputs)
    w = rng.uniform(-2, 2, spec.num_weights)
    exact = _exact_fidelity(spec, x1, x2, w)
    assert 0.01 < exact < 0.99  # a non-trivial case
    for name, value in _estimates(spec, x1, x2, w).items():
        assert value == pytest.approx(exact, abs=1e-10), name


@pytest.mark.parametrize(
    ("x1", "x2", "expected"),
    [
        ([0.0], [np.pi], 0.0),
        ([0.0], [np.pi / 2], 0.5),
        ([0.0, 0.0], [np.pi / 2, np.pi / 2], 0.25),
        ([0.3, -1.1], [0.3, -1.1], 1.0),
    ],
)
def test_hand_cases(x1: list[float], x2: list[float], expected: float) -> None:
    # |<0|RY(t)|0>|^2 = cos(t/2)^2 per qubit.
    spec = angle_encoder(len(x1))
    for name, value in _estimates(spec, np.array(x1), np.array(x2), np.array([])).items():
        assert value == pytest.approx(expected, abs=1e-12), name


def test_compute_uncompute_inverse_stays_in_engine_gates() -> None:
    from qiskit.circuit import ParameterVector, QuantumCircuit

    x = ParameterVector("x", 2)
    circuit = QuantumCircuit(2)
    for q in range(2):
        circuit.sx(q)
        circuit.rz(x[q], q)
        circuit.sx(q)
    circuit.cx(0, 1)
    spec = CircuitSpec(circuit, tuple(x), ())
    fid = compute_uncompute(spec, measure=False)
    assert unsupported_instructions(fid.circuit) == []
    x1, x2 = np.array([0.3, 1.9]), np.array([-0.8, 0.4])
    p_zero = abs(statevector(fid, [*x1, *x2])[0]) ** 2
    assert p_zero == pytest.approx(_exact_fidelity(spec, x1, x2, np.array([])), abs=1e-12)


def test_swap_test_observable_is_the_fidelity() -> None:
    spec = _encoding()
    x1, x2, w = RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, spec.num_weights)
    fid = swap_test(spec, measure=False)
    state = Statevector(fid.circuit.assign_parameters(dict(zip((*fid.inputs, *fid.weights), [*x1, *x2, *w]))))
    expected = _exact_fidelity(spec, x1, x2, w)
    assert state.expectation_value(fid.observables[0]).real == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("builder", BUILDERS)
def test_parameters_inputs_x1_x2_and_shared_weights(builder) -> None:
    spec = _encoding()
    fid = builder(spec, measure=False)
    assert [p.name for p in fid.inputs] == [f"x1[{i}]" for i in range(6)] + [f"x2[{i}]" for i in range(6)]
    assert fid.weights == spec.weights
    assert len(fid.circuit.parameters) == 12 + spec.num_weights
    assert fid.circuit.num_clbits == 0


@pytest.mark.parametrize(
    ("builder", "qubits", "measured"),
    [(swap_test, 5, [0]), (compute_uncompute, 2, [0, 1]), (destructive_swap_test, 4, [0, 1, 2, 3])],
)
def test_measured_variants_measure_what_the_estimator_needs(builder, qubits: int, measured: list[int]) -> None:
    fid = builder(_encoding())
    circuit = fid.circuit
    assert circuit.num_qubits == qubits
    assert [creg.name for creg in circuit.cregs] == ["meas"]
    pairs = [
        (circuit.find_bit(i.qubits[0]).index, circuit.find_bit(i.clbits[0]).index)
        for i in circuit.data
        if i.operation.name == "measure"
    ]
    assert sorted(pairs) == [(q, q) for q in measured]
    assert fid.observables == ()


def test_sampled_estimates_agree_with_exact_on_aer() -> None:
    from qiskit_aer.primitives import SamplerV2

    spec = angle_encoder(2)
    x1, x2 = np.array([0.4, -1.2]), np.array([1.5, 0.7])
    exact = _exact_fidelity(spec, x1, x2, np.array([]))
    shots = 20_000
    sampler = SamplerV2(default_shots=shots, seed=7)
    fids = [builder(spec) for builder in BUILDERS]
    results = sampler.run([(f.circuit, [*x1, *x2]) for f in fids]).result()
    swap_counts, cu_counts, ds_counts = (r.data.meas.get_counts() for r in results)
    estimates = [
        swap_test_fidelity(swap_counts.get("0", 0) / shots),
        compute_uncompute_fidelity(cu_counts.get("00", 0) / shots),
        destructive_swap_fidelity(ds_counts, 2),
    ]
    for estimate in estimates:  # 5 sigma of the worst case (swap test: sigma <= 2 * 0.5 / sqrt(shots))
        assert float(estimate) == pytest.approx(exact, abs=5 / np.sqrt(shots))


def test_destructive_swap_fidelity_from_counts() -> None:
    spec = _encoding()
    x1, x2, w = RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, spec.num_weights)
    probs = np.abs(statevector(destructive_swap_test(spec, measure=False), [*x1, *x2], w)) ** 2
    counts = {f"{z:04b}"[:2] + " " + f"{z:04b}"[2:]: int(round(p * 1e7)) for z, p in enumerate(probs)}
    assert destructive_swap_fidelity(counts, 2) == pytest.approx(_exact_fidelity(spec, x1, x2, w), abs=1e-6)


def test_destructive_swap_parities_closed_form() -> None:
    # n = 1: basis index z = 2*b + a; parity -1 only for a = b = 1 (z = 3), the singlet component.
    np.testing.assert_array_equal(destructive_swap_parities(1), [1, 1, 1, -1])
    parities = destructive_swap_parities(2)
    loop = [(-1) ** sum(((z >> i) & 1) * ((z >> (2 + i)) & 1) for i in range(2)) for z in range(16)]
    np.testing.assert_array_equal(parities, loop)


def test_post_processing_formulas() -> None:
    np.testing.assert_allclose(swap_test_fidelity([1.0, 0.75, 0.5]), [1.0, 0.5, 0.0])
    np.testing.assert_allclose(compute_uncompute_fidelity(np.array([0.25])), [0.25])


@pytest.mark.parametrize("bad", [{"010": 3}, {"01x1": 3}, {}, {"0000": 0}])
def test_destructive_swap_fidelity_rejects_bad_counts(bad: dict) -> None:
    with pytest.raises(ShapeError, match="destructive_swap_fidelity"):
        destructive_swap_fidelity(bad, 2)


@pytest.mark.parametrize("builder", BUILDERS)
def test_rejects_specs_without_inputs(builder) -> None:
    with pytest.raises(CircuitError, match="has no inputs"):
        builder(hardware_efficient(2, 1))


@pytest.mark.parametrize("builder", BUILDERS)
def test_rejects_measured_encodings(builder) -> None:
    spec = angle_encoder(2)
    measured = spec.circuit.copy()
    measured.measure_all()
    with pytest.raises(CircuitError, match="must be unitary"):
        builder(CircuitSpec(measured, spec.inputs, ()))


@pytest.mark.parametrize("builder", BUILDERS)
def test_rejects_weights_named_like_the_new_inputs(builder) -> None:
    from qiskit.circuit import ParameterVector

    spec = angle_encoder(1)
    clash = ParameterVector("x1", 1)
    circuit = spec.circuit.copy()
    circuit.rz(clash[0], 0)
    with pytest.raises(CircuitError, match="collide"):
        builder(CircuitSpec(circuit, spec.inputs, tuple(clash)))


@pytest.mark.parametrize("builder", BUILDERS)
def test_rejects_non_bool_measure(builder) -> None:
    with pytest.raises(CircuitError, match="measure"):
        builder(angle_encoder(1), measure="yes")


def test_fidelity_depends_on_weights_only_with_reuploading() -> None:
    # DESIGN: weights after a single encoding block cancel in <psi(x1)|psi(x2)>; re-uploading keeps them.
    rng = np.random.default_rng(8)
    x1, x2 = rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3)
    w_a, w_b = rng.uniform(-2, 2, 12), rng.uniform(-2, 2, 12)
    single, reuploading = w1_spec(3, 2), w2_spec(3, 2)
    assert _exact_fidelity(single, x1, x2, w_a) == pytest.approx(_exact_fidelity(single, x1, x2, w_b), abs=1e-12)
    assert abs(_exact_fidelity(reuploading, x1, x2, w_a) - _exact_fidelity(reuploading, x1, x2, w_b)) > 1e-3
