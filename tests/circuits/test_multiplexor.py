"""The Gray-code decomposition of a uniformly controlled RY against the block-diagonal operator it stands for."""

from __future__ import annotations

import numpy as np
import pytest
from circuit_reference import ry
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import Operator

from qhep_contrast.circuits._multiplexor import append_uniformly_controlled_ry, gray_walsh_matrix
from qhep_contrast.exceptions import CircuitError


@pytest.mark.parametrize("num_controls", [0, 1, 2, 3])
def test_equals_block_diagonal_rotations(num_controls: int) -> None:
    # Target qubit 0, controls 1..k: basis index i = 2c + (target bit), so the operator is blockdiag_c RY(a_c).
    angles = np.random.default_rng(num_controls).uniform(-3, 3, 2**num_controls)
    circuit = QuantumCircuit(num_controls + 1)
    rotations = gray_walsh_matrix(num_controls) @ angles
    append_uniformly_controlled_ry(circuit, list(rotations), list(range(1, num_controls + 1)), 0)
    expected = np.zeros((2 ** (num_controls + 1),) * 2, dtype=complex)
    for c, angle in enumerate(angles):
        expected[2 * c : 2 * c + 2, 2 * c : 2 * c + 2] = ry(angle)
    np.testing.assert_allclose(Operator(circuit).data, expected, atol=1e-12)


def test_fast_transform_equals_matrix() -> None:
    import torch

    from qhep_contrast.circuits.amplitude import _gray_walsh

    for k in range(5):
        angles = torch.randn(3, 2**k, generator=torch.Generator().manual_seed(k), dtype=torch.float64)
        expected = angles.numpy() @ gray_walsh_matrix(k).T
        np.testing.assert_allclose(_gray_walsh(angles).numpy(), expected, atol=1e-12)


def test_walsh_matrix_closed_form() -> None:
    # k = 1: Gray codes (0, 1) -> [[1, 1], [1, -1]] / 2.
    np.testing.assert_allclose(gray_walsh_matrix(1), [[0.5, 0.5], [0.5, -0.5]])


def test_walsh_matrix_rows_are_orthogonal() -> None:
    m = gray_walsh_matrix(3)
    np.testing.assert_allclose(m @ m.T, np.eye(8) / 8, atol=1e-15)


def test_wrong_number_of_angles() -> None:
    with pytest.raises(CircuitError, match="2 controls need 4 rotation angles; got 3"):
        append_uniformly_controlled_ry(QuantumCircuit(3), [0.1, 0.2, 0.3], [1, 2], 0)
