"""Circuit metrics: a hand count on a tiny circuit, and Qiskit's own depth on random circuits as reference."""

from __future__ import annotations

import math

import pytest
from qiskit.circuit import QuantumCircuit
from qiskit.circuit.random import random_circuit

from qhep_contrast.execution.isa import transpile
from qhep_contrast.hardware import circuit_metrics, is_two_qubit_gate
from qhep_contrast.hardware.metrics import _depths
from tests.hardware.conftest import line_target


def test_hand_count_on_a_tiny_circuit() -> None:
    #  q0: SX ─■───────────────── M
    #  q1: ────■── RZ ─■───────── M
    #  q2: ────────────■── SX ─── M      (q3 idle)
    circuit = QuantumCircuit(4, 3)
    circuit.sx(0)
    circuit.cz(0, 1)
    circuit.rz(0.1, 1)
    circuit.cz(1, 2)
    circuit.sx(2)
    circuit.barrier()
    circuit.measure([0, 1, 2], [0, 1, 2])
    target = line_target(4, {(0, 1): 0.01, (1, 2): 0.02, (2, 3): 0.03}, [1e-3] * 4, [0.02] * 4)
    metrics = circuit_metrics(circuit, target)
    assert metrics.depth == 6  # sx, cz, rz, cz, sx, measure (the barrier synchronises but does not count)
    assert metrics.two_qubit_depth == 2
    assert metrics.two_qubit_count == 2
    assert metrics.gate_counts == {"sx": 2, "cz": 2, "rz": 1, "barrier": 1, "measure": 3}
    assert metrics.active_qubits == 3
    assert metrics.num_qubits == 4  # no layout: every circuit qubit
    assert metrics.initial_layout == ()
    # sx 32 ns, cz 68 ns, rz 0, cz 68, sx 32, measure 1600 ns along the critical path q0 -> q1 -> q2
    assert metrics.duration_s == pytest.approx(32e-9 + 68e-9 + 68e-9 + 32e-9 + 1.6e-6, rel=1e-9)
    expected = (1 - 1e-3) ** 2 * (1 - 0.01) * (1 - 0.02) * (1 - 0.02) ** 3
    assert metrics.success_probability == pytest.approx(expected, rel=1e-12)


def test_duration_is_nan_without_durations() -> None:
    circuit = QuantumCircuit(2)
    circuit.cz(0, 1)
    target = line_target(2, {(0, 1): 0.01}, durations=False)
    assert math.isnan(circuit_metrics(circuit, target).duration_s)


@pytest.mark.parametrize("seed", range(12))
def test_depths_match_qiskit_on_random_circuits(seed: int) -> None:
    circuit = random_circuit(5, 8, max_operands=3, measure=seed % 2 == 0, seed=seed)
    circuit.barrier([0, 2])
    circuit.cx(2, 3)
    depth, two_depth, two_count, active = _depths(circuit)
    assert depth == circuit.depth()
    assert two_depth == circuit.depth(filter_function=is_two_qubit_gate)
    assert two_count == sum(1 for instruction in circuit.data if is_two_qubit_gate(instruction))
    assert active <= set(range(5))


def test_layout_and_duration_on_a_fake_backend(manila) -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    isa = transpile(circuit, manila, 1, seed_transpiler=0, initial_layout=[3, 4])
    metrics = circuit_metrics(isa, manila.target)
    assert metrics.initial_layout == (3, 4)
    assert metrics.final_layout == (3, 4)
    assert metrics.num_qubits == 2
    assert metrics.two_qubit_count == 1
    assert metrics.duration_s == pytest.approx(isa.estimate_duration(manila.target, unit="s"))
