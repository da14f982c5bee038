"""The compile cache tells circuits apart by what their gates do, not by how they print."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.circuit import Gate, Parameter, QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.quantum_info import SparsePauliOp, Statevector

from qhep_contrast.execution.exact import clear_cache, compile

_Z0 = [SparsePauliOp("Z")]


def _custom_gate(inner: str) -> Gate:
    """A one-qubit gate named ``g`` whose definition is the single gate ``inner``."""
    body = QuantumCircuit(1)
    getattr(body, inner)(0)
    gate = body.to_gate()
    gate.name = "g"
    return gate


def _with_gate(gate: Gate) -> tuple[QuantumCircuit, Parameter]:
    """``RY(x)`` followed by ``gate`` on one qubit."""
    x = Parameter("x")
    qc = QuantumCircuit(1)
    qc.ry(x, 0)
    qc.append(gate, [0])
    return qc, x


def _check_against_statevector(qc: QuantumCircuit, x: Parameter, value: float, atol: float = 1e-10) -> None:
    ec = compile(qc, [x], [])
    xt = torch.tensor([[value]], dtype=torch.float64)
    w = torch.zeros(0, dtype=torch.float64)
    ref_state = Statevector(qc.assign_parameters({x: value}))
    np.testing.assert_allclose(ec.statevector(xt, w).numpy()[0], ref_state.data, atol=atol, rtol=0)
    z = ec.expectation(xt, w, _Z0)
    np.testing.assert_allclose(z.numpy()[0, 0], ref_state.expectation_value(_Z0[0]).real, atol=atol)


@pytest.mark.parametrize("order", [("h", "x"), ("x", "h")])
def test_same_named_custom_gates_with_different_definitions(order: tuple[str, str]) -> None:
    clear_cache()
    for inner in order:
        qc, x = _with_gate(_custom_gate(inner))
        _check_against_statevector(qc, x, 0.3)


def _unitary(eps: float) -> UnitaryGate:
    """A real rotation by ``1.234567890123 + eps``; a small ``eps`` hides beyond ``str``'s digits."""
    t = 1.234567890123 + eps
    return UnitaryGate(np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]), check_input=False)


@pytest.mark.parametrize("eps", [3e-9, 3e-12])
def test_unitary_gates_differing_beyond_printed_digits(eps: float) -> None:
    """``str`` of a matrix shows 8 digits; 3e-12 changes the 12th. Both are single-gate products in float64
    (error ~1e-16), so a tolerance of 1e-13 sees a 3e-12 change."""
    clear_cache()
    a, b = _unitary(0.0), _unitary(eps)
    assert str(a.params[0]) == str(b.params[0])
    for gate in (a, b):
        qc, x = _with_gate(gate)
        _check_against_statevector(qc, x, 0.7, atol=1e-13)


def test_unitary_gates_that_print_alike_but_differ_are_compiled_separately() -> None:
    clear_cache()
    qc_a, x_a = _with_gate(_unitary(0.0))
    qc_b, x_b = _with_gate(_unitary(3e-12))
    assert compile(qc_a, [x_a], []) is not compile(qc_b, [x_b], [])
    qc_c, x_c = _with_gate(_unitary(0.0))
    assert compile(qc_c, [x_c], []) is compile(qc_a, [x_a], [])


def test_identical_circuits_built_twice_share_one_compilation() -> None:
    clear_cache()
    qc_a, x_a = _with_gate(_custom_gate("h"))
    qc_b, x_b = _with_gate(_custom_gate("h"))
    assert compile(qc_a, [x_a], []) is compile(qc_b, [x_b], [])
