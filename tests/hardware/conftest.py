"""Shared fixtures of the hardware tests: hand-made targets and one small fake backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from qiskit.circuit import Measure, Parameter
from qiskit.circuit.library import CZGate, RZGate, SXGate, XGate
from qiskit.transpiler import InstructionProperties, Target


def line_target(
    num_qubits: int,
    cz_errors: Mapping[tuple[int, int], float | None],
    sx_errors: Sequence[float | None] | None = None,
    measure_errors: Sequence[float | None] | None = None,
    durations: bool = True,
) -> Target:
    """A target with ``cz`` on the given pairs (both directions), ``sx``/``x``/``rz`` and ``measure`` everywhere."""
    sx_errors = sx_errors if sx_errors is not None else [0.0] * num_qubits
    measure_errors = measure_errors if measure_errors is not None else [0.0] * num_qubits

    def props(error: float | None, duration: float) -> InstructionProperties:
        return InstructionProperties(error=error, duration=duration if durations else None)

    target = Target(num_qubits=num_qubits)
    target.add_instruction(SXGate(), {(q,): props(sx_errors[q], 3.2e-8) for q in range(num_qubits)})
    target.add_instruction(XGate(), {(q,): props(sx_errors[q], 3.2e-8) for q in range(num_qubits)})
    target.add_instruction(RZGate(Parameter("t")), {(q,): props(0.0, 0.0) for q in range(num_qubits)})
    pairs = {}
    for (a, b), error in cz_errors.items():
        pairs[(a, b)] = props(error, 6.8e-8)
        pairs[(b, a)] = props(error, 6.8e-8)
    target.add_instruction(CZGate(), pairs)
    target.add_instruction(Measure(), {(q,): props(measure_errors[q], 1.6e-6) for q in range(num_qubits)})
    return target


@pytest.fixture(scope="session")
def manila():
    """``FakeManilaV2``: 5 qubits on a line, cx both directions, calibrated errors and durations."""
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()
