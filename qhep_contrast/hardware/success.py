"""Estimated success probability of an ISA circuit from the error rates in a backend's ``Target``.

The estimate is the probability that no gate, measurement or reset of the circuit fails, with independent
failures at the calibrated rates::

    ESP = prod_{instructions k} (1 - e_k),      e_k = target[name_k][qargs_k].error

(the figure of merit of Nishio et al., "Extracting success from IBM's 20-qubit machines using error-aware
compilation", ACM JETC 16, 32 (2020), and of ``mapomatic``). Idle decoherence and crosstalk are not modelled,
so it is an optimistic ranking score for layouts and compilations, not a prediction of a fidelity.

Device snapshots mark broken couplers with error 1: a circuit using one has an estimate of exactly 0.

Missing error entries are treated as error-free (``e = 0``) and counted in :attr:`ErrorBudget.missing`:
an instruction whose ``InstructionProperties`` is ``None`` or has ``error=None`` (IBM targets give virtual
``rz`` an error of 0 and leave ``delay`` without one). Directives (``barrier``) and ``delay`` carry no error.
An instruction the target does not support on those qubits at all means the circuit is not an ISA circuit
for this target: that raises :class:`~qhep_contrast.exceptions.CircuitError`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from qiskit.circuit import QuantumCircuit
from qiskit.transpiler import Target

from qhep_contrast.exceptions import CircuitError

__all__ = ["ErrorBudget", "error_budget", "estimated_success_probability", "instruction_error"]

_NO_ERROR = frozenset({"barrier", "delay"})
_CONTROL_FLOW = frozenset({"if_else", "for_loop", "while_loop", "switch_case", "box"})


@dataclass(frozen=True)
class ErrorBudget:
    """Where the estimated failure probability of a circuit comes from.

    Attributes:
        success_probability: ``prod_k (1 - e_k)`` over every instruction ``k``.
        log_success: ``sum_k log(1 - e_k)`` per instruction name (``-inf`` if some ``e_k = 1``).
        missing: instruction name -> how many instructions had no error entry (treated as ``e = 0``).
    """

    success_probability: float
    log_success: dict[str, float] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)


def _unsupported(name: str, qargs: Sequence[int]) -> CircuitError:
    return CircuitError(
        f"instruction {name!r} on physical qubits {list(qargs)} is not supported by the target; "
        "estimate the success of an ISA circuit: transpile it for this backend first."
    )


def _properties_table(target: Target, name: str) -> dict:
    """``qargs -> InstructionProperties or None`` of instruction ``name`` (``None`` key: any qubits)."""
    if name not in target:
        raise _unsupported(name, ())
    return dict(target[name].items())


def _lookup_error(table: dict, name: str, qargs: tuple[int, ...]) -> float | None:
    if qargs in table:
        properties = table[qargs]
    elif None in table:  # a global instruction, defined on every qubit tuple
        properties = table[None]
    else:
        raise _unsupported(name, qargs)
    return None if properties is None else properties.error


def instruction_error(target: Target, name: str, qargs: Sequence[int]) -> float | None:
    """Error rate of instruction ``name`` on physical qubits ``qargs``, or ``None`` when the target has none.

    Args:
        target: the backend's target.
        name: instruction name as in the target (``"cz"``, ``"sx"``, ``"measure"``, ...).
        qargs: physical qubit indices, in the instruction's order.

    Raises:
        CircuitError: the target does not support ``name`` on ``qargs``.
    """
    return _lookup_error(_properties_table(target, name), name, tuple(qargs))


def error_budget(circuit: QuantumCircuit, target: Target) -> ErrorBudget:
    """The :class:`ErrorBudget` of an ISA ``circuit`` (physical qubits = circuit qubit indices).

    Args:
        circuit: a circuit transpiled for ``target`` (parameters may be unbound: errors do not depend on angles).
        target: the backend's target, read for ``target[name][qargs].error``.

    Raises:
        CircuitError: an instruction is not supported by ``target`` (not an ISA circuit), or it is a
            control-flow block (not estimated).
    """
    index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
    tables: dict[str, dict] = {}
    log_success: dict[str, float] = {}
    missing: Counter[str] = Counter()
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        if name in _NO_ERROR or getattr(operation, "_directive", False):
            continue
        if name in _CONTROL_FLOW:
            raise CircuitError(
                f"error_budget: control-flow instruction {name!r} is not estimated; "
                "pass a circuit without classical control flow."
            )
        if name not in tables:
            tables[name] = _properties_table(target, name)
        error = _lookup_error(tables[name], name, tuple(index[qubit] for qubit in instruction.qubits))
        if error is None:
            missing[name] += 1
            error = 0.0
        log_success[name] = log_success.get(name, 0.0) + (math.log1p(-error) if error < 1.0 else -math.inf)
    return ErrorBudget(math.exp(sum(log_success.values())), log_success, dict(missing))


def estimated_success_probability(circuit: QuantumCircuit, target: Target) -> float:
    """``prod_k (1 - e_k)`` over the gates, measurements and resets of an ISA circuit (see the module doc).

    Args:
        circuit: a circuit transpiled for ``target``.
        target: the backend's target.

    Returns:
        A probability in ``[0, 1]``; exactly 1 when every error is 0 or missing.
    """
    return error_budget(circuit, target).success_probability
