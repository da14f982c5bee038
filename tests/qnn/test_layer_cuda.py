"""`QuantumLayer` on CUDA: forward and backward equal the CPU layer's (``pytest -m gpu``)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from qhep_contrast.circuits import w1_spec
from qhep_contrast.qnn import QuantumLayer

pytestmark = pytest.mark.gpu

DEVICE = "cuda"


def _forward_backward(layer: QuantumLayer, x: torch.Tensor, direction: torch.Tensor, device: str):
    xd = x.to(device).requires_grad_(True)
    out = layer(xd)
    assert out.device.type == torch.device(device).type
    loss = (out * direction.to(device, out.dtype).conj()).real.sum() if out.is_complex() else (
        out * direction.to(device, out.dtype)).sum()
    layer.zero_grad()
    loss.backward()
    return [t.detach().cpu().numpy() for t in (out, xd.grad, layer.weight.grad)]


@pytest.mark.parametrize("output", ["expectation", "probabilities", "state"])
def test_layer_on_cuda_matches_cpu(output: str) -> None:
    layer = QuantumLayer(w1_spec(), output=output, seed=0)
    on_device = copy.deepcopy(layer).to(DEVICE)
    assert on_device.weight.device.type == torch.device(DEVICE).type
    g = torch.Generator().manual_seed(1)
    x = torch.rand(32, layer.num_inputs, generator=g) * np.pi
    width = {"expectation": 8, "probabilities": 2**8, "state": 2**8}[output]
    direction = torch.randn(32, width, generator=g, dtype=torch.complex64 if output == "state" else torch.float32)
    cpu = _forward_backward(layer, x, direction, "cpu")
    gpu = _forward_backward(on_device, x, direction, DEVICE)
    for name, a, b in zip(("output", "input gradient", "weight gradient"), gpu, cpu):
        np.testing.assert_allclose(a, b, atol=1e-5 * max(1.0, float(np.abs(b).max())), rtol=0, err_msg=name)
