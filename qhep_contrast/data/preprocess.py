"""Image preprocessing: centre crop, exact area resize, max normalisation, log scaling.

Image functions take tensors of shape ``(..., H, W)`` (a ``(C, H, W)`` image or a ``(B, C, H, W)``
batch) and are pure tensor code. :class:`Preprocess` chains steps (:class:`CenterCrop`, :class:`Resize`,
:class:`LogScale`, :class:`NormalizeMax`) into one transform usable as a dataset ``transform`` or on
batches; it reports its ``output_shape`` so datasets know their image shape without reading data.
Features become rotation angles inside the models (:class:`~qhep_contrast.models.AngleScaling`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import torch

from qhep_contrast.exceptions import ConfigError, InputValueError, ShapeError

__all__ = [
    "center_crop",
    "area_matrix",
    "resize_area",
    "normalize_max",
    "log_scale",
    "CenterCrop",
    "Resize",
    "NormalizeMax",
    "LogScale",
    "Preprocess",
    "applies_log_scale",
    "LOG_SCALE_NEGATIVE_FIX",
]

LOG_SCALE_NEGATIVE_FIX = ("a log scale log(1 + x/s) follows, which needs values >= 0 (negative energies turn into "
                          "NaN or distorted features): clip negative values to 0 when making the file, select "
                          "only non-negative channels, or drop log_scale")
"""How to fix negative inputs of :func:`log_scale` (ends the messages of readers that refuse them)."""

Size = int | tuple[int, int]


def _pair(size: Size) -> tuple[int, int]:
    """``(h, w)`` from an int or a pair; both must be positive."""
    h, w = (size, size) if isinstance(size, int) else tuple(size)
    if int(h) < 1 or int(w) < 1:
        raise ConfigError(f"image size must be positive; got {size!r}")
    return int(h), int(w)


def center_crop(x: torch.Tensor, size: Size) -> torch.Tensor:
    """Central ``(h, w)`` window of ``x`` ``(..., H, W)``.

    The window starts at row ``(H - h) // 2`` and column ``(W - w) // 2`` (for odd margins the extra row
    or column is dropped at the bottom/right), so the jet axis at the image centre stays central.

    Raises:
        ShapeError: the window is larger than the image.
    """
    h, w = _pair(size)
    H, W = x.shape[-2:]
    if h > H or w > W:
        raise ShapeError(f"cannot crop a {H}x{W} image to {h}x{w}; the crop must not exceed the image")
    top, left = (H - h) // 2, (W - w) // 2
    return x[..., top:top + h, left:left + w]


@lru_cache(maxsize=64)
def _area_matrix_np(n_in: int, n_out: int) -> np.ndarray:
    """Float64 area-averaging matrix, see :func:`area_matrix`."""
    s = n_in / n_out
    i = np.arange(n_out)[:, None]
    j = np.arange(n_in)[None, :]
    overlap = np.minimum((i + 1) * s, j + 1) - np.maximum(i * s, j)
    return np.clip(overlap, 0.0, None) / s


def area_matrix(n_in: int, n_out: int, dtype: torch.dtype = torch.float32,
                device: torch.device | str | None = None) -> torch.Tensor:
    """Exact 1-D area-averaging matrix ``A`` of shape ``(n_out, n_in)``.

    Output cell ``i`` covers ``[i s, (i + 1) s)`` in input-pixel units with ``s = n_in / n_out``;
    ``A[i, j] = |[i s, (i + 1) s) ∩ [j, j + 1)| / s``, the fraction of that cell filled by input pixel
    ``j``. Rows sum to 1 (averages); non-integer ``s`` (e.g. 125 -> 16) splits boundary pixels exactly.
    """
    return torch.as_tensor(_area_matrix_np(int(n_in), int(n_out)), dtype=dtype, device=device)


def resize_area(x: torch.Tensor, size: Size, conserve_sum: bool = False) -> torch.Tensor:
    """Resize ``x`` ``(..., H, W)`` to ``(..., h, w)`` by exact area averaging.

    ``y = A_h x A_w^T`` with :func:`area_matrix`: each output pixel is the mean of ``x`` over its area,
    so the image mean is preserved (a 2-D box integral, unlike ``adaptive_avg_pool2d``, whose windows
    overlap for non-integer factors). With ``conserve_sum=True`` the result is multiplied by
    ``(H W) / (h w)``, which conserves the total (energy) instead of the mean.
    """
    h, w = _pair(size)
    H, W = x.shape[-2:]
    a_h = area_matrix(H, h, x.dtype, x.device)
    a_w = area_matrix(W, w, x.dtype, x.device)
    y = a_h @ x @ a_w.T
    return y * ((H * W) / (h * w)) if conserve_sum else y


def normalize_max(x: torch.Tensor, per_channel: bool = True) -> torch.Tensor:
    """Divide each image (``per_channel=False``) or each channel of each image by its maximum.

    ``x`` is ``(C, H, W)`` or ``(B, C, H, W)``. The divisor is ``max |x|`` over ``(H, W)`` (per channel)
    or over ``(C, H, W)`` (whole image); an all-zero image or channel is left at zero. Non-negative
    inputs (energy deposits) land in ``[0, 1]`` with maximum exactly 1. Per channel is the default and
    the convention of the ML4SCI quark/gluon studies (Tracks, ECAL and HCAL have very different scales;
    each channel is divided by its own maximum).
    """
    if x.dim() < 3:
        raise ShapeError(f"normalize_max expects (C, H, W) or (B, C, H, W); got shape {tuple(x.shape)}")
    dims = (-2, -1) if per_channel else (-3, -2, -1)
    peak = x.abs().amax(dim=dims, keepdim=True)
    return x / torch.where(peak > 0, peak, torch.ones_like(peak))


def log_scale(x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """``log(1 + x / scale)`` elementwise (compresses the energy range; zero stays zero).

    Defined for ``x > -scale``; energy images are non-negative. Readers given a transform that applies a
    log scale refuse negative pixels up front (see :func:`applies_log_scale`).

    Raises:
        InputValueError: some ``x <= -scale`` (the result would be NaN or -inf).
    """
    if not scale > 0:
        raise ConfigError(f"log_scale needs scale > 0; got {scale}")
    low = x.amin() if x.numel() else None
    if low is not None and bool(low <= -scale):
        raise InputValueError(f"log_scale(x, scale={scale}) got x = {float(low):g} <= -scale, where log(1 + x/scale) "
                              f"is NaN or -inf; {LOG_SCALE_NEGATIVE_FIX}")
    return torch.log1p(x / scale)


def applies_log_scale(transform: object) -> bool:
    """Whether ``transform`` is a :class:`LogScale` or a :class:`Preprocess` with one (its input must be >= 0)."""
    if isinstance(transform, LogScale):
        return True
    return isinstance(transform, Preprocess) and any(applies_log_scale(step) for step in transform.steps)


@dataclass(frozen=True)
class CenterCrop:
    """Step: :func:`center_crop` to ``size``."""

    size: Size

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return center_crop(x, self.size)

    def output_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        h, w = _pair(self.size)
        if h > shape[-2] or w > shape[-1]:
            raise ShapeError(f"cannot crop a {shape[-2]}x{shape[-1]} image to {h}x{w}")
        return (*shape[:-2], h, w)


@dataclass(frozen=True)
class Resize:
    """Step: :func:`resize_area` to ``size`` (``conserve_sum`` keeps the total instead of the mean)."""

    size: Size
    conserve_sum: bool = False

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return resize_area(x, self.size, self.conserve_sum)

    def output_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        return (*shape[:-2], *_pair(self.size))


@dataclass(frozen=True)
class NormalizeMax:
    """Step: :func:`normalize_max` (per channel by default)."""

    per_channel: bool = True

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return normalize_max(x, self.per_channel)

    def output_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        return tuple(shape)


@dataclass(frozen=True)
class LogScale:
    """Step: :func:`log_scale` with ``scale``."""

    scale: float = 1.0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return log_scale(x, self.scale)

    def output_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        return tuple(shape)


class Preprocess:
    """A sequence of preprocessing steps applied in order to ``(C, H, W)`` or ``(B, C, H, W)`` tensors.

    Args:
        *steps: callables on tensors; those with ``output_shape(shape)`` (all steps of this module)
            let :meth:`output_shape` work without data.

    Example:
        >>> pre = Preprocess(CenterCrop(120), Resize(16), NormalizeMax())
        >>> pre(torch.rand(8, 3, 125, 125)).shape
        torch.Size([8, 3, 16, 16])
    """

    def __init__(self, *steps: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.steps = tuple(steps)

    @classmethod
    def from_options(cls, crop: Size | None = None, size: Size | None = None, log: float | None = None,
                     normalize: str | None = "channel") -> "Preprocess":
        """The usual pipeline: crop, then area resize, then ``log(1 + x/log)``, then max normalisation.

        Args:
            crop: centre-crop size, or ``None``.
            size: output size of the area resize, or ``None``.
            log: scale of the log scaling, or ``None`` for none.
            normalize: ``"channel"`` (per channel), ``"image"`` (whole image) or ``None``.
        """
        if normalize not in ("channel", "image", None):
            raise ConfigError(f"normalize must be 'channel', 'image' or None; got {normalize!r}")
        steps = [CenterCrop(crop) if crop is not None else None, Resize(size) if size is not None else None,
                 LogScale(log) if log is not None else None,
                 NormalizeMax(normalize == "channel") if normalize is not None else None]
        return cls(*(s for s in steps if s is not None))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        for step in self.steps:
            x = step(x)
        return x

    def output_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        """Shape after all steps for an input of ``shape`` (``(C, H, W)`` or ``(B, C, H, W)``)."""
        out = tuple(shape)
        for step in self.steps:
            if not hasattr(step, "output_shape"):
                return tuple(self(torch.zeros(tuple(shape))).shape)
            out = step.output_shape(out)
        return out

    def __repr__(self) -> str:
        return f"Preprocess({', '.join(map(repr, self.steps))})"
