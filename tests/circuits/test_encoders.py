"""Encoders against hand-built numpy states and the documented parameter counts."""

from __future__ import annotations

import numpy as np
import pytest
from circuit_reference import ROT, H, cx, cz, embed, run, ry, rz, statevector

from qhep_contrast.circuits import angle_encoder, reuploading_encoder, token_loader

RNG = np.random.default_rng(1234)


def _ket0() -> np.ndarray:
    return np.array([1.0, 0.0], dtype=complex)


@pytest.mark.parametrize("rotation", ["rx", "ry", "rz"])
def test_angle_encoder_is_the_product_state(rotation: str) -> None:
    x = RNG.uniform(-np.pi, np.pi, 3)
    factors = [ROT[rotation](x[q]) @ _ket0() for q in range(3)]
    expected = np.kron(np.kron(factors[2], factors[1]), factors[0])
    spec = angle_encoder(3, rotation)
    np.testing.assert_allclose(statevector(spec, x), expected, atol=1e-12)
    assert (spec.num_inputs, spec.num_weights, len(spec.observables)) == (3, 0, 3)


def test_angle_encoder_ry_amplitudes_closed_form() -> None:
    # RY(pi)|0> = |1>, RY(0)|0> = |0>: x = (pi, 0) is the basis state |01> (qubit 0 set), index 1.
    np.testing.assert_allclose(statevector(angle_encoder(2), [np.pi, 0.0]), [0, 1, 0, 0], atol=1e-12)


def test_token_loader_is_rx_after_hadamard() -> None:
    x = RNG.uniform(-np.pi, np.pi, 3)
    factors = [ROT["rx"](x[q]) @ H @ _ket0() for q in range(3)]
    expected = np.kron(np.kron(factors[2], factors[1]), factors[0])
    spec = token_loader(3)
    np.testing.assert_allclose(statevector(spec, x), expected, atol=1e-12)
    assert (spec.num_inputs, spec.num_weights) == (3, 0)


def test_token_loader_zero_input_is_plus_state() -> None:
    np.testing.assert_allclose(statevector(token_loader(2), [0.0, 0.0]), np.full(4, 0.5), atol=1e-12)


@pytest.mark.parametrize("reupload", ["repeat", "patches"])
def test_reuploading_encoder_matches_hand_listed_gates(reupload: str) -> None:
    # n = 2 qubits, L = 2 layers, f = 3 features per layer: slots 0, 1 -> RY on q0, q1; slot 2 -> RZ on q0.
    spec = reuploading_encoder(2, 2, 3, reupload=reupload, trainable_rotations=("rx",))
    x = RNG.uniform(-1, 1, 6 if reupload == "patches" else 3)
    ew, eb, et = RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, 6), RNG.uniform(-2, 2, 4)
    ops = []
    for layer in range(2):
        m = [3 * layer + j for j in range(3)] if reupload == "patches" else [0, 1, 2]
        k = [3 * layer + j for j in range(3)]
        ops += [
            embed(2, {0: ry(ew[k[0]] * x[m[0]] + eb[k[0]])}),
            embed(2, {1: ry(ew[k[1]] * x[m[1]] + eb[k[1]])}),
            embed(2, {0: rz(ew[k[2]] * x[m[2]] + eb[k[2]])}),
            embed(2, {0: ROT["rx"](et[2 * layer]), 1: ROT["rx"](et[2 * layer + 1])}),
            cz(2, 0, 1),  # ring on 2 qubits = one gate
        ]
    np.testing.assert_allclose(statevector(spec, x, [*ew, *eb, *et]), run(2, ops), atol=1e-12)


def test_reuploading_encoder_w2_layout() -> None:
    # Benchmark W2 at n = 3: per layer RY(x_i), RY(w), RZ(w) on every qubit, CX(0,1) CX(1,2) CX(2,0).
    spec = reuploading_encoder(3, 2, input_weights=False, trainable_rotations=("ry", "rz"), entangler="cx")
    x, w = RNG.uniform(-1, 1, 3), RNG.uniform(-2, 2, 12)
    ops = []
    for layer in range(2):
        ops.append(embed(3, {q: ry(x[q]) for q in range(3)}))
        ops.append(embed(3, {q: ry(w[6 * layer + q]) for q in range(3)}))
        ops.append(embed(3, {q: rz(w[6 * layer + 3 + q]) for q in range(3)}))
        ops += [cx(3, 0, 1), cx(3, 1, 2), cx(3, 2, 0)]
    np.testing.assert_allclose(statevector(spec, x, w), run(3, ops), atol=1e-12)


@pytest.mark.parametrize(
    ("n", "layers", "f", "reupload", "input_weights", "trainable", "inputs", "weights"),
    [
        (8, 3, None, "repeat", True, (), 8, 48),  # 2*L*f
        (8, 3, None, "patches", True, (), 24, 48),
        (4, 2, 10, "patches", True, ("ry", "rz"), 20, 2 * 2 * 10 + 2 * 2 * 4),
        (8, 3, None, "repeat", False, ("ry", "rz"), 8, 48),  # W2: L*R*n
        (3, 5, 1, "repeat", False, ("ry",), 1, 15),
    ],
)
def test_reuploading_parameter_counts(
    n: int, layers: int, f: int | None, reupload: str, input_weights: bool, trainable: tuple, inputs: int, weights: int
) -> None:
    spec = reuploading_encoder(
        n, layers, f, reupload=reupload, input_weights=input_weights, trainable_rotations=trainable
    )
    assert (spec.num_inputs, spec.num_weights) == (inputs, weights)
    assert set(spec.circuit.parameters) == set(spec.inputs) | set(spec.weights)


def test_reuploading_weight_names_do_not_collide_with_ansatz() -> None:
    spec = reuploading_encoder(2, 1, trainable_rotations=("ry",))
    assert {p.name.split("[")[0] for p in spec.weights} == {"ew", "eb", "et"}
