"""Particle-jet views: conservation laws, collinearity, soft drops, padding, seeding."""

from __future__ import annotations

import numpy as np
import torch

from qhep_contrast.data.augmentations import VIEWS
from qhep_contrast.data.particle_views import CollinearSplit, JetAxisRotation, SoftDrop
from qhep_contrast.data.particles import pack_particles, pid_one_hot
from qhep_contrast.options import Selection


def _jets(counts: tuple[int, ...] = (5, 3, 8), m: int = 8, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    n = len(counts)
    p = rng.normal(0.0, 1.0, (n, m, 3)) + np.array([2.0, 1.0, 5.0])
    p[:, :, :2] *= rng.exponential(1.0, (n, m, 1))
    e = np.sqrt((p**2).sum(-1) + 0.02)
    mask = np.arange(m)[None, :] < np.asarray(counts)[:, None]
    return torch.from_numpy(pack_particles(mask, np.concatenate([e[..., None], p], -1),
                                           pid_one_hot(rng.choice([22, 211], (n, m))))).double()


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _minkowski(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a[..., 0] * b[..., 0] - (a[..., 1:] * b[..., 1:]).sum(-1)


def test_rotation_about_the_jet_axis_keeps_invariants_and_the_axis() -> None:
    x = _jets()
    y = JetAxisRotation()(x, _gen())
    p4x, p4y = x[:, 0, :, 1:5], y[:, 0, :, 1:5]
    torch.testing.assert_close(p4y.sum(1), p4x.sum(1))
    torch.testing.assert_close(_minkowski(p4y[:, :, None], p4y[:, None]), _minkowski(p4x[:, :, None], p4x[:, None]))
    torch.testing.assert_close(y[..., [0, 1]], x[..., [0, 1]])
    torch.testing.assert_close(y[..., 5:], x[..., 5:])
    assert (p4y - p4x).abs().max() > 0.1


def test_collinear_split_conserves_momentum_and_fills_free_rows() -> None:
    x = _jets()
    y = CollinearSplit(p=0.6, z_min=0.1)(x, _gen(3))
    torch.testing.assert_close(y[:, 0, :, 1:5].sum(1), x[:, 0, :, 1:5].sum(1))
    before, after = x[:, 0, :, 0].sum(1), y[:, 0, :, 0].sum(1)
    assert after[2] == before[2] == 8  # a full jet cannot split
    assert (after >= before).all() and (after[:2] > before[:2]).any()
    for b in range(2):
        new = torch.nonzero((y[b, 0, :, 0] > 0) & (x[b, 0, :, 0] == 0)).flatten().tolist()
        parents = torch.nonzero((x[b, 0, :, 0] > 0) & (y[b, 0] != x[b, 0]).any(-1)).flatten().tolist()
        assert len(new) == len(parents)
        for j in new:  # each new row is z times one parent, which keeps 1 - z, scalars copied
            found = [i for i in parents if torch.allclose(y[b, 0, j, 1:5] + y[b, 0, i, 1:5], x[b, 0, i, 1:5])]
            assert len(found) == 1
            z = y[b, 0, j, 1:5] / x[b, 0, found[0], 1:5]
            torch.testing.assert_close(z, z[0].expand(4))
            assert 0.1 <= float(z[0]) <= 0.5
            torch.testing.assert_close(y[b, 0, j, 5:], x[b, 0, found[0], 5:])


def test_soft_drop_removes_only_soft_particles() -> None:
    x = _jets()
    y = SoftDrop(fraction=0.08, p=1.0)(x, _gen())
    pt = x[:, 0, :, 2:4].norm(dim=-1)
    soft = (pt < 0.08 * x[:, 0, :, 2:4].sum(1).norm(dim=-1, keepdim=True)) & (x[:, 0, :, 0] > 0)
    assert soft.any() and (~soft).any()
    assert (y[:, 0][soft] == 0).all()
    torch.testing.assert_close(y[:, 0][~soft], x[:, 0][~soft])
    torch.testing.assert_close(SoftDrop(fraction=0.08, p=0.0)(x, _gen()), x)


def test_views_are_seeded_and_keep_padding_zero() -> None:
    augment = VIEWS.build(Selection("particle", VIEWS.get("particle").options(split=0.5)))
    x = _jets()
    a, b, c = augment(x, _gen(5)), augment(x, _gen(5)), augment(x, _gen(6))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)
    padded = a[:, 0, :, 0] == 0
    assert (a[:, 0][padded] == 0).all()
