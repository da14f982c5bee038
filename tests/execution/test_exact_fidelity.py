"""The one fidelity function (row-wise) and its all-pairs form, against loop references and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.exceptions import ShapeError
from qhep_contrast.execution.exact import fidelity, fidelity_matrix


def _states(n: int, d: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, d, dtype=torch.complex128, generator=g)
    return z / z.norm(dim=1, keepdim=True)


def test_rowwise_fidelity_loop_reference() -> None:
    a, b = _states(5, 8, 0), _states(5, 8, 1)
    expected = [abs(sum(a[i, k].conj() * b[i, k] for k in range(8))) ** 2 for i in range(5)]
    np.testing.assert_allclose(fidelity(a, b).numpy(), [float(e) for e in expected], atol=1e-12)


def test_rowwise_fidelity_real_states_closed_form() -> None:
    real = torch.tensor([[1.0, 0.0], [0.6, 0.8]])
    np.testing.assert_allclose(fidelity(real, real.flip(0)).numpy(), [0.36, 0.36], atol=1e-7)


@pytest.mark.parametrize("complex_states", [True, False])
def test_rowwise_fidelity_shape_errors(complex_states: bool) -> None:
    a = _states(5, 8, 0) if complex_states else torch.rand(5, 8)
    with pytest.raises(ShapeError):
        fidelity(a, a[:3])


def test_fidelity_matrix_loop_reference_and_diagonal() -> None:
    a, b = _states(4, 8, 2), _states(3, 8, 3)
    f = fidelity_matrix(a, b)
    assert f.shape == (4, 3)
    for i in range(4):
        for k in range(3):
            expected = abs(complex(sum(a[i, m].conj() * b[k, m] for m in range(8)))) ** 2
            assert f[i, k].item() == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(torch.diagonal(fidelity_matrix(a, a)).numpy(), np.ones(4), atol=1e-12)
    np.testing.assert_allclose(torch.diagonal(fidelity_matrix(a, b[:3].repeat(2, 1)[:4])).numpy(),
                               fidelity(a, b[:3].repeat(2, 1)[:4]).numpy(), atol=1e-12)
