"""Preprocessing against loop-based references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from qhep_contrast.data import (
    CenterCrop,
    LogScale,
    NormalizeMax,
    Preprocess,
    Resize,
    center_crop,
    log_scale,
    normalize_max,
    resize_area,
)
from qhep_contrast.exceptions import ConfigError, ShapeError


def _area_resize_loop(image: np.ndarray, h: int, w: int) -> np.ndarray:
    """Reference: output pixel = integral of the piecewise-constant image over its box / box area."""
    H, W = image.shape
    sy, sx = H / h, W / w
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            total = 0.0
            for a in range(H):
                oy = max(0.0, min((i + 1) * sy, a + 1) - max(i * sy, a))
                if oy == 0.0:
                    continue
                for b in range(W):
                    ox = max(0.0, min((j + 1) * sx, b + 1) - max(j * sx, b))
                    total += image[a, b] * oy * ox
            out[i, j] = total / (sy * sx)
    return out


@pytest.mark.parametrize("shape, size", [((125, 125), (12, 12)), ((125, 125), (16, 16)), ((40, 40), (32, 32)),
                                         ((7, 9), (3, 4)), ((3, 5), (7, 8))])
def test_resize_area_matches_loop_reference(shape, size):
    image = np.random.default_rng(0).random(shape)
    got = resize_area(torch.as_tensor(image), size)
    np.testing.assert_allclose(got.numpy(), _area_resize_loop(image, *size), rtol=1e-10, atol=1e-12)


def test_resize_area_batched_integer_factor_and_conservation():
    x = torch.rand(4, 3, 32, 32, dtype=torch.float64)
    torch.testing.assert_close(resize_area(x, 8), F.avg_pool2d(x, 4))
    y = resize_area(x[:, :, :25, :25], 16)  # non-integer factor: mean exactly preserved
    torch.testing.assert_close(y.mean(dim=(-2, -1)), x[:, :, :25, :25].mean(dim=(-2, -1)))
    s = resize_area(x[:, :, :25, :25], 16, conserve_sum=True)
    torch.testing.assert_close(s.sum(dim=(-2, -1)), x[:, :, :25, :25].sum(dim=(-2, -1)))
    per_image = torch.stack([resize_area(im, (5, 7)) for im in x])
    torch.testing.assert_close(resize_area(x, (5, 7)), per_image)


def test_center_crop_matches_explicit_window():
    x = torch.arange(2 * 125 * 125, dtype=torch.float32).view(2, 125, 125)
    torch.testing.assert_close(center_crop(x, 100), x[:, 12:112, 12:112])
    torch.testing.assert_close(center_crop(x, (3, 4)), x[:, 61:64, 60:64])
    y = center_crop(torch.zeros(1, 9, 9).index_put_((torch.tensor(0), torch.tensor(4), torch.tensor(4)),
                                                    torch.tensor(1.0)), 3)
    assert y[0, 1, 1] == 1.0  # the centre stays the centre
    with pytest.raises(ShapeError):
        center_crop(x, 126)


def test_normalize_max_against_loop():
    x = torch.rand(3, 2, 5, 5) * torch.tensor([1.0, 40.0]).view(1, 2, 1, 1)
    x[1, 0] = 0.0  # an empty channel stays zero
    per_channel, whole = normalize_max(x), normalize_max(x, per_channel=False)
    for b in range(3):
        for c in range(2):
            peak = x[b, c].max()
            expected = x[b, c] / peak if peak > 0 else x[b, c]
            torch.testing.assert_close(per_channel[b, c], expected)
        torch.testing.assert_close(whole[b], x[b] / x[b].max())
    assert per_channel.max() <= 1 and per_channel.min() >= 0
    torch.testing.assert_close(normalize_max(x[0]), per_channel[0])  # (C, H, W) works too
    with pytest.raises(ShapeError):
        normalize_max(torch.rand(5, 5))


def test_log_scale():
    x = torch.rand(2, 1, 4, 4, dtype=torch.float64) * 100
    torch.testing.assert_close(log_scale(x, 10.0), torch.as_tensor(np.log(1 + x.numpy() / 10.0)))
    assert log_scale(torch.zeros(3), 2.0).abs().max() == 0
    with pytest.raises(ConfigError):
        log_scale(x, 0.0)


def test_preprocess_pipeline_batched_equals_per_image_and_shape():
    pre = Preprocess.from_options(crop=120, size=16, log=5.0, normalize="channel")
    assert [type(s) for s in pre.steps] == [CenterCrop, Resize, LogScale, NormalizeMax]
    x = torch.rand(4, 3, 125, 125)
    batched = pre(x)
    assert batched.shape == (4, 3, 16, 16) and pre.output_shape((3, 125, 125)) == (3, 16, 16)
    torch.testing.assert_close(batched, torch.stack([pre(im) for im in x]))
    manual = normalize_max(log_scale(resize_area(center_crop(x, 120), 16), 5.0))
    torch.testing.assert_close(batched, manual)
    assert Preprocess(lambda t: t[..., :3, :]).output_shape((2, 8, 8)) == (2, 3, 8)
    with pytest.raises(ConfigError):
        Preprocess.from_options(normalize="global")
