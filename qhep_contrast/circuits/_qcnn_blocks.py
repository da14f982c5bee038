"""Convolution and pooling blocks of the QCNN (see :func:`qhep_contrast.circuits.ansatze.qcnn`)."""

from __future__ import annotations

from collections.abc import Sequence

from qiskit.circuit import Parameter, QuantumCircuit

CONV_BLOCKS: dict[str, int] = {"su4": 15, "ry_cx": 4}
"""Convolution block name -> number of weights."""

POOL_WEIGHTS = 2


def conv_pairs(active: Sequence[int]) -> list[tuple[int, int]]:
    """Convolution pairs over the active qubits: even neighbours, odd neighbours, then the closing pair.

    ``m = len(active)`` pairs for ``m > 2``, one pair for ``m = 2``.
    """
    count = len(active)
    pairs = [(active[i], active[i + 1]) for i in range(0, count - 1, 2)]
    pairs += [(active[i], active[i + 1]) for i in range(1, count - 1, 2)]
    if count > 2:
        pairs.append((active[-1], active[0]))
    return pairs


def append_conv(circuit: QuantumCircuit, conv: str, weights: Sequence[Parameter], pair: tuple[int, int]) -> None:
    """Append the convolution block ``conv`` with ``CONV_BLOCKS[conv]`` ``weights`` on ``pair = (a, b)``.

    ``"su4"`` (Vatan and Williams 2004, universal up to phase): ``U3(w0..2) a, U3(w3..5) b, CX(b,a), RZ(w6) a,
    RY(w7) b, CX(a,b), RY(w8) b, CX(b,a), U3(w9..11) a, U3(w12..14) b``.
    ``"ry_cx"``: ``RY(w0) a, RY(w1) b, CX(a,b), RY(w2) a, RY(w3) b``.
    """
    a, b = pair
    if conv == "ry_cx":
        circuit.ry(weights[0], a)
        circuit.ry(weights[1], b)
        circuit.cx(a, b)
        circuit.ry(weights[2], a)
        circuit.ry(weights[3], b)
        return
    circuit.u(*weights[0:3], a)
    circuit.u(*weights[3:6], b)
    circuit.cx(b, a)
    circuit.rz(weights[6], a)
    circuit.ry(weights[7], b)
    circuit.cx(a, b)
    circuit.ry(weights[8], b)
    circuit.cx(b, a)
    circuit.u(*weights[9:12], a)
    circuit.u(*weights[12:15], b)


def append_pool(circuit: QuantumCircuit, weights: Sequence[Parameter], pair: tuple[int, int]) -> None:
    """Append a measurement-free pooling block on ``pair = (discarded, kept)`` with 2 ``weights``.

    ``CRZ(w0)`` from the discarded to the kept qubit, ``X`` on the discarded qubit, ``CRX(w1)`` likewise: the
    kept qubit is rotated about Z if the discarded qubit is 1 and about X if it is 0. The discarded qubit
    is not flipped back: nothing acts on it afterwards, so the kept qubits' state is the same.
    """
    discarded, kept = pair
    circuit.crz(weights[0], discarded, kept)
    circuit.x(discarded)
    circuit.crx(weights[1], discarded, kept)
