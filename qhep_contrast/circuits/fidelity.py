"""Fidelity circuits and estimators for ``F(x1, x2) = |<psi(x1)|psi(x2)>|^2``, ``|psi(x)> = U(x; w)|0>``.

Three constructions (construct here, run with any executor, post-process with the helpers below):

- :func:`swap_test`: ``2n + 1`` qubits, ``F = 2 P(ancilla = 0) - 1``.
- :func:`compute_uncompute`: ``n`` qubits, ``U(x2)^dagger U(x1)``, ``F = P(0...0)``.
- :func:`destructive_swap_test`: ``2n`` qubits, no ancilla and no CSWAP, ``F = E[prod_i (-1)^(a_i b_i)]``.

In every circuit the inputs are two ``ParameterVector`` s ``"x1"`` and ``"x2"`` (``x1`` first) substituted
for the encoding's inputs, and the encoding's weights are shared by both copies (the same ``Parameter``
objects, so each weight is bound once). With ``measure=False`` the circuits are unitary (the exact engine
runs them; read probabilities); with ``measure=True`` they measure what the estimator needs into a
classical register named ``"meas"`` (for Sampler V2: ``result.data.meas``).

On hardware, compute-uncompute is by far the cheapest (40 two-qubit gates against 220-236 for the swap test
on an 8-qubit, 2-layer ansatz transpiled for fake Heron and Eagle backends, measured for this project).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from qiskit.circuit import ClassicalRegister, Parameter, ParameterVector, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.circuits._checks import check_bool, check_int
from qhep_contrast.circuits.spec import CircuitSpec, z_observables
from qhep_contrast.exceptions import CircuitError, ShapeError

__all__ = [
    "swap_test",
    "compute_uncompute",
    "destructive_swap_test",
    "swap_test_fidelity",
    "compute_uncompute_fidelity",
    "destructive_swap_parities",
    "destructive_swap_fidelity",
]

_NON_UNITARY = {"measure", "reset", "delay", "initialize"}


def _two_copies(
    spec: CircuitSpec, builder: str
) -> tuple[ParameterVector, ParameterVector, QuantumCircuit, QuantumCircuit]:
    """``(x1, x2, U(x1), U(x2))`` with the weights shared; validates that ``spec`` is a usable encoding."""
    if not spec.inputs:
        raise CircuitError(
            f"{builder}: {spec.name!r} has no inputs, so both copies are the same state and F = 1; pass an "
            "encoding circuit (inputs 'x'), e.g. compose(angle_encoder(n), hardware_efficient(n))."
        )
    found = {instruction.operation.name for instruction in spec.circuit.data} & _NON_UNITARY
    if found or spec.circuit.num_clbits:
        raise CircuitError(
            f"{builder}: the encoding {spec.name!r} must be unitary; it has {sorted(found) or 'classical bits'}. "
            "Build it without measurements; this function adds the ones the estimator needs."
        )
    x1 = ParameterVector("x1", spec.num_inputs)
    x2 = ParameterVector("x2", spec.num_inputs)
    taken = {p.name for p in spec.weights} & {p.name for p in (*x1, *x2)}
    if taken:
        raise CircuitError(
            f"{builder}: weights {sorted(taken)} of {spec.name!r} collide with the input names 'x1'/'x2' of the "
            "fidelity circuit; rename those weights."
        )
    copies = [spec.circuit.assign_parameters(dict(zip(spec.inputs, xs)), inplace=False) for xs in (x1, x2)]
    return x1, x2, copies[0], copies[1]


def _inverse(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit.inverse()`` with ``sxdg`` (outside the engine's gate set) rewritten as ``H Sdg H``."""
    inverse = circuit.inverse()
    out = inverse.copy_empty_like()
    for instruction in inverse.data:
        if instruction.operation.name == "sxdg":
            (qubit,) = instruction.qubits
            out.h(qubit)
            out.sdg(qubit)
            out.h(qubit)
        else:
            out.append(instruction)
    return out


def _finish(
    circuit: QuantumCircuit,
    spec: CircuitSpec,
    inputs: tuple[Parameter, ...],
    measured: list[int] | None,
    observables: tuple[SparsePauliOp, ...],
    metadata: dict,
) -> CircuitSpec:
    """Measure ``measured`` qubits into ``meas`` (none: unitary circuit with ``observables``) and wrap up."""
    if measured is not None:
        circuit.add_register(ClassicalRegister(len(measured), "meas"))
        circuit.measure(measured, range(len(measured)))
    return CircuitSpec(
        circuit=circuit,
        inputs=inputs,
        weights=spec.weights,
        observables=() if measured is not None else observables,
        name=circuit.name,
        metadata={**metadata, "measure": measured is not None, "encoding_name": spec.name, "encoding": spec.metadata},
    )


def swap_test(spec: CircuitSpec, measure: bool = True) -> CircuitSpec:
    """Swap test between ``U(x1)|0>`` and ``U(x2)|0>`` (Buhrman, Cleve, Watrous, de Wolf 2001).

    Qubit 0 is the ancilla, qubits ``1 .. n`` hold ``U(x1)|0>``, qubits ``n+1 .. 2n`` hold ``U(x2)|0>``::

        q0:          ───────────H──■───...──■──H──M
        q1 .. qn:    ─[U(x1)]──────X───...──┼─────      CSWAP(0, 1+i, n+1+i), i = 0..n-1
        qn+1 .. q2n: ─[U(x2)]──────X───...──X─────

    ``P(ancilla = 0) = (1 + F) / 2``, so ``F = 2 P(ancilla = 0) - 1 = <Z_0>`` (see :func:`swap_test_fidelity`).
    With ``measure=False`` the observable ``Z_0`` is attached, so an estimator returns ``F`` directly.
    Parameters: inputs ``2 * spec.num_inputs`` (``x1`` then ``x2``), the same weights as ``spec``.

    Args:
        spec: the encoding ``U(x; w)`` (unitary, at least one input).
        measure: measure the ancilla into ``meas[0]``.

    Raises:
        CircuitError: ``spec`` has no inputs, is not unitary, or has weights named like ``x1``/``x2``.
    """
    check_bool("measure", measure)
    x1, x2, first, second = _two_copies(spec, "swap_test")
    n = spec.num_qubits
    circuit = QuantumCircuit(2 * n + 1, name=f"swap_test_{spec.name}")
    circuit.compose(first, qubits=range(1, n + 1), inplace=True)
    circuit.compose(second, qubits=range(n + 1, 2 * n + 1), inplace=True)
    circuit.h(0)
    for i in range(n):
        circuit.cswap(0, 1 + i, n + 1 + i)
    circuit.h(0)
    return _finish(
        circuit,
        spec,
        (*x1, *x2),
        [0] if measure else None,
        z_observables(2 * n + 1, [0]),
        {
            "builder": "swap_test",
            "estimator": "F = 2 P(ancilla=0) - 1",
            "ancilla": 0,
            "registers": [list(range(1, n + 1)), list(range(n + 1, 2 * n + 1))],
        },
    )


def compute_uncompute(spec: CircuitSpec, measure: bool = True) -> CircuitSpec:
    """Compute-uncompute overlap circuit ``U(x2)^dagger U(x1)`` on ``n`` qubits (Havlicek et al. 2019).

    ::

        q0 .. q(n-1): ─[U(x1)]─[U(x2)^dagger]─M

    ``P(0...0) = |<0|U(x2)^dagger U(x1)|0>|^2 = F`` (see :func:`compute_uncompute_fidelity`). The inverse
    stays within :data:`~qhep_contrast.circuits.ENGINE_GATES`: Qiskit's ``QuantumCircuit.inverse``, with each
    ``sxdg`` rewritten as ``H Sdg H`` (exact: ``SX = H S H``). No observable is attached (the projector on
    ``|0...0>`` has ``2**n`` Pauli terms): read ``F`` as the probability of basis state 0. Parameters: inputs
    ``x1`` then ``x2``, the weights of ``spec``.

    Args:
        spec: the encoding ``U(x; w)`` (unitary, at least one input).
        measure: measure every qubit ``q`` into ``meas[q]``.

    Raises:
        CircuitError: ``spec`` has no inputs, is not unitary, or has weights named like ``x1``/``x2``.
    """
    check_bool("measure", measure)
    x1, x2, first, second = _two_copies(spec, "compute_uncompute")
    circuit = first.compose(_inverse(second))
    circuit.name = f"compute_uncompute_{spec.name}"
    measured = list(range(spec.num_qubits)) if measure else None
    metadata = {"builder": "compute_uncompute", "estimator": "F = P(0...0)"}
    return _finish(circuit, spec, (*x1, *x2), measured, (), metadata)


def destructive_swap_test(spec: CircuitSpec, measure: bool = True) -> CircuitSpec:
    """Destructive swap test: the swap test without ancilla or CSWAP (Garcia-Escartin, Chamorro-Posada 2013).

    Qubits ``0 .. n-1`` (register ``a``) hold ``U(x1)|0>``, qubits ``n .. 2n-1`` (register ``b``) hold
    ``U(x2)|0>``; a Bell-basis measurement of each pair ``(a_i, b_i)``::

        a_i = q_i:     ─[U(x1)]──■──H──M
        b_i = q_(n+i): ─[U(x2)]──X─────M

    The swap operator is ``prod_i (-1)^(a_i AND b_i)`` in this basis, and ``F = <SWAP>``, so ``F`` is the mean
    over shots of that parity (see :func:`destructive_swap_parities` and :func:`destructive_swap_fidelity`).
    No observable is attached (its Pauli form has ``4**n`` terms). Parameters: inputs ``x1`` then ``x2``,
    the weights of ``spec``.

    Args:
        spec: the encoding ``U(x; w)`` (unitary, at least one input).
        measure: measure every qubit ``q`` into ``meas[q]``.

    Raises:
        CircuitError: ``spec`` has no inputs, is not unitary, or has weights named like ``x1``/``x2``.
    """
    check_bool("measure", measure)
    x1, x2, first, second = _two_copies(spec, "destructive_swap_test")
    n = spec.num_qubits
    circuit = QuantumCircuit(2 * n, name=f"destructive_swap_test_{spec.name}")
    circuit.compose(first, qubits=range(n), inplace=True)
    circuit.compose(second, qubits=range(n, 2 * n), inplace=True)
    for i in range(n):
        circuit.cx(i, n + i)
        circuit.h(i)
    return _finish(
        circuit,
        spec,
        (*x1, *x2),
        list(range(2 * n)) if measure else None,
        (),
        {
            "builder": "destructive_swap_test",
            "estimator": "F = mean_shots prod_i (-1)^(a_i AND b_i)",
            "registers": [list(range(n)), list(range(n, 2 * n))],
        },
    )


def swap_test_fidelity(p_ancilla0: ArrayLike) -> np.ndarray:
    """Swap-test estimate ``F = 2 * P(ancilla = 0) - 1``.

    With a finite number of shots the estimate can fall below 0; it is returned unclipped (unbiased).

    Args:
        p_ancilla0: probability (or observed frequency) of ancilla outcome 0, any shape.

    Returns:
        ``F`` as a float array of the same shape (0-d for a scalar).
    """
    return 2.0 * np.asarray(p_ancilla0, dtype=float) - 1.0


def compute_uncompute_fidelity(p_zero: ArrayLike) -> np.ndarray:
    """Compute-uncompute estimate ``F = P(0...0)``, the probability of the all-zeros outcome.

    Args:
        p_zero: probability (or observed frequency) of basis state 0, any shape.

    Returns:
        ``F`` as a float array of the same shape (0-d for a scalar).
    """
    return np.asarray(p_zero, dtype=float).copy()


def destructive_swap_parities(num_qubits: int) -> np.ndarray:
    """Parity ``prod_i (-1)^(a_i AND b_i)`` of every basis state of the destructive swap test.

    Basis index ``z`` of the ``2n`` qubits has ``a_i = `` bit ``i`` and ``b_i = `` bit ``n + i`` (Qiskit
    order). For probabilities ``P`` of shape ``(B, 4**n)`` from a ``measure=False`` circuit,
    ``F = P @ destructive_swap_parities(n)``.

    Args:
        num_qubits: ``n``, the width of one register, at least 1.

    Returns:
        Float array of shape ``(4**n,)`` with entries ``+1`` or ``-1``.
    """
    check_int("num_qubits", num_qubits, 1)
    index = np.arange(4**num_qubits)
    a, b = index & (2**num_qubits - 1), index >> num_qubits
    parity = np.zeros_like(index)
    for bit in range(num_qubits):
        parity ^= (a >> bit) & (b >> bit) & 1
    return 1.0 - 2.0 * parity


def destructive_swap_fidelity(counts: Mapping[str, int | float], num_qubits: int) -> float:
    """Destructive-swap estimate ``F = sum_z counts[z] * parity(z) / sum_z counts[z]`` from sampler counts.

    Args:
        counts: outcome counts keyed by bitstrings of ``2n`` bits, most significant (highest classical bit)
            first, as ``BitArray.get_counts()`` returns them; spaces between registers are ignored.
        num_qubits: ``n``, the width of one register.

    Returns:
        The estimate of ``F`` (in ``[-1, 1]``; unclipped).

    Raises:
        ShapeError: a key is not a bitstring of length ``2n``, or there are no counts.
    """
    parities = destructive_swap_parities(num_qubits)
    total = weighted = 0.0
    for key, count in counts.items():
        bits = key.replace(" ", "")
        if len(bits) != 2 * num_qubits or set(bits) - {"0", "1"}:
            raise ShapeError(
                f"destructive_swap_fidelity: outcome {key!r} is not a bitstring of length 2n = {2 * num_qubits}; "
                "pass the counts of a destructive_swap_test circuit built on the same n."
            )
        total += count
        weighted += count * parities[int(bits, 2)]
    if total <= 0:
        raise ShapeError("destructive_swap_fidelity: counts are empty (no shots); run the circuit first.")
    return weighted / total
