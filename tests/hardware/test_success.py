"""Estimated success probability: 1 without errors, the hand product with errors, monotone in the gates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.circuit import QuantumCircuit

from qhep_contrast.exceptions import CircuitError
from qhep_contrast.execution.isa import transpile
from qhep_contrast.hardware import error_budget, estimated_success_probability, instruction_error
from tests.hardware.conftest import line_target


def _tiny_circuit() -> QuantumCircuit:
    circuit = QuantumCircuit(3, 3)
    circuit.sx(0)
    circuit.cz(0, 1)
    circuit.rz(0.3, 1)
    circuit.cz(1, 2)
    circuit.barrier()
    circuit.delay(100, 2)
    circuit.measure([0, 1, 2], [0, 1, 2])
    return circuit


@pytest.mark.parametrize("error", [0.0, None])
def test_error_free_target_gives_one(error) -> None:
    target = line_target(3, {(0, 1): error, (1, 2): error}, [error] * 3, [error] * 3)
    budget = error_budget(_tiny_circuit(), target)
    assert budget.success_probability == 1.0
    if error is None:  # every gate but rz (error 0) is counted as missing
        assert budget.missing == {"sx": 1, "cz": 2, "measure": 3}
    else:
        assert budget.missing == {}


def test_hand_product() -> None:
    sx, cz01, cz12, meas = [1e-3, 2e-3, 3e-3], 1e-2, 2e-2, [0.01, 0.02, 0.05]
    target = line_target(3, {(0, 1): cz01, (1, 2): cz12}, sx, meas)
    expected = (1 - sx[0]) * (1 - cz01) * (1 - cz12) * (1 - meas[0]) * (1 - meas[1]) * (1 - meas[2])
    budget = error_budget(_tiny_circuit(), target)
    assert budget.success_probability == pytest.approx(expected, rel=1e-12)
    assert budget.log_success["cz"] == pytest.approx(math.log(1 - cz01) + math.log(1 - cz12), rel=1e-12)
    assert budget.log_success["rz"] == 0.0


def test_decreases_monotonically_as_gates_are_added() -> None:
    target = line_target(3, {(0, 1): 1e-2, (1, 2): 2e-2}, [1e-3] * 3, [0.02] * 3)
    rng = np.random.default_rng(5)
    circuit = QuantumCircuit(3)
    values = [estimated_success_probability(circuit, target)]
    for _ in range(30):
        kind = rng.integers(3)
        if kind == 0:
            circuit.sx(int(rng.integers(3)))
        elif kind == 1:
            a = int(rng.integers(2))
            circuit.cz(a, a + 1)
        else:
            circuit.measure_all(add_bits=True)
        values.append(estimated_success_probability(circuit, target))
    assert values[0] == 1.0
    assert all(later < earlier for earlier, later in zip(values, values[1:]))


def test_matches_a_loop_over_the_fake_backend_target(manila) -> None:
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    isa = transpile(circuit, manila, 1, seed_transpiler=3)
    expected = 1.0
    for instruction in isa.data:
        if instruction.operation.name == "barrier":
            continue
        qargs = tuple(isa.find_bit(q).index for q in instruction.qubits)
        error = manila.target[instruction.operation.name][qargs].error
        expected *= 1.0 - (error or 0.0)
    assert estimated_success_probability(isa, manila.target) == pytest.approx(expected, rel=1e-12)
    assert expected < 1.0


def test_non_isa_circuit_is_refused() -> None:
    target = line_target(3, {(0, 1): 0.01})
    circuit = QuantumCircuit(3)
    circuit.cz(1, 2)  # no coupler there
    with pytest.raises(CircuitError, match="not supported by the target"):
        estimated_success_probability(circuit, target)
    circuit = QuantumCircuit(3)
    circuit.h(0)  # not a native gate
    with pytest.raises(CircuitError, match="transpile it"):
        estimated_success_probability(circuit, target)
    assert instruction_error(target, "cz", (1, 0)) == 0.01
