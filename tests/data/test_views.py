"""Augmentation invariants, loop references and seeding."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qhep_contrast.data import (
    Augment,
    DigitsDataset,
    EnergySmear,
    GaussianNoise,
    PixelDropout,
    RandomAffine,
    RandomFlip,
    RandomRotation,
    RandomRotation90,
    RandomTranslate,
    TwoViewDataset,
    digit_augment,
    flip_eta,
    flip_phi,
    jet_augment,
    make_views,
    rotate,
    rotate90,
    translate,
)
from qhep_contrast.data.views import affine_resample
from qhep_contrast.exceptions import ConfigError, ShapeError


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _jets(b: int = 4, h: int = 15, seed: int = 0) -> torch.Tensor:
    """Sparse non-negative images whose energy lies inside the inscribed circle (survives any rotation)."""
    g = _gen(seed)
    x = torch.rand(b, 3, h, h, generator=g, dtype=torch.float64) * (torch.rand(b, 3, h, h, generator=g) < 0.3)
    r = torch.arange(h, dtype=torch.float64) - (h - 1) / 2
    inside = (r.view(-1, 1) ** 2 + r.view(1, -1) ** 2).sqrt() <= (h - 1) / 2 - 1.5
    return x * inside


def _corners(r: float, q: float, h: int, w: int):
    """The in-frame pixels around the point (r, q) with their bilinear weights."""
    r0, q0 = math.floor(r), math.floor(q)
    for rr, qq in ((r0, q0), (r0, q0 + 1), (r0 + 1, q0), (r0 + 1, q0 + 1)):
        if 0 <= rr < h and 0 <= qq < w:
            yield rr, qq, (1 - abs(r - rr)) * (1 - abs(q - qq))


def _splat_rotate_loop(image: np.ndarray, degrees: float) -> np.ndarray:
    """Reference: move each pixel's value to its rotated position with bilinear weights, one pixel at a time."""
    h, w = image.shape
    c, t = (h - 1) / 2, math.radians(degrees)
    out = np.zeros_like(image)
    for i in range(h):
        for j in range(w):
            r = c + math.cos(t) * (i - c) - math.sin(t) * (j - c)
            q = c + math.sin(t) * (i - c) + math.cos(t) * (j - c)
            for rr, qq, wt in _corners(r, q, h, w):
                out[rr, qq] += wt * image[i, j]
    return out


def _bilinear_affine_loop(image: np.ndarray, degrees: float, shift: tuple[float, float]) -> np.ndarray:
    """Reference: out[p] = bilinear sample of image at R^-1 (p - c - shift) + c (zeros outside)."""
    h, w = image.shape
    c, t = (h - 1) / 2, math.radians(degrees)
    out = np.zeros_like(image)
    for i in range(h):
        for j in range(w):
            di, dj = i - c - shift[0], j - c - shift[1]
            r = c + math.cos(t) * di + math.sin(t) * dj
            q = c - math.sin(t) * di + math.cos(t) * dj
            out[i, j] = sum(wt * image[rr, qq] for rr, qq, wt in _corners(r, q, h, w))
    return out


def test_rotate90_four_times_is_identity_and_matches_torch():
    x = torch.rand(5, 2, 7, 7)
    k = torch.tensor([0, 1, 2, 3, 5])
    y = rotate90(x, k)
    for b in range(5):
        torch.testing.assert_close(y[b], torch.rot90(x[b], int(k[b]), dims=(-2, -1)))
    z = x
    for _ in range(4):
        z = rotate90(z, 1)
    assert torch.equal(z, x)
    torch.testing.assert_close(y.sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))
    with pytest.raises(ShapeError):
        rotate90(torch.rand(1, 1, 4, 5), 1)


@pytest.mark.parametrize("degrees", [17.0, 45.0, -123.0, 90.0])
def test_rotate_splat_matches_loop_and_conserves_energy(degrees):
    x = _jets()
    y = rotate(x, degrees)
    for b in range(2):
        for c in range(3):
            np.testing.assert_allclose(y[b, c].numpy(), _splat_rotate_loop(x[b, c].numpy(), degrees), atol=1e-12)
    torch.testing.assert_close(y.sum(dim=(-2, -1)), x.sum(dim=(-2, -1)), rtol=1e-12, atol=1e-12)


def test_rotate_by_90_agrees_with_rot90_and_per_sample_angles():
    x = torch.rand(3, 1, 9, 9, dtype=torch.float64)
    torch.testing.assert_close(rotate(x, 90.0), rotate90(x, 1))
    torch.testing.assert_close(rotate(x, 90.0, mode="sample"), rotate90(x, 1))
    angles = torch.tensor([0.0, 180.0, 270.0], dtype=torch.float64)
    torch.testing.assert_close(rotate(x, angles), rotate90(x, torch.tensor([0, 2, 3])))
    with pytest.raises(ConfigError):
        rotate(x, 10.0, mode="nearest")


@pytest.mark.parametrize("degrees, shift", [(30.0, (0.0, 0.0)), (-12.0, (1.5, -0.25)), (0.0, (2.0, 1.0))])
def test_affine_resample_matches_loop(degrees, shift):
    x = torch.rand(1, 1, 11, 11, dtype=torch.float64)
    y = affine_resample(x, torch.tensor([degrees], dtype=torch.float64), torch.tensor([shift], dtype=torch.float64))
    np.testing.assert_allclose(y[0, 0].numpy(), _bilinear_affine_loop(x[0, 0].numpy(), degrees, shift), atol=1e-10)


def test_rotation_sample_mode_conserves_energy_approximately():
    x = _jets(8, 33)
    # Bilinear resampling of sparse images conserves the total only approximately (a few per cent).
    torch.testing.assert_close(rotate(x, 33.0, mode="sample").sum(), x.sum(), rtol=0.05, atol=0)


def test_reflections_twice_identity_and_energy():
    x = torch.rand(3, 2, 6, 7)
    assert torch.equal(flip_eta(flip_eta(x)), x) and torch.equal(flip_phi(flip_phi(x)), x)
    assert torch.equal(flip_eta(x)[:, :, 0], x[:, :, -1]) and torch.equal(flip_phi(x)[..., 0], x[..., -1])
    torch.testing.assert_close(flip_eta(x).sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))
    draw = RandomFlip()(x, _gen(3))
    torch.testing.assert_close(draw.sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))


def test_translate_matches_loop():
    x = torch.rand(3, 2, 5, 6)
    shifts = torch.tensor([[1, -2], [0, 0], [-4, 5]])
    y = translate(x, shifts)
    for b in range(3):
        dr, dc = shifts[b].tolist()
        for i in range(5):
            for j in range(6):
                src = (i - dr, j - dc)
                expected = x[b, :, src[0], src[1]] if 0 <= src[0] < 5 and 0 <= src[1] < 6 else torch.zeros(2)
                torch.testing.assert_close(y[b, :, i, j], expected)


def test_pixel_dropout_fraction_and_shared_channels():
    x = torch.ones(8, 3, 64, 64)
    p = 0.2
    y = PixelDropout(p)(x, _gen(1))
    dropped = (y[:, 0] == 0).double().mean().item()
    n = 8 * 64 * 64
    assert abs(dropped - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert torch.equal(y[:, 0], y[:, 1]) and torch.equal(y[:, 0], y[:, 2])  # a dead cell kills every channel
    z = PixelDropout(p, per_channel=True)(x, _gen(1))
    assert not torch.equal(z[:, 0], z[:, 1])
    with pytest.raises(ConfigError):
        PixelDropout(1.0)


def test_energy_smear_mean_one_lognormal():
    x = torch.ones(4, 1, 100, 100, dtype=torch.float64)
    sigma = 0.3
    y = EnergySmear(sigma)(x, _gen(2))
    logs = y.log()
    n = y.numel()
    assert abs(logs.mean().item() + sigma**2 / 2) < 5 * sigma / math.sqrt(n)
    assert abs(logs.std().item() - sigma) < 0.01
    assert abs(y.mean().item() - 1.0) < 5 * math.sqrt(math.exp(sigma**2) - 1) / math.sqrt(n)
    assert EnergySmear(sigma)(torch.zeros(1, 1, 3, 3), _gen()).abs().max() == 0


@pytest.mark.parametrize("op", [RandomRotation90(), RandomRotation(30.0), RandomFlip(), RandomTranslate(2),
                                PixelDropout(0.1), EnergySmear(0.2), RandomAffine(1.5, 20.0), GaussianNoise(0.1),
                                jet_augment(dropout=0.05, smear=0.1), digit_augment()])
def test_same_seed_same_output_different_seed_different(op):
    x = _jets(6, 15).float()
    a, b, c = op(x, _gen(11)), op(x, _gen(11)), op(x, _gen(12))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_random_rotations_conserve_energy():
    x = _jets(6, 15)
    torch.testing.assert_close(RandomRotation()(x, _gen()).sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))
    torch.testing.assert_close(RandomRotation90()(x, _gen()).sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))
    view = jet_augment(max_shift=0)(x, _gen())  # rotation + flips only
    torch.testing.assert_close(view.sum(dim=(-2, -1)), x.sum(dim=(-2, -1)))


def test_augment_single_image_and_presets():
    x = torch.rand(1, 8, 8)
    assert Augment(RandomFlip())(x, _gen()).shape == (1, 8, 8)
    assert torch.equal(Augment()(x, _gen()), x)
    assert jet_augment(rotation="none", flips=False, max_shift=0).ops == ()
    with pytest.raises(ConfigError):
        jet_augment(rotation="45")
    noisy = GaussianNoise(0.5)(torch.rand(2, 1, 8, 8), _gen())
    assert noisy.min() >= 0 and noisy.max() <= 1


def test_make_views_differ():
    x = _jets().float()
    v1, v2 = make_views(x, jet_augment(), _gen(4))
    assert v1.shape == x.shape and not torch.equal(v1, v2)


def test_two_view_dataset_deterministic_and_epoch_dependent():
    base = DigitsDataset(classes=(0, 1))
    ds = TwoViewDataset(base, digit_augment(), seed=3)
    assert len(ds) == len(base) and ds.num_classes == 2 and ds.image_shape == (1, 8, 8)
    v1, v2, label = ds[5]
    assert v1.shape == (1, 8, 8) and label.dtype == torch.int64 and int(label) == base.labels[5]
    assert not torch.equal(v1, v2)
    again = TwoViewDataset(base, digit_augment(), seed=3)[5]
    assert torch.equal(again[0], v1) and torch.equal(again[1], v2)
    assert torch.equal(ds[-1][0], ds[len(ds) - 1][0])
    ds.set_epoch(1)
    assert not torch.equal(ds[5][0], v1)
