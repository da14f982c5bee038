"""Amplitude encoder round trip (Statevector = normalised input) and the differentiable angle map."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from circuit_reference import statevector

from qhep_contrast.circuits import amplitude_angles, amplitude_encoder
from qhep_contrast.exceptions import ShapeError


def _vectors(n: int, seed: int) -> torch.Tensor:
    """Random signed vectors plus sparse ones: a zero half, a single negative entry, a zero pair."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(4, 2**n, generator=gen, dtype=torch.float64)
    v[1, : 2 ** (n - 1)] = 0.0
    v[2] = 0.0
    v[2, -1] = -3.0
    v[3, : min(2, 2**n - 1)] = 0.0
    return v


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_round_trip_reproduces_normalised_vector(n: int) -> None:
    spec = amplitude_encoder(n)
    vectors = _vectors(n, seed=n)
    angles = amplitude_angles(vectors)
    assert angles.shape == (4, 2**n - 1)
    for vector, row in zip(vectors, angles):
        expected = (vector / vector.norm()).numpy()
        np.testing.assert_allclose(statevector(spec, row.tolist()), expected, atol=1e-6)


def test_round_trip_at_default_size_float32() -> None:
    spec = amplitude_encoder()
    vector = torch.randn(1, 256, generator=torch.Generator().manual_seed(0)) * 5.0
    state = statevector(spec, amplitude_angles(vector)[0].tolist())
    np.testing.assert_allclose(state, (vector[0] / vector[0].norm()).numpy(), atol=1e-6)


def test_gate_and_parameter_counts() -> None:
    for n in range(1, 7):
        ops = amplitude_encoder(n).circuit.count_ops()
        assert ops.get("ry", 0) == 2**n - 1
        assert ops.get("cx", 0) == 2**n - 2
        assert amplitude_encoder(n).num_inputs == 2**n - 1


def test_closed_form_angles() -> None:
    # (1, 1)/sqrt2 -> RY(pi/2); (1, -1) -> RY(-pi/2); (0, 2) -> RY(pi).
    got = amplitude_angles(torch.tensor([[1.0, 1.0], [1.0, -1.0], [0.0, 2.0]], dtype=torch.float64))
    np.testing.assert_allclose(got[:, 0].numpy(), [np.pi / 2, -np.pi / 2, np.pi])
    # |11>: root angle pi (all weight on q1 = 1); uniformly controlled angles (0 for c=0, pi for c=1), which
    # the Gray-code decomposition turns into RY angles ((0 + pi)/2, (0 - pi)/2).
    got = amplitude_angles(torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64))
    np.testing.assert_allclose(got[0].numpy(), [np.pi, np.pi / 2, -np.pi / 2])


def test_zero_vector_maps_to_all_zeros_state() -> None:
    angles = amplitude_angles(torch.zeros(1, 8))
    assert torch.equal(angles, torch.zeros(1, 7))
    np.testing.assert_allclose(statevector(amplitude_encoder(3), angles[0].tolist()), np.eye(8)[0], atol=1e-12)


def test_gradcheck_on_generic_vectors() -> None:
    vectors = torch.randn(3, 8, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    assert torch.autograd.gradcheck(amplitude_angles, (vectors.requires_grad_(),))


def test_gradient_is_finite_with_zero_blocks() -> None:
    vectors = _vectors(3, seed=11).requires_grad_()
    amplitude_angles(vectors).sum().backward()
    assert torch.isfinite(vectors.grad).all()


def test_scale_invariant() -> None:
    vectors = torch.randn(2, 16, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    torch.testing.assert_close(amplitude_angles(vectors), amplitude_angles(7.5 * vectors))


@pytest.mark.parametrize(
    "bad",
    [torch.zeros(4), torch.zeros(2, 6), torch.zeros(2, 1), torch.zeros(2, 4, dtype=torch.int64), np.zeros((2, 4))],
)
def test_rejects_bad_shapes(bad: object) -> None:
    with pytest.raises(ShapeError, match="amplitude_angles"):
        amplitude_angles(bad)  # type: ignore[arg-type]
