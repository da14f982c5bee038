"""Error-aware layout search against brute force over every placement."""

from __future__ import annotations

import itertools

import pytest
from qiskit.circuit import QuantumCircuit
from qiskit.transpiler import Layout, TranspileLayout

from qhep_contrast.exceptions import CircuitError
from qhep_contrast.hardware import estimated_success_probability, rank_layouts, transpile_both_layouts
from tests.hardware.conftest import line_target


def _with_trivial_layout(circuit: QuantumCircuit, num_physical: int) -> QuantumCircuit:
    """``circuit`` widened to ``num_physical`` qubits with a trivial layout, as a transpiler would leave it."""
    wide = QuantumCircuit(num_physical, circuit.num_clbits)
    wide.compose(circuit, qubits=range(circuit.num_qubits), clbits=range(circuit.num_clbits), inplace=True)
    virtual = {circuit.qubits[i]: i for i in range(circuit.num_qubits)}
    layout = Layout({q: p for q, p in virtual.items()})
    wide._layout = TranspileLayout(layout, virtual, _input_qubit_count=circuit.num_qubits,
                                   _output_qubit_list=wide.qubits)
    return wide


def _relabelled_success(circuit: QuantumCircuit, placement: tuple[int, ...], target) -> float:
    """Success estimate of ``circuit`` with virtual qubit ``i`` moved to physical ``placement[i]`` (reference)."""
    moved = QuantumCircuit(target.num_qubits, circuit.num_clbits)
    for instruction in circuit.data:
        qubits = [moved.qubits[placement[circuit.find_bit(q).index]] for q in instruction.qubits]
        clbits = [moved.clbits[circuit.find_bit(c).index] for c in instruction.clbits]
        moved.append(instruction.operation, qubits, clbits)
    return estimated_success_probability(moved, target)


def _brute_force(circuit: QuantumCircuit, target) -> tuple[float, set[tuple[int, ...]]]:
    """Best success over every injective placement that keeps all two-qubit gates on couplers."""
    best, winners = -1.0, set()
    for placement in itertools.permutations(range(target.num_qubits), circuit.num_qubits):
        try:
            value = _relabelled_success(circuit, placement, target)
        except CircuitError:
            continue
        if value > best + 1e-15:
            best, winners = value, {placement}
        elif abs(value - best) <= 1e-15:
            winners.add(placement)
    return best, winners


def _chain(num_qubits: int, gate: str = "cz") -> QuantumCircuit:
    """SX on every qubit, ``gate`` on each neighbouring pair, measure all."""
    circuit = QuantumCircuit(num_qubits, num_qubits)
    for q in range(num_qubits):
        circuit.sx(q)
    for q in range(num_qubits - 1):
        getattr(circuit, gate)(q, q + 1)
    circuit.measure(range(num_qubits), range(num_qubits))
    return circuit


def test_two_qubit_circuit_picks_the_best_coupler() -> None:
    target = line_target(
        5, {(0, 1): 0.05, (1, 2): 0.01, (2, 3): 0.004, (3, 4): 0.02},
        sx_errors=[1e-3, 2e-3, 5e-4, 3e-3, 1e-4], measure_errors=[0.01, 0.02, 0.03, 0.01, 0.02],
    )
    logical = _chain(2)
    best, winners = _brute_force(logical, target)
    candidates = rank_layouts(_with_trivial_layout(logical, 5), target, max_candidates=3)
    assert candidates[0].physical_qubits in winners
    assert candidates[0].estimated_success == pytest.approx(best, rel=1e-12)
    assert [c.estimated_success for c in candidates] == sorted((c.estimated_success for c in candidates), reverse=True)
    assert len({c.physical_qubits for c in candidates}) == len(candidates)


@pytest.mark.parametrize("num_qubits", [3, 4])
def test_chain_on_a_fake_backend_matches_brute_force(manila, num_qubits: int) -> None:
    logical = _chain(num_qubits, "cx")  # manila's native two-qubit gate
    best, winners = _brute_force(logical, manila.target)
    candidates = rank_layouts(_with_trivial_layout(logical, 5), manila.target)
    assert candidates[0].estimated_success == pytest.approx(best, rel=1e-12)
    assert candidates[0].physical_qubits in winners


def test_qubits_without_two_qubit_gates_go_to_the_best_free_qubits() -> None:
    target = line_target(4, {(0, 1): 0.01, (1, 2): 0.01, (2, 3): 0.01},
                         sx_errors=[4e-3, 1e-3, 2e-3, 3e-3], measure_errors=[0.04, 0.01, 0.02, 0.03])
    logical = QuantumCircuit(2, 2)
    logical.sx(0)
    logical.sx(0)
    logical.sx(1)
    logical.measure([0, 1], [0, 1])
    best, winners = _brute_force(logical, target)
    (candidate,) = rank_layouts(_with_trivial_layout(logical, 4), target, max_candidates=1)
    assert winners == {(1, 2)}
    assert candidate.physical_qubits == (1, 2)
    assert candidate.estimated_success == pytest.approx(best, rel=1e-12)


def test_needs_a_layout() -> None:
    with pytest.raises(CircuitError, match="no layout"):
        rank_layouts(_chain(2), line_target(2, {(0, 1): 0.01}))


def test_best_error_is_never_worse_than_default(manila) -> None:
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.cx(2, 0)
    circuit.measure_all()
    for level in (0, 1):
        default, best = transpile_both_layouts(circuit, manila, level, seed=1)
        assert best is not None
        assert best[1].success_probability >= default[1].success_probability
    (_, trivial, _), (_, searched, _) = transpile_both_layouts(circuit, manila, 0, seed=1)
    assert searched.success_probability > trivial.success_probability  # level 0 keeps the trivial layout 0,1,2
