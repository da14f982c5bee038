"""QuantumLayer.forward_views: several batches in one engine call, equal to separate calls."""

from __future__ import annotations

import pytest
import torch

from qhep_contrast.circuits import w1_spec
from qhep_contrast.exceptions import ShapeError
from qhep_contrast.qnn import QuantumLayer


def test_views_equal_separate_calls_with_gradients() -> None:
    layer = QuantumLayer(w1_spec(4, 2), seed=3).double()
    g = torch.Generator().manual_seed(0)
    x1 = torch.rand(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    x2 = torch.rand(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    z1, z2 = layer.forward_views(x1, x2)
    (z1.square().sum() + z2.sum()).backward()
    grads = [t.grad.clone() for t in (x1, x2, layer.weight)]
    for t in (x1, x2, layer.weight):
        t.grad = None
    r1, r2 = layer(x1), layer(x2)
    (r1.square().sum() + r2.sum()).backward()
    torch.testing.assert_close(z1, r1, atol=1e-12, rtol=0)
    torch.testing.assert_close(z2, r2, atol=1e-12, rtol=0)
    for a, t in zip(grads, (x1, x2, layer.weight)):
        torch.testing.assert_close(a, t.grad, atol=1e-12, rtol=0)


def test_views_need_a_batch() -> None:
    layer = QuantumLayer(w1_spec(4, 2), seed=3)
    with pytest.raises(ShapeError, match="at least one batch"):
        layer.forward_views()
    (single,) = layer.forward_views(torch.rand(2, 4))
    assert single.shape == (2, 4)
