"""SiameseEncoder and ProjectionHead: weight sharing, accumulation of both branches, embed, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.losses import FidelityInfoNCELoss, NTXentLoss
from qhep_contrast.models import ProjectionHead, SiameseEncoder, build_hybrid_encoder


def _encoder(circuits: dict, output: str = "expectation") -> nn.Module:
    return build_hybrid_encoder(2, 10, circuits["reuploading"](3), output=output,
                                conv_channels=(4, 8), dense_units=16, seed=4)


def _views(batch: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(9)
    return torch.rand(batch, 2, 10, 10, generator=gen), torch.rand(batch, 2, 10, 10, generator=gen)


def test_projection_head_layout() -> None:
    head = ProjectionHead(6, 12, 4, seed=0)
    assert [type(m) for m in head.net] == [nn.Linear, nn.ReLU, nn.Linear]
    assert head(torch.zeros(5, 6)).shape == (5, 4)
    deep = ProjectionHead(6, num_layers=3, batch_norm=True)
    assert [type(m) for m in deep.net] == [nn.Linear, nn.BatchNorm1d, nn.ReLU] * 2 + [nn.Linear]
    with pytest.raises(ConfigError, match="num_layers"):
        ProjectionHead(6, num_layers=0)


def test_shapes_and_embed(circuits: dict) -> None:
    siamese = SiameseEncoder(_encoder(circuits), ProjectionHead(3, 8, 5, seed=0))
    v1, v2 = _views()
    z1, z2 = siamese(v1, v2)
    assert z1.shape == z2.shape == (4, 5)
    assert siamese.embed(v1).shape == (4, 3)
    assert torch.allclose(siamese.project(siamese.embed(v2)), z2, atol=1e-6)


def test_weights_are_shared_and_both_branches_accumulate(circuits: dict) -> None:
    encoder = _encoder(circuits)
    siamese = SiameseEncoder(encoder, ProjectionHead(3, seed=0))
    assert siamese.encoder is encoder
    v1, v2 = _views()
    z1, z2 = siamese(v1, v2)
    (z1.square().sum() + z2.sum()).backward()
    joint = [p.grad.clone() for p in siamese.parameters()]
    per_branch = []
    for view, loss in ((v1, lambda z: z.square().sum()), (v2, lambda z: z.sum())):
        siamese.zero_grad()
        loss(siamese.project(siamese.embed(view))).backward()
        per_branch.append([p.grad.clone() for p in siamese.parameters()])
    for total, g1, g2 in zip(joint, *per_branch):
        assert torch.allclose(total, g1 + g2, atol=1e-5)
    first_conv = [name for name, _ in siamese.named_parameters()].index("encoder.front_end.net.0.weight")
    assert per_branch[0][first_conv].abs().sum() > 0 and per_branch[1][first_conv].abs().sum() > 0


def test_contrastive_step_reaches_front_end(circuits: dict) -> None:
    siamese = SiameseEncoder(_encoder(circuits), ProjectionHead(3, seed=0))
    NTXentLoss(0.5)(*siamese(*_views())).backward()
    assert siamese.encoder.front_end.first_conv.weight.grad.abs().sum() > 0


def test_state_mode_fidelity_loss_trains_circuit_weights(circuits: dict) -> None:
    """DESIGN: with re-uploading, a fidelity loss gives the circuit weights a non-zero gradient."""
    siamese = SiameseEncoder(_encoder(circuits, output="state"))
    states1, states2 = siamese(*_views())
    assert states1.is_complex() and states1.shape == (4, 8)
    FidelityInfoNCELoss(0.5)(states1, states2).backward()
    assert siamese.encoder.core.weight.grad.abs().max() > 1e-4
    assert siamese.encoder.front_end.first_conv.weight.grad.abs().sum() > 0


def test_errors(circuits: dict) -> None:
    with pytest.raises(ConfigError, match="projection=None"):
        SiameseEncoder(_encoder(circuits, output="state"), ProjectionHead(8))
    v1, _ = _views()
    with pytest.raises(ShapeError, match="same shape"):
        SiameseEncoder(_encoder(circuits))(v1, v1[:2])
