"""The exact engine on CUDA equals the engine on the CPU: states, <O> and gradients (``pytest -m gpu``).

Every builder circuit of ``default_specs()`` (fidelity circuits without measurements) and a seeded set of
random circuits that reaches every stage kind of the engine. States must agree to 1e-5 in complex64 and
1e-10 in complex128. Expectation values and gradients (w.r.t. inputs and weights, of losses with O(1)
gradients) are compared relative to their largest entry, at 1e-10 in float64 and 5e-5 in float32: they sum
up to 2**17 amplitudes, and float32 rounding alone moves them by up to 1.6e-5 on the CPU (against float64).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.execution.exact import compile
from tests.execution.conftest import engine_specs
from tests.execution.random_circuits import random_circuit

pytestmark = pytest.mark.gpu

DEVICE = "cuda"
SPECS = engine_specs()
#: dtype -> (state tolerance, tolerance of expectation values and gradients relative to their largest entry)
TOLERANCES = {torch.float32: (1e-5, 5e-5), torch.float64: (1e-10, 1e-10)}


def _draw(num_inputs: int, num_weights: int, num_qubits: int, batch: int, seed: int):
    """Inputs and weights in [-pi, pi) and a unit complex vector per sample (the loss's direction)."""
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(batch, num_inputs, generator=g, dtype=torch.float64) * 2 - 1) * np.pi
    w = (torch.rand(num_weights, generator=g, dtype=torch.float64) * 2 - 1) * np.pi
    c = torch.complex(torch.randn(batch, 2**num_qubits, generator=g, dtype=torch.float64),
                      torch.randn(batch, 2**num_qubits, generator=g, dtype=torch.float64))
    return x, w, c / c.abs().pow(2).sum(1, keepdim=True).sqrt()


def _grads(loss: torch.Tensor, x: torch.Tensor, w: torch.Tensor) -> list[np.ndarray]:
    gx, gw = torch.autograd.grad(loss, (x, w), allow_unused=True)
    return [(g if g is not None else torch.zeros_like(t)).detach().cpu().numpy() for g, t in ((gx, x), (gw, w))]


def _run(ec, x, w, c, observables, device: str) -> dict[str, np.ndarray]:
    """State, d Re<c|psi>/d(x, w), and (with observables) <O> and d sum(<O>)/d(x, w), on ``device``."""
    xd = x.to(device).requires_grad_(True)
    wd = w.to(device).requires_grad_(True)
    psi = ec.statevector(xd, wd)
    assert psi.device.type == torch.device(device).type
    out = {"state": psi.detach().cpu().numpy()}
    out["state_dx"], out["state_dw"] = _grads((psi * c.to(device, psi.dtype).conj()).real.sum(), xd, wd)
    if observables:
        ev = ec.expectation(xd, wd, observables)
        out["expectation"] = ev.detach().cpu().numpy()
        out["expectation_dx"], out["expectation_dw"] = _grads(ev.sum(), xd, wd)
    return out


def _assert_same(ec, x, w, c, observables) -> None:
    for dtype, (state_tol, derived_tol) in TOLERANCES.items():
        cpu = _run(ec, x.to(dtype), w.to(dtype), c, observables, "cpu")
        gpu = _run(ec, x.to(dtype), w.to(dtype), c, observables, DEVICE)
        assert cpu.keys() == gpu.keys()
        for key, ref in cpu.items():
            if key == "state":
                atol = state_tol
            else:
                atol = derived_tol * (max(1.0, float(np.abs(ref).max())) if ref.size else 1.0)
            np.testing.assert_allclose(gpu[key], ref, atol=atol, rtol=0, err_msg=f"{key} ({dtype})")


@pytest.mark.parametrize("name", list(SPECS))
def test_builder_on_cuda_matches_cpu(name: str) -> None:
    spec = SPECS[name]
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    x, w, c = _draw(spec.num_inputs, spec.num_weights, spec.num_qubits, batch=3, seed=len(name))
    _assert_same(ec, x, w, c, list(spec.observables))


@pytest.mark.parametrize("seed", range(0, 220, 4))
def test_random_circuit_on_cuda_matches_cpu(seed: int) -> None:
    qc, inputs, weights = random_circuit(seed)
    ec = compile(qc, inputs, weights)
    x, w, c = _draw(len(inputs), len(weights), qc.num_qubits, batch=4, seed=seed)
    _assert_same(ec, x, w, c, [])
