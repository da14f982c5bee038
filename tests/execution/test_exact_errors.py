"""Error cases of the exact engine: unsupported instructions, wrong shapes, unbound parameters."""

from __future__ import annotations

import pytest
import torch
from qiskit.circuit import Parameter, ParameterVector, QuantumCircuit

from qhep_contrast.exceptions import QHEPError, ShapeError, UnboundParameterError, UnsupportedInstructionError
from qhep_contrast.execution.exact import compile, fidelity


def _simple():
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 1)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.ry(x[1], 1)
    qc.cx(0, 1)
    qc.rz(w[0], 1)
    return qc, list(x), list(w)


@pytest.mark.parametrize("instruction", ["measure", "reset"])
def test_unsupported_instruction_names_it_and_suggests_aer(instruction: str) -> None:
    qc = QuantumCircuit(1, 1)
    qc.h(0)
    qc.measure(0, 0) if instruction == "measure" else qc.reset(0)
    with pytest.raises(UnsupportedInstructionError, match=instruction) as info:
        compile(qc, [], [])
    assert "aer" in str(info.value)
    assert isinstance(info.value, QHEPError) and isinstance(info.value, NotImplementedError)


def test_unsupported_inside_composite_names_the_outer_instruction() -> None:
    qc = QuantumCircuit(1)
    qc.initialize([0, 1], 0)
    with pytest.raises(UnsupportedInstructionError, match="initialize"):
        compile(qc, [], [])


def test_unbound_parameter() -> None:
    qc, x, w = _simple()
    qc.rx(Parameter("theta"), 0)
    with pytest.raises(UnboundParameterError, match="theta"):
        compile(qc, x, w)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "match"),
    [((3,), (1,), r"\(B, 2\)"), ((3, 3), (1,), r"\(B, 2\)"), ((3, 2), (2,), r"\(1,\)"), ((3, 2), (1, 1), r"\(1,\)")],
)
def test_wrong_shapes(x_shape, w_shape, match) -> None:
    qc, x, w = _simple()
    ec = compile(qc, x, w)
    with pytest.raises(ShapeError, match=match):
        ec.statevector(torch.zeros(x_shape), torch.zeros(w_shape))


def test_non_tensor_and_complex_inputs() -> None:
    qc, x, w = _simple()
    ec = compile(qc, x, w)
    with pytest.raises(ShapeError, match="torch tensors"):
        ec.statevector([[0.0, 0.0]], torch.zeros(1))
    with pytest.raises(ShapeError, match="real"):
        ec.statevector(torch.zeros(1, 2, dtype=torch.complex64), torch.zeros(1))


def test_observable_width_mismatch() -> None:
    from qiskit.quantum_info import SparsePauliOp

    qc, x, w = _simple()
    ec = compile(qc, x, w)
    with pytest.raises(ShapeError, match="3 qubits"):
        ec.expectation(torch.zeros(1, 2), torch.zeros(1), [SparsePauliOp("ZZZ")])


def test_fidelity_shape_mismatch() -> None:
    with pytest.raises(ShapeError, match="equal shape"):
        fidelity(torch.zeros(2, 4, dtype=torch.complex64), torch.zeros(3, 4, dtype=torch.complex64))


def test_non_polynomial_angle_is_evaluated() -> None:
    """sin(x) angles go through the sympy-to-torch fallback and stay exact."""
    import numpy as np
    from qiskit.quantum_info import Statevector

    x = Parameter("x")
    qc = QuantumCircuit(1)
    qc.ry(x.sin() * 2 + x.exp(), 0)
    ec = compile(qc, [x], [])
    psi = ec.statevector(torch.tensor([[0.4]], dtype=torch.float64), torch.zeros(0, dtype=torch.float64))
    ref = Statevector(qc.assign_parameters({x: 0.4})).data
    np.testing.assert_allclose(psi[0].numpy(), ref, atol=1e-12)
