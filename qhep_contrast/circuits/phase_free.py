"""Rewrite gates whose translation to IBM bases adds a parameter-dependent global phase.

Qiskit's ``BasisTranslator`` tracks the global phase of every substitution. For ``u``, ``p`` and ``cp`` with
parametrized angles that phase is a ``ParameterExpression`` (``U(theta, phi, lam) = e^{i(phi + lam)/2}
RZ(phi) RY(theta) RZ(lam)``), and the circuit's phase becomes a sum with one term per gate. Adding terms
to that sum is super-linear in Qiskit 2.6's symbolic engine (Qiskit issue #16520): the 8-qubit QCNN, with
52 ``u`` gates, never finished translating in minutes while 64 of its instructions took 0.08 s.

A global phase is unobservable, so before transpiling we replace those gates by products of ``rz``, ``ry``
and ``cx`` that equal them up to a global phase:

- ``u(theta, phi, lam)`` -> ``rz(lam)``, ``ry(theta)``, ``rz(phi)``               (phase ``(phi + lam)/2``)
- ``p(lam)``             -> ``rz(lam)``                                       (phase ``lam/2``)
- ``cp(lam)`` on (c, t)  -> ``rz(lam/2)_c``, ``cx``, ``rz(-lam/2)_t``, ``cx``, ``rz(lam/2)_t``   (phase ``lam/4``)

Angles stay the same ``ParameterExpression`` objects, so the result is still parametrized over the same
parameters. Constant global phases are kept; controlled versions of the rewritten circuit would differ.
"""

from __future__ import annotations

from qiskit.circuit import QuantumCircuit

__all__ = ["PHASE_GATES", "without_parametric_phases"]

PHASE_GATES: frozenset[str] = frozenset({"u", "p", "cp"})
"""Gates rewritten by :func:`without_parametric_phases` when one of their angles is parametrized."""


def without_parametric_phases(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with parametrized ``u``, ``p`` and ``cp`` rewritten (equal up to a global phase).

    Args:
        circuit: any circuit (not modified). Gates with numeric angles, and all other instructions, are
            copied unchanged, including measurements and registers.

    Returns:
        A new circuit; ``circuit`` itself when nothing needed rewriting.
    """
    if not any(_needs_rewrite(instruction.operation) for instruction in circuit.data):
        return circuit
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if not _needs_rewrite(operation):
            out.append(instruction)
            continue
        qubits = instruction.qubits
        if operation.name == "u":
            theta, phi, lam = operation.params
            out.rz(lam, qubits[0])
            out.ry(theta, qubits[0])
            out.rz(phi, qubits[0])
        elif operation.name == "p":
            out.rz(operation.params[0], qubits[0])
        else:  # cp
            (lam,) = operation.params
            control, target = qubits
            out.rz(lam / 2, control)
            out.cx(control, target)
            out.rz(-lam / 2, target)
            out.cx(control, target)
            out.rz(lam / 2, target)
    return out


def _needs_rewrite(operation) -> bool:
    """A ``u``/``p``/``cp`` gate (not a controlled or conditioned variant) with a parametrized angle."""
    if operation.name not in PHASE_GATES:
        return False
    return any(hasattr(param, "parameters") and param.parameters for param in operation.params)
