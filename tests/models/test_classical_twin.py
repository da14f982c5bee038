"""Classical twin: hidden-width solver, the 2 % parameter match, outputs, copies, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.losses import FidelityInfoNCELoss
from qhep_contrast.models import (
    HybridEncoder,
    TwinMLP,
    build_hybrid_encoder,
    classical_twin,
    count_parameters,
    matched_hidden_width,
    mlp_parameter_count,
)
from qhep_contrast.qnn import QuantumLayer


@pytest.mark.parametrize(("n_in", "n_out"), [(8, 8), (3, 8), (4, 256), (5, 2)])
@pytest.mark.parametrize("target", [0, 7, 24, 48, 97, 300, 1000])
def test_hidden_width_is_the_best_by_brute_force(n_in: int, n_out: int, target: int) -> None:
    def miss(h: int) -> int:
        return abs(h * n_in + h + h * n_out + n_out - target)  # counted by hand: W1, b1, W2, b2

    best = min(range(1, 2000), key=lambda h: (miss(h), h))
    assert matched_hidden_width(n_in, n_out, target) == best
    module = TwinMLP(n_in, best, n_out)
    assert count_parameters(module) == mlp_parameter_count(n_in, best, n_out)


def _hybrid(circuits: dict, output: str = "expectation", **kwargs: object) -> HybridEncoder:
    return build_hybrid_encoder(2, 32, circuits["reuploading"](4, 3), output=output,
                                seed=3, **kwargs)


@pytest.mark.parametrize("output", ["expectation", "probabilities", "state"])
def test_seed_project_twin_within_two_percent(output: str, circuits: dict) -> None:
    hybrid = _hybrid(circuits, output)
    twin = classical_twin(hybrid, seed=0)
    quantum_weights = hybrid.core.weight.numel()
    assert count_parameters(hybrid.core) == quantum_weights == 24
    assert twin.core.hidden_features == matched_hidden_width(4, hybrid.core_out, quantum_weights)
    total = count_parameters(hybrid)
    assert abs(count_parameters(twin) - total) / total <= 0.02


def test_twin_mirrors_architecture_and_starts_from_copies(circuits: dict) -> None:
    hybrid = _hybrid(circuits, conv_channels=(4, 8), dense_units=16, head_units=(6, 5))
    twin = classical_twin(hybrid, seed=0)
    assert twin.front_end is not hybrid.front_end and twin.head_units == (6, 5)
    for (name, p), (_, q) in zip(hybrid.front_end.named_parameters(), twin.front_end.named_parameters()):
        assert torch.equal(p, q) and p is not q, name
    assert all(torch.equal(p, q) for p, q in zip(hybrid.head.parameters(), twin.head.parameters()))
    images = torch.rand(3, 2, 32, 32, generator=torch.Generator().manual_seed(0))
    assert twin(images).shape == hybrid(images).shape == (3, 5)


def test_twin_core_outputs_are_bounded_like_the_quantum_ones() -> None:
    angles = torch.randn(64, 4, generator=torch.Generator().manual_seed(1)) * 10
    expectation = TwinMLP(4, 3, 4, seed=0)(angles)
    assert expectation.abs().max() <= 1
    probabilities = TwinMLP(4, 3, 16, output="probabilities", seed=0)(angles)
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(64)) and probabilities.min() >= 0
    states = TwinMLP(4, 3, 16, output="state", seed=0)(angles)
    assert torch.allclose(torch.linalg.vector_norm(states, dim=1), torch.ones(64))
    assert torch.isfinite(FidelityInfoNCELoss()(states[:32], states[32:]))


def test_same_seed_same_twin(circuits: dict) -> None:
    hybrid = _hybrid(circuits, conv_channels=(4,), dense_units=8)
    a, b = classical_twin(hybrid, seed=7), classical_twin(hybrid, seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_unmatchable_twin_is_refused(circuits: dict) -> None:
    layer = QuantumLayer(circuits["reuploading"](3, 1), seed=0)  # 6 weights; the smallest MLP has 10
    bare = HybridEncoder(nn.Identity(), layer, head_units=())
    with pytest.raises(ConfigError, match="tolerance"):
        classical_twin(bare)
    assert count_parameters(classical_twin(bare, tolerance=0.9).core) == 10
    with pytest.raises(ConfigError, match="tolerance"):
        classical_twin(bare, tolerance=1.0)


@pytest.mark.parametrize(("args", "name"), [((0, 3, 4), "in_features"), ((3, 0, 4), "out_features"),
                                            ((3, 3, -1), "target")])
def test_hidden_width_bad_arguments(args: tuple, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        matched_hidden_width(*args)
