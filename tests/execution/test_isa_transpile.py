"""``execution.isa.transpile``: argument checks, initial layouts, and the parametric-phase rewrite."""

from __future__ import annotations

import pytest
from qiskit.circuit import Parameter, QuantumCircuit

from qhep_contrast.exceptions import CircuitError, ConfigError
from qhep_contrast.execution.fake_backends import fake_backend
from qhep_contrast.execution.isa import transpile

MANILA = fake_backend("fake_manila")


def _circuit(num_qubits: int) -> QuantumCircuit:
    circuit = QuantumCircuit(num_qubits)
    circuit.u(Parameter("a"), Parameter("b"), Parameter("c"), 0)
    for q in range(num_qubits - 1):
        circuit.cx(q, q + 1)
    return circuit


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="optimization_level must be 0, 1, 2 or 3; got 4"):
        transpile(_circuit(2), MANILA, 4, 0)
    with pytest.raises(CircuitError, match="has 6 qubits but backend 'fake_manila' has 5"):
        transpile(_circuit(6), MANILA, 1, 0)
    with pytest.raises(CircuitError, match="initial_layout has 1 physical qubits for a circuit of 2"):
        transpile(_circuit(2), MANILA, 1, 0, initial_layout=[0])


def test_initial_layout_and_constant_global_phase() -> None:
    isa = transpile(_circuit(2), MANILA, 1, 0, initial_layout=[4, 3])
    assert isa.layout.initial_index_layout(filter_ancillas=True) == [4, 3]
    assert not getattr(isa.global_phase, "parameters", None)  # u was rewritten: no parametric phase left
    assert {p.name for p in isa.parameters} == {"a", "b", "c"}
