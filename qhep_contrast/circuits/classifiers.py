"""Small quantum classifiers whose output is the distribution of one readout qubit."""

from __future__ import annotations

from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.circuits._checks import check_int
from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["QSSL_PAIRS", "QSSL_READOUT", "qssl_classifier"]

QSSL_PAIRS: tuple[tuple[int, int], ...] = ((0, 1), (2, 3), (1, 2))
"""The entangled pairs of :func:`qssl_classifier`, in application order."""

QSSL_READOUT = 4
"""The readout qubit of :func:`qssl_classifier`."""


def qssl_classifier(num_layers: int = 2) -> CircuitSpec:
    """The 5-qubit two-class quantum classifier of Tran et al. (2025), as a Qiskit circuit.

    ``L = num_layers``; one layer of a pair ``(a, b)`` is ``RX(w) a; RX(w') b; CX(a, b)``::

        q0: ─RX(x0)─[L layers on (0,1)]─────────────────────■───────────────
        q1: ─RX(x1)─[L layers on (0,1)]──[L layers on (1,2)]─┼──■────────────
        q2: ─RX(x2)─[L layers on (2,3)]──[L layers on (1,2)]─┼──┼──■─────────
        q3: ─RX(x3)─[L layers on (2,3)]──────────────────────┼──┼──┼──■──────
        q4: ─────────────────────────────────────────────────X──X──X──X─ readout

    All ``L`` layers act on ``(0, 1)``, then on ``(2, 3)``, then on ``(1, 2)``; the CX fan-in writes the
    parity of qubits 0-3 onto qubit 4 (initially ``|0>``), whose two outcome probabilities are the class
    distribution (read them with ``QuantumLayer(output="marginals", readout_qubits=(4,))``).

    Weights: ``3 * L * 2``, ``w[(p * L + l) * 2 + j]`` for pair ``p`` of :data:`QSSL_PAIRS`, layer ``l`` and
    the pair's ``j``-th qubit (12 for ``L = 2``). Inputs: the 4 encoding angles. Observable: ``Z_4``
    (``<Z_4> = p_0 - p_1``).

    Reference: M.-H. Tran, N.-H. Nguyen, P.-N. Nguyen, H.-S. Ngo, "Self-supervision with quantum
    classifiers", Nonlinear Theory and Its Applications, IEICE 16(3), 777-786 (2025).

    Args:
        num_layers: ``L``, at least 1.

    Raises:
        CircuitError: ``num_layers`` out of range.
    """
    check_int("num_layers", num_layers, 1)
    x = ParameterVector("x", 4)
    w = ParameterVector("w", len(QSSL_PAIRS) * num_layers * 2)
    circuit = QuantumCircuit(5, name="qssl_classifier")
    for qubit in range(4):
        circuit.rx(x[qubit], qubit)
    for p, (a, b) in enumerate(QSSL_PAIRS):
        for layer in range(num_layers):
            circuit.rx(w[(p * num_layers + layer) * 2], a)
            circuit.rx(w[(p * num_layers + layer) * 2 + 1], b)
            circuit.cx(a, b)
    for qubit in range(4):
        circuit.cx(qubit, QSSL_READOUT)
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(x),
        weights=tuple(w),
        observables=(SparsePauliOp("ZIIII"),),
        name=f"qssl_{num_layers}l",
        metadata={"builder": "qssl_classifier", "num_layers": num_layers, "readout_qubits": [QSSL_READOUT]},
    )
