"""Rewriting parametrized u/p/cp keeps the unitary up to a global phase and keeps transpilation fast."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.quantum_info import Operator

from qhep_contrast.circuits import PHASE_GATES, qcnn, without_parametric_phases


def _random_phase_circuit(seed: int) -> tuple[QuantumCircuit, ParameterVector]:
    rng = np.random.default_rng(seed)
    w = ParameterVector("w", 12)
    circuit = QuantumCircuit(3, 1)
    circuit.u(w[0], w[1], w[2], 0)
    circuit.p(w[3], 1)
    circuit.cp(w[4], 1, 2)
    circuit.u(2 * w[5] + 1, w[6] - w[7], 0.3, 2)
    circuit.cp(w[8] * w[9], 2, 0)
    circuit.p(0.7, 0)  # numeric: kept as is
    circuit.ry(w[10], int(rng.integers(3)))
    circuit.cx(0, 1)
    circuit.u(w[11], 0.1, 0.2, 1)
    return circuit, w


@pytest.mark.parametrize("seed", range(4))
def test_equal_up_to_global_phase(seed: int) -> None:
    circuit, w = _random_phase_circuit(seed)
    rewritten = without_parametric_phases(circuit)
    parametrized = {
        i.operation.name for i in rewritten.data if any(getattr(p, "parameters", None) for p in i.operation.params)
    }
    assert not parametrized & PHASE_GATES
    assert any(i.operation.name == "p" for i in rewritten.data)  # the numeric p stays
    values = dict(zip(w, np.random.default_rng(seed).uniform(-np.pi, np.pi, len(w))))
    expected = Operator(circuit.assign_parameters(values))
    actual = Operator(rewritten.assign_parameters(values))
    assert actual.equiv(expected)
    assert set(rewritten.parameters) == set(circuit.parameters)


def test_unchanged_circuit_is_returned_as_is() -> None:
    circuit = QuantumCircuit(2)
    circuit.ry(0.2, 0)
    circuit.cx(0, 1)
    assert without_parametric_phases(circuit) is circuit


@pytest.mark.timeout(60)
def test_qcnn_transpiles_quickly() -> None:
    """Without the rewrite, Qiskit 2.6's BasisTranslator did not finish on the 8-qubit QCNN (issue #16520)."""
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeGuadalupeV2

    manager = generate_preset_pass_manager(optimization_level=1, backend=FakeGuadalupeV2(), seed_transpiler=0)
    isa = manager.run(without_parametric_phases(qcnn().circuit))
    assert isa.count_ops()["cx"] > 0
