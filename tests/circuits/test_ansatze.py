"""Ansätze against hand-built numpy unitaries, and their documented parameter counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from circuit_reference import ROT, X, controlled, cx, cz, embed, run, rx, ry, rz, statevector, u3

from qhep_contrast.circuits import hardware_efficient, qcnn, quantum_autoencoder, qvit_query_key, qvit_value

RNG = np.random.default_rng(99)


def _z_qubits(spec) -> list[int]:
    """Qubits of single-Z observables (Qiskit labels are little-endian strings)."""
    return [obs.paulis[0].to_label()[::-1].index("Z") for obs in spec.observables]


def test_hardware_efficient_two_qubits_matches_numpy() -> None:
    w = RNG.uniform(-np.pi, np.pi, 8)
    ops = []
    for layer in range(2):
        ops.append(embed(2, {0: ry(w[4 * layer]), 1: ry(w[4 * layer + 1])}))
        ops.append(embed(2, {0: rz(w[4 * layer + 2]), 1: rz(w[4 * layer + 3])}))
        ops.append(cx(2, 0, 1))  # ring on two qubits: a single CX, not CX(0,1) CX(1,0)
    spec = hardware_efficient(2, 2)
    np.testing.assert_allclose(statevector(spec, (), w), run(2, ops), atol=1e-12)
    assert spec.circuit.count_ops()["cx"] == 2


def test_hardware_efficient_full_cz_final_rotations_matches_numpy() -> None:
    w = RNG.uniform(-np.pi, np.pi, 9)
    ops = []
    for layer in range(2):
        ops.append(embed(3, {q: rx(w[3 * layer + q]) for q in range(3)}))
        ops += [cz(3, 0, 1), cz(3, 0, 2), cz(3, 1, 2)]
    ops.append(embed(3, {q: rx(w[6 + q]) for q in range(3)}))
    spec = hardware_efficient(3, 2, ("rx",), "full", "cz", final_rotations=True)
    np.testing.assert_allclose(statevector(spec, (), w), run(3, ops), atol=1e-12)


def test_hardware_efficient_ring_order_is_w1() -> None:
    spec = hardware_efficient(4, 1)
    circuit = spec.circuit
    pairs = [
        tuple(circuit.find_bit(q).index for q in inst.qubits) for inst in circuit.data if inst.operation.name == "cx"
    ]
    assert pairs == [(0, 1), (1, 2), (2, 3), (3, 0)]


@pytest.mark.parametrize(
    ("n", "layers", "rotations", "final", "expected"),
    [
        (8, 3, ("ry", "rz"), False, 48),
        (4, 2, ("ry",), False, 8),
        (5, 1, ("rx", "ry", "rz"), True, 30),
        (1, 4, ("ry",), False, 4),
    ],
)
def test_hardware_efficient_weight_count(n: int, layers: int, rotations: tuple, final: bool, expected: int) -> None:
    spec = hardware_efficient(n, layers, rotations, final_rotations=final)
    assert spec.num_weights == (layers + final) * len(rotations) * n == expected
    assert spec.num_inputs == 0 and len(spec.observables) == n


def _conv_ry_cx(n: int, a: int, b: int, w: np.ndarray) -> list[np.ndarray]:
    return [
        embed(n, {a: ry(w[0])}), embed(n, {b: ry(w[1])}), cx(n, a, b), embed(n, {a: ry(w[2])}), embed(n, {b: ry(w[3])})
    ]  # fmt: skip


def _conv_su4(n: int, a: int, b: int, w: np.ndarray) -> list[np.ndarray]:
    return [
        embed(n, {a: u3(*w[0:3])}), embed(n, {b: u3(*w[3:6])}), cx(n, b, a),
        embed(n, {a: rz(w[6])}), embed(n, {b: ry(w[7])}), cx(n, a, b), embed(n, {b: ry(w[8])}), cx(n, b, a),
        embed(n, {a: u3(*w[9:12])}), embed(n, {b: u3(*w[12:15])}),
    ]  # fmt: skip


def _pool(n: int, discarded: int, kept: int, w: np.ndarray) -> list[np.ndarray]:
    return [
        controlled(n, discarded, kept, rz(w[0])), embed(n, {discarded: X}), controlled(n, discarded, kept, rx(w[1]))
    ]  # fmt: skip


def test_qcnn_four_qubits_unshared_matches_numpy() -> None:
    # Layer 0: conv (0,1) (2,3) (1,2) (3,0) with w0..15, pool 1->0, 3->2 with w16..19;
    # layer 1: conv (0,2) with w20..23, pool 2->0 with w24, w25.
    w = RNG.uniform(-np.pi, np.pi, 26)
    ops = []
    for index, (a, b) in enumerate([(0, 1), (2, 3), (1, 2), (3, 0)]):
        ops += _conv_ry_cx(4, a, b, w[4 * index : 4 * index + 4])
    ops += _pool(4, 1, 0, w[16:18]) + _pool(4, 3, 2, w[18:20])
    ops += _conv_ry_cx(4, 0, 2, w[20:24]) + _pool(4, 2, 0, w[24:26])
    spec = qcnn(4, conv="ry_cx", share_weights=False)
    assert spec.num_weights == 26
    np.testing.assert_allclose(statevector(spec, (), w), run(4, ops), atol=1e-12)
    assert _z_qubits(spec) == [0]


def test_qcnn_four_qubits_shared_su4_matches_numpy() -> None:
    w = RNG.uniform(-np.pi, np.pi, 34)
    ops = []
    for a, b in [(0, 1), (2, 3), (1, 2), (3, 0)]:
        ops += _conv_su4(4, a, b, w[0:15])
    ops += _pool(4, 1, 0, w[15:17]) + _pool(4, 3, 2, w[15:17])
    ops += _conv_su4(4, 0, 2, w[17:32]) + _pool(4, 2, 0, w[32:34])
    np.testing.assert_allclose(statevector(qcnn(4), (), w), run(4, ops), atol=1e-12)


@pytest.mark.parametrize(
    ("n", "remaining", "conv", "unshared"),
    [
        (8, 1, "su4", 209),
        (4, 1, "ry_cx", 26),
        (8, 3, "su4", 190),
        (5, 2, "ry_cx", 38),
        (3, 1, "su4", 64),
        (2, 1, "su4", 17),
    ],
)
def test_qcnn_weight_counts(n: int, remaining: int, conv: str, unshared: int) -> None:
    block = {"su4": 15, "ry_cx": 4}[conv]
    layers = math.ceil(math.log2(n / remaining))
    assert qcnn(n, remaining, conv).num_weights == layers * (block + 2)
    assert qcnn(n, remaining, conv, share_weights=False).num_weights == unshared


@pytest.mark.parametrize(
    ("n", "remaining", "qubits"), [(8, 1, [0]), (8, 3, [0, 4, 6]), (6, 2, [0, 4]), (7, 1, [0])]
)
def test_qcnn_reads_remaining_qubits_and_never_touches_discarded_ones(
    n: int, remaining: int, qubits: list[int]
) -> None:
    spec = qcnn(n, remaining)
    assert _z_qubits(spec) == qubits == spec.metadata["remaining_qubits"]
    discarded: set[int] = set()
    for instruction in spec.circuit.data:
        touched = {spec.circuit.find_bit(q).index for q in instruction.qubits}
        assert not touched & discarded, f"{instruction.operation.name} acts on discarded qubits {touched & discarded}"
        if instruction.operation.name == "crx":
            discarded.add(spec.circuit.find_bit(instruction.qubits[0]).index)
    assert discarded == set(range(n)) - set(qubits)


def test_qvit_heads_match_numpy() -> None:
    d = 3
    w = RNG.uniform(-np.pi, np.pi, 3 * d + 1)
    ring = [cx(d, 0, 1), cx(d, 1, 2), cx(d, 2, 0)]
    value_ops = [
        embed(d, {q: rx(w[q]) for q in range(d)}),
        embed(d, {q: ry(w[d + q]) for q in range(d)}),
        *ring,
        embed(d, {q: ry(w[2 * d + q]) for q in range(d)}),
    ]
    np.testing.assert_allclose(statevector(qvit_value(d), (), w[: 3 * d]), run(d, value_ops), atol=1e-12)
    qk_ops = [*value_ops, *ring, embed(d, {0: ry(w[3 * d])})]
    np.testing.assert_allclose(statevector(qvit_query_key(d), (), w), run(d, qk_ops), atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 4, 6])
def test_qvit_weight_counts_and_observables(d: int) -> None:
    assert qvit_query_key(d).num_weights == 3 * d + 1
    assert qvit_value(d).num_weights == 3 * d
    assert _z_qubits(qvit_query_key(d)) == [0]
    assert _z_qubits(qvit_value(d)) == list(range(d))


def test_quantum_autoencoder_matches_numpy_and_reads_trash() -> None:
    w = RNG.uniform(-np.pi, np.pi, 6)
    ops = [embed(3, {q: ry(w[q]) for q in range(3)}), cx(3, 0, 1), cx(3, 1, 2), cx(3, 2, 0)]
    ops.append(embed(3, {q: ROT["ry"](w[3 + q]) for q in range(3)}))
    spec = quantum_autoencoder(2, 1, 1)
    np.testing.assert_allclose(statevector(spec, (), w), run(3, ops), atol=1e-12)
    assert _z_qubits(spec) == [2]


@pytest.mark.parametrize(("latent", "trash", "layers"), [(4, 4, 3), (2, 1, 1), (3, 2, 5)])
def test_quantum_autoencoder_counts(latent: int, trash: int, layers: int) -> None:
    spec = quantum_autoencoder(latent, trash, layers)
    assert spec.num_qubits == latent + trash
    assert spec.num_weights == (layers + 1) * (latent + trash)
    assert _z_qubits(spec) == list(range(latent, latent + trash))
