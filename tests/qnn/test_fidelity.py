"""Fidelity estimators: hand-computable overlaps, agreement between methods, one sampler job per batch."""

from __future__ import annotations

import math

import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import angle_encoder, reuploading_encoder
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.qnn import ComputeUncomputeFidelity, ExactFidelity, SwapTestFidelity
from tests.qnn.conftest import CallCounter

_SHOTS = 4000
_SAMPLED = {
    "aer": ExecutionConfig(kind="aer", shots=_SHOTS, seed=3),
    "ibm-local": ExecutionConfig(kind="ibm", backend="fake_manila", shots=_SHOTS, seed=3, local_noise=False),
}


def _hand_pairs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """RY product states: F = prod_i cos^2((x1_i - x2_i) / 2) = 1, 1/2, 1/4, 0."""
    x1 = torch.zeros(4, 2, dtype=torch.float64)
    x2 = torch.tensor([[0, 0], [math.pi / 2, 0], [math.pi / 2, math.pi / 2], [math.pi, 0]], dtype=torch.float64)
    return x1, x2, torch.tensor([1.0, 0.5, 0.25, 0.0], dtype=torch.float64)


@pytest.mark.parametrize("cls", [ExactFidelity, SwapTestFidelity, ComputeUncomputeFidelity])
def test_hand_computable_overlaps_exactly(cls) -> None:
    x1, x2, expected = _hand_pairs()
    result = cls(angle_encoder(2, "ry"))(x1, x2, torch.zeros(0, dtype=torch.float64))
    torch.testing.assert_close(result.raw, expected, atol=1e-12, rtol=0)
    assert result.stderr is None and result.shots is None


@pytest.mark.parametrize("name", list(_SAMPLED))
@pytest.mark.parametrize("cls", [SwapTestFidelity, ComputeUncomputeFidelity])
def test_hand_computable_overlaps_sampled(cls, name: str, monkeypatch) -> None:
    x1, x2, expected = _hand_pairs()
    estimator = cls(angle_encoder(2, "ry"), _SAMPLED[name])
    counter = CallCounter(monkeypatch, estimator.program.backend_primitive)
    result = estimator(x1, x2, torch.zeros(0))
    assert counter.calls == 1 and counter.pubs == [1]  # one sampler job, one broadcast PUB per batch
    assert result.shots == _SHOTS and result.method == cls.method
    tolerance = 5 * torch.clamp(result.stderr, min=1 / math.sqrt(_SHOTS))
    assert ((result.raw - expected).abs() <= tolerance).all(), (result.raw, result.stderr)
    assert ((result.clipped >= 0) & (result.clipped <= 1)).all()


def test_methods_agree_on_random_states() -> None:
    spec = reuploading_encoder(3, 2)
    g = torch.Generator().manual_seed(0)
    x1, x2 = (torch.rand(6, spec.num_inputs, generator=g, dtype=torch.float64) * 3 for _ in range(2))
    w = torch.rand(spec.num_weights, generator=g, dtype=torch.float64)
    exact = ExactFidelity(spec)(x1, x2, w).raw
    for b in range(2):  # independent reference: qiskit Statevector
        bind = lambda x, b=b: dict(zip(spec.inputs + spec.weights, [*x[b].tolist(), *w.tolist()]))  # noqa: E731
        ref = abs(Statevector(spec.circuit.assign_parameters(bind(x1))).inner(
            Statevector(spec.circuit.assign_parameters(bind(x2))))) ** 2
        assert exact[b].item() == pytest.approx(ref, abs=1e-10)
    for cls in (SwapTestFidelity, ComputeUncomputeFidelity):
        torch.testing.assert_close(cls(spec)(x1, x2, w).raw, exact, atol=1e-10, rtol=0)
        sampled = cls(spec, _SAMPLED["aer"])(x1, x2, w)
        assert ((sampled.raw - exact).abs() <= 5 * sampled.stderr.clamp(min=1 / math.sqrt(_SHOTS))).all()
    swap_se = SwapTestFidelity(spec, _SAMPLED["aer"])(x1, x2, w).stderr
    cu_se = ComputeUncomputeFidelity(spec, _SAMPLED["aer"])(x1, x2, w).stderr
    assert swap_se.mean() > cu_se.mean()  # the swap test is the noisier estimator


def test_exact_fidelities_are_differentiable_in_inputs_and_weights() -> None:
    spec = reuploading_encoder(2, 2)  # weights inside the encoding: they do not cancel in the overlap
    g = torch.Generator().manual_seed(1)
    x1 = torch.rand(3, spec.num_inputs, generator=g, dtype=torch.float64, requires_grad=True)
    x2 = torch.rand(3, spec.num_inputs, generator=g, dtype=torch.float64)
    w = torch.rand(spec.num_weights, generator=g, dtype=torch.float64, requires_grad=True)
    for estimator in (ExactFidelity(spec), SwapTestFidelity(spec), ComputeUncomputeFidelity(spec)):
        assert torch.autograd.gradcheck(lambda a, b, f=estimator: f(a, x2, b).raw, (x1, w))
    ExactFidelity(spec)(x1, x2, w).raw.sum().backward()
    assert w.grad.abs().sum() > 1e-3


def test_argument_errors() -> None:
    spec = angle_encoder(2, "ry")
    with pytest.raises(ConfigError, match="shots"):
        SwapTestFidelity(spec, ExecutionConfig(kind="aer"))
    with pytest.raises(ShapeError, match="x2 must have shape"):
        ExactFidelity(spec)(torch.zeros(2, 2), torch.zeros(2, 3), torch.zeros(0))
    with pytest.raises(ShapeError, match="same number of pairs"):
        ExactFidelity(spec)(torch.zeros(2, 2), torch.zeros(3, 2), torch.zeros(0))
    with pytest.raises(ShapeError, match="weight"):
        ExactFidelity(spec)(torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(1))
