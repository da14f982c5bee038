"""Trainable ansätze: layered hardware-efficient, QCNN, QViT attention heads, quantum autoencoder.

Every builder returns a :class:`~qhep_contrast.circuits.spec.CircuitSpec` with no inputs and one weight
``ParameterVector`` named ``"w"``; prepend an encoder with :func:`~qhep_contrast.circuits.compose`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits._checks import check_bool, check_choice, check_choices, check_int
from qhep_contrast.circuits._layers import (
    ENTANGLEMENTS,
    ENTANGLERS,
    ROTATIONS,
    apply_entangler,
    apply_rotation,
    entangling_pairs,
)
from qhep_contrast.circuits._qcnn_blocks import CONV_BLOCKS, POOL_WEIGHTS, append_conv, append_pool, conv_pairs
from qhep_contrast.circuits.spec import CircuitSpec, z_observables

__all__ = ["MIRROR_SUFFIX", "hardware_efficient", "qcnn", "qvit_query_key", "qvit_value", "quantum_autoencoder"]

MIRROR_SUFFIX = "_inv"
"""A weight named ``<v>_inv[k]`` mirrors ``<v>[k]``: ``init="identity_blocks"`` starts it equal to ``<v>[k]``."""


def hardware_efficient(
    num_qubits: int = 8,
    num_layers: int = 3,
    rotations: Sequence[str] = ("ry", "rz"),
    entanglement: str = "ring",
    entangler: str = "cx",
    *,
    final_rotations: bool = False,
    mirrored: bool = False,
) -> CircuitSpec:
    """Layered hardware-efficient ansatz: rotation layers, then an entangling layer, repeated.

    One layer with the defaults (``n = 4`` shown)::

        q0: ─RY(w0)─RZ(w4)─■───────────X─
        q1: ─RY(w1)─RZ(w5)─X──■────────┼─
        q2: ─RY(w2)─RZ(w6)────X──■─────┼─
        q3: ─RY(w3)─RZ(w7)───────X─────■─

    Each layer applies every rotation in ``rotations`` to all qubits (all RY first, then all RZ), then the
    entangler on the pairs of ``entanglement``: ``ring`` is ``CX(i, (i+1) % n)`` for ``i = 0 .. n-1`` in that
    order, ``linear`` drops the closing ``CX(n-1, 0)``, ``full`` is every ``(i, j)``, ``i < j``. For ``n = 2``
    the ring's closing gate would repeat the pair (1, 0) after (0, 1), so ring equals linear there; for
    ``n = 1`` there is no entangler. ``final_rotations`` adds one more rotation layer after the last
    entangler (as in Qiskit's ``TwoLocal``).

    ``mirrored`` appends the inverse of the same layers with a second weight vector ``w_inv``:
    ``V(w_inv)^dagger V(w)``, an identity block when ``w_inv = w`` (E. Grant, L. Wossnig, M. Ostaszewski,
    M. Benedetti, "An initialization strategy for addressing barren plateaus in parametrized quantum
    circuits", Quantum 3, 214 (2019)); :class:`~qhep_contrast.qnn.QuantumLayer`'s ``init="identity_blocks"``
    draws ``w`` and starts ``w_inv`` equal to it, so the circuit starts as the identity with random, non-vanishing
    gradients.

    Weights: ``(L + final) * R * n`` for ``R = len(rotations)``, ordered layer, then rotation, then qubit:
    ``w[(l*R + r)*n + i]`` (then as many ``w_inv`` in the same order when mirrored). With the defaults,
    ``8 * 3 * 2 = 48``: this ansatz after ``angle_encoder(8, "ry")`` is benchmark W1. Observables: ``Z_i`` on
    every qubit.

    Args:
        num_qubits: ``n``, at least 1.
        num_layers: ``L``, at least 1.
        rotations: rotation axes per layer, names from ``rx``, ``ry``, ``rz``.
        entanglement: ``"ring"``, ``"linear"`` or ``"full"``.
        entangler: ``"cx"`` or ``"cz"``.
        final_rotations: append a last rotation layer after the last entangler.
        mirrored: append the inverse layers with their own weights ``w_inv`` (see above).

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_qubits", num_qubits, 1)
    check_int("num_layers", num_layers, 1)
    axes = check_choices("rotations", rotations, ROTATIONS)
    check_choice("entanglement", entanglement, ENTANGLEMENTS)
    check_choice("entangler", entangler, ENTANGLERS)
    check_bool("final_rotations", final_rotations)
    check_bool("mirrored", mirrored)
    rotation_layers = num_layers + int(final_rotations)
    pairs = entangling_pairs(num_qubits, entanglement)

    def layers(weights: ParameterVector) -> QuantumCircuit:
        block = QuantumCircuit(num_qubits, name="hardware_efficient")
        for layer in range(rotation_layers):
            for r, axis in enumerate(axes):
                for qubit in range(num_qubits):
                    apply_rotation(block, axis, weights[(layer * len(axes) + r) * num_qubits + qubit], qubit)
            if layer < num_layers:
                apply_entangler(block, entangler, pairs)
        return block

    w = ParameterVector("w", rotation_layers * len(axes) * num_qubits)
    circuit = layers(w)
    weights = tuple(w)
    if mirrored:
        w_inv = ParameterVector(f"w{MIRROR_SUFFIX}", len(w))
        circuit.compose(layers(w_inv).inverse(), inplace=True)
        weights += tuple(w_inv)
    return CircuitSpec(
        circuit=circuit,
        inputs=(),
        weights=weights,
        observables=z_observables(num_qubits),
        name=f"hea_{num_qubits}q_{num_layers}l" + ("_mirrored" if mirrored else ""),
        metadata={
            "builder": "hardware_efficient",
            "num_qubits": num_qubits,
            "num_layers": num_layers,
            "rotations": list(axes),
            "entanglement": entanglement,
            "entangler": entangler,
            "final_rotations": final_rotations,
            **({"mirrored": True} if mirrored else {}),
        },
    )


def qcnn(num_qubits: int = 8, num_remaining: int = 1, conv: str = "su4", share_weights: bool = True) -> CircuitSpec:
    """Quantum convolutional neural network with measurement-free pooling (Cong, Choi, Lukin 2019).

    Each layer acts on the ``m`` still-active qubits ``a_0 < a_1 < ...``:

    1. Convolution: a two-qubit block on ``(a_i, a_{i+1})`` for even ``i``, then for odd ``i``, then on the
       closing pair ``(a_{m-1}, a_0)`` when ``m > 2``: ``m`` blocks (1 block when ``m = 2``).
    2. Pooling of ``p = min(floor(m/2), m - r)`` pairs: qubit ``a_{2i+1}`` is discarded into ``a_{2i}`` by
       ``CRZ(w) (a_{2i+1} -> a_{2i})``, ``X(a_{2i+1})``, ``CRX(w) (a_{2i+1} -> a_{2i})`` (a rotation of the kept
       qubit conditioned on the discarded one being 1, then on it being 0), and is not touched again.

    Layers repeat until ``r = num_remaining`` qubits are active; the observables are ``Z`` on those qubits.
    With 4 qubits and ``r = 1``: convolution blocks on (0,1), (2,3), (1,2), (3,0), pooling 1 -> 0 and
    3 -> 2, then a block on (0,2) and pooling 2 -> 0 (C = convolution block, k/d = kept/discarded qubit)::

        q0: ─C───────C──k─────C──k─   <Z_0>
        q1: ─C──C───────d
        q2: ─C──C───────k─────C──d
        q3: ─C───────C──d

    Convolution blocks (``c`` weights each): ``"su4"``, ``c = 15``, the universal two-qubit circuit of
    Vatan and Williams (2004): ``U3 (x) U3, CX(b,a), RZ(a) RY(b), CX(a,b), RY(b), CX(b,a), U3 (x) U3``;
    ``"ry_cx"``, ``c = 4``: ``RY (x) RY, CX(a,b), RY (x) RY``. A pooling block has 2 weights.

    Weight count: ``D = ceil(log2(n / r))`` layers with ``m_0 = n``, ``m_{d+1} = m_d - p_d``. With
    ``share_weights`` (translation invariance, as in Cong et al.) one conv block and one pooling block per
    layer: ``D * (c + 2)`` weights (51 for the default 8 qubits). Without sharing:
    ``sum_d (b(m_d) * c + 2 * p_d)`` with ``b(m) = m`` for ``m > 2`` and ``b(2) = 1`` (209 for 8 qubits,
    ``su4``, ``r = 1``). Weight order: layer by layer, convolution weights then pooling weights.

    Reference: I. Cong, S. Choi, M. D. Lukin, "Quantum convolutional neural networks", Nat. Phys. 15, 1273
    (2019); pooling as in T. Hur, L. Kim, D. K. Park, Quantum Mach. Intell. 4, 3 (2022).

    Args:
        num_qubits: ``n``, at least 2.
        num_remaining: ``r`` in ``[1, n-1]``, the qubits left (and read) at the end.
        conv: ``"su4"`` or ``"ry_cx"``.
        share_weights: share one set of weights per layer among its blocks.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_qubits", num_qubits, 2)
    check_int("num_remaining", num_remaining, 1, num_qubits - 1)
    check_choice("conv", conv, CONV_BLOCKS)
    check_bool("share_weights", share_weights)
    schedule, remaining = _qcnn_schedule(num_qubits, num_remaining)
    block_size = CONV_BLOCKS[conv]
    # Distinct weight sets per layer for its (convolution, pooling) blocks: one each when shared.
    weight_sets = [
        (1, 1) if share_weights else (len(conv_pairs(active)), len(pooled)) for active, pooled in schedule
    ]
    w = ParameterVector("w", sum(c * block_size + p * POOL_WEIGHTS for c, p in weight_sets))
    circuit = QuantumCircuit(num_qubits, name="qcnn")
    start = 0
    for (active, pooled), (conv_sets, pool_sets) in zip(schedule, weight_sets):
        conv_end = start + conv_sets * block_size
        for index, pair in enumerate(conv_pairs(active)):
            offset = start + (index % conv_sets) * block_size
            append_conv(circuit, conv, w[offset : offset + block_size], pair)
        for index, pair in enumerate(pooled):
            offset = conv_end + (index % pool_sets) * POOL_WEIGHTS
            append_pool(circuit, w[offset : offset + POOL_WEIGHTS], pair)
        start = conv_end + pool_sets * POOL_WEIGHTS
    return CircuitSpec(
        circuit=circuit,
        inputs=(),
        weights=tuple(w),
        observables=z_observables(num_qubits, remaining),
        name=f"qcnn_{num_qubits}q_{conv}",
        metadata={
            "builder": "qcnn",
            "num_qubits": num_qubits,
            "num_remaining": num_remaining,
            "conv": conv,
            "share_weights": share_weights,
            "remaining_qubits": remaining,
        },
    )


def _qcnn_schedule(
    num_qubits: int, num_remaining: int
) -> tuple[list[tuple[list[int], list[tuple[int, int]]]], list[int]]:
    """Per layer the active qubits and the (discarded, kept) pooling pairs; and the qubits left at the end."""
    active = list(range(num_qubits))
    schedule = []
    while len(active) > num_remaining:
        count = min(len(active) // 2, len(active) - num_remaining)
        pooled = [(active[2 * i + 1], active[2 * i]) for i in range(count)]
        schedule.append((active, pooled))
        discarded = {d for d, _ in pooled}
        active = [q for q in active if q not in discarded]
    return schedule, active


def qvit_value(d: int = 4) -> CircuitSpec:
    """Value head of a quantum vision transformer: ``3d`` weights, reads every ``<Z_i>``.

    ::

        q0: ─RX(w0)─RY(w4)─■───────X─RY(w8)─
        q1: ─RX(w1)─RY(w5)─X─■─────┼─RY(w9)─
        q2: ─RX(w2)─RY(w6)───X─■───┼─RY(w10)
        q3: ─RX(w3)─RY(w7)─────X───■─RY(w11)    (d = 4)

    ``RX(w[i])``, ``RY(w[d+i])`` on every qubit, a CX ring ``CX(i, (i+1) % d)``, then ``RY(w[2d+i])``. Comajoan
    Cara et al. (and QSANN, Li et al.) give the counts ``3d`` (value) and ``3d + 1`` (query/key) but not a
    unique gate list; this is our concrete layout matching them. Prepend
    :func:`~qhep_contrast.circuits.token_loader` (``d`` inputs) to load a token.

    Reference: M. Comajoan Cara et al., "Quantum Vision Transformers for Quark-Gluon Classification", Axioms
    13, 323 (2024); G. Li, X. Zhao, X. Wang, "Quantum self-attention neural networks for text
    classification", Sci. China Inf. Sci. 67, 142501 (2024).

    Args:
        d: token dimension = number of qubits, at least 1.

    Raises:
        CircuitError: ``d`` is out of range.
    """
    return _qvit_head(d, query_key=False)


def qvit_query_key(d: int = 4) -> CircuitSpec:
    """Query/key head of a quantum vision transformer: ``3d + 1`` weights, reads ``<Z_0>``.

    ::

        q0: ─RX(w0)─RY(w4)─■───────X─RY(w8)──■───────X─RY(w12)─  <Z_0>
        q1: ─RX(w1)─RY(w5)─X─■─────┼─RY(w9)──X─■─────┼─────────
        q2: ─RX(w2)─RY(w6)───X─■───┼─RY(w10)───X─■───┼─────────
        q3: ─RX(w3)─RY(w7)─────X───■─RY(w11)─────X───■─────────    (d = 4)

    The value layout of :func:`qvit_value` (``3d`` weights), then a second CX ring that gathers the other
    qubits into qubit 0 and a final ``RY(w[3d])`` on qubit 0 before its readout (after the ring, so it does
    not merge with ``RY(w[2d])``). The query and key of a token are two such heads with separate weights;
    the attention score is a function of ``<Z_0>_q`` and ``<Z_0>_k`` (Comajoan Cara et al. 2024).

    Args:
        d: token dimension = number of qubits, at least 1.

    Raises:
        CircuitError: ``d`` is out of range.
    """
    return _qvit_head(d, query_key=True)


def _qvit_head(d: int, query_key: bool) -> CircuitSpec:
    """Build the value layout, plus the query/key extension when ``query_key``."""
    check_int("d", d, 1)
    w = ParameterVector("w", 3 * d + int(query_key))
    ring = entangling_pairs(d, "ring")
    circuit = QuantumCircuit(d, name="qvit_query_key" if query_key else "qvit_value")
    for block, axis in enumerate(("rx", "ry")):
        for qubit in range(d):
            apply_rotation(circuit, axis, w[block * d + qubit], qubit)
    apply_entangler(circuit, "cx", ring)
    for qubit in range(d):
        circuit.ry(w[2 * d + qubit], qubit)
    if query_key:
        apply_entangler(circuit, "cx", ring)
        circuit.ry(w[3 * d], 0)
    builder = "qvit_query_key" if query_key else "qvit_value"
    return CircuitSpec(
        circuit=circuit,
        inputs=(),
        weights=tuple(w),
        observables=z_observables(d, [0] if query_key else None),
        name=f"{builder}_{d}q",
        metadata={"builder": builder, "d": d},
    )


def quantum_autoencoder(
    num_latent: int = 4, num_trash: int = 4, num_layers: int = 3, entanglement: str = "ring"
) -> CircuitSpec:
    """Quantum autoencoder ansatz with trash-qubit read-out (Romero, Olson, Aspuru-Guzik 2017).

    Qubits ``0 .. k-1`` are the latent register, ``k .. k+t-1`` the trash register. The encoder ``U(w)`` is
    ``L`` layers of ``RY`` on every qubit and a CX entangler, plus a final ``RY`` layer (``k=2, t=1``)::

        q0 (latent): ─RY(w0)─■─────X─RY(w3)─ ... ─RY─
        q1 (latent): ─RY(w1)─X──■──┼─RY(w4)─ ... ─RY─
        q2 (trash):  ─RY(w2)────X──■─RY(w5)─ ... ─RY─  <Z_2>

    Training drives the trash qubits to ``|0>``: maximise ``sum_j <Z_j>`` over trash qubits ``j`` (the
    observables), a swap-test-free substitute for the trash fidelity ``P(trash = 0...0) = <prod_j (I + Z_j)/2>``
    which needs no reference register. The latent register then holds the compressed state.

    Weights: ``(L + 1) * (k + t)`` (a :func:`hardware_efficient` with ``rotations=("ry",)`` and
    ``final_rotations=True``). Observables: ``Z_j`` for each trash qubit.

    Reference: J. Romero, J. P. Olson, A. Aspuru-Guzik, "Quantum autoencoders for efficient compression of
    quantum data", Quantum Sci. Technol. 2, 045001 (2017).

    Args:
        num_latent: ``k``, at least 1.
        num_trash: ``t``, at least 1.
        num_layers: ``L``, at least 1.
        entanglement: ``"ring"``, ``"linear"`` or ``"full"``.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_latent", num_latent, 1)
    check_int("num_trash", num_trash, 1)
    num_qubits = num_latent + num_trash
    base = hardware_efficient(num_qubits, num_layers, ("ry",), entanglement, "cx", final_rotations=True)
    trash = list(range(num_latent, num_qubits))
    return dataclasses.replace(
        base,
        observables=z_observables(num_qubits, trash),
        name=f"qae_{num_latent}latent_{num_trash}trash_{num_layers}l",
        metadata={
            "builder": "quantum_autoencoder",
            "num_latent": num_latent,
            "num_trash": num_trash,
            "num_layers": num_layers,
            "entanglement": entanglement,
            "trash_qubits": trash,
        },
    )
