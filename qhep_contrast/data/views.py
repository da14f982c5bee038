"""Seeded, batched augmentations for contrastive views of jet images and digits.

Images are ``(B, C, H, W)`` (a single ``(C, H, W)`` image is accepted by :class:`Augment`). For jet
images axis ``-2`` is pseudorapidity (eta) and axis ``-1`` azimuth (phi); the jet axis is the image
centre. Every random operation draws from an explicit ``torch.Generator`` (CPU or on the images'
device), so the same generator state gives the same views.

Jet augmentations respect the physics: rotations about the jet axis (90-degree multiples exactly, or any
angle by bilinear *splatting*, which moves each pixel's energy to the four pixels around its rotated
position and so conserves the total energy of everything that stays inside the frame), reflections in
eta and phi, small integer translations, pixel dropout (dead cells) and multiplicative log-normal energy
smearing with mean one. Digit augmentations are small affine maps (bilinear resampling) and Gaussian noise.
Views in the spirit of SimCLR: T. Chen et al., "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020; jet-physics augmentations: B. Dillon et al., "Symmetries, safety, and
self-supervision", SciPost Phys. 12, 188 (2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from qhep_contrast.data.base import LabelledImageDataset, normalize_index
from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = [
    "AugmentOp",
    "rotate90",
    "rotate",
    "flip_eta",
    "flip_phi",
    "translate",
    "affine_resample",
    "RandomRotation90",
    "RandomRotation",
    "RandomFlip",
    "RandomTranslate",
    "PixelDropout",
    "EnergySmear",
    "RandomAffine",
    "GaussianNoise",
    "Augment",
    "jet_augment",
    "digit_augment",
    "make_views",
    "item_generator",
    "TwoViewDataset",
]

AugmentOp = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


def _check_batch(x: torch.Tensor, square: bool = False) -> None:
    """Require ``(B, C, H, W)`` (and ``H == W`` when ``square``)."""
    if x.dim() != 4 or (square and x.shape[-1] != x.shape[-2]):
        need = "square (B, C, H, H)" if square else "(B, C, H, W)"
        raise ShapeError(f"expected a {need} batch of images; got shape {tuple(x.shape)}")


def _per_sample(values: torch.Tensor | Sequence[float] | float, batch: int, device: torch.device,
                dtype: torch.dtype) -> torch.Tensor:
    """Broadcast a scalar or ``(B,)`` parameter to a ``(B,)`` tensor."""
    t = torch.as_tensor(values, dtype=dtype, device=device)
    return t.expand(batch) if t.dim() == 0 else t


def _uniform(generator: torch.Generator, n: int, low: float, high: float) -> torch.Tensor:
    """``n`` uniform draws in ``[low, high)`` on the generator's device."""
    return low + (high - low) * torch.rand(n, generator=generator, device=generator.device)


# ---------------------------------------------------------------- deterministic transforms


def rotate90(x: torch.Tensor, k: torch.Tensor | int) -> torch.Tensor:
    """Rotate each image of ``x`` ``(B, C, H, H)`` by ``k[b] * 90`` degrees (as ``torch.rot90``, dims (-2, -1)).

    Exact (a pixel permutation), so the total energy is conserved exactly; ``k`` is an int or ``(B,)``.
    """
    _check_batch(x, square=True)
    kk = _per_sample(k, x.shape[0], x.device, torch.int64) % 4
    out = x
    for r in range(1, 4):
        out = torch.where((kk == r).view(-1, 1, 1, 1), torch.rot90(x, r, dims=(-2, -1)), out)
    return out


def _rotation_positions(h: int, degrees: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Rotated (row, col) positions ``(B, H*H)`` of every pixel centre about the image centre.

    The sense matches ``torch.rot90``: +90 degrees sends pixel (i, j) to (H-1-j, i).
    """
    c = (h - 1) / 2
    grid = torch.arange(h, dtype=degrees.dtype, device=degrees.device) - c
    di, dj = torch.meshgrid(grid, grid, indexing="ij")
    di, dj = di.reshape(1, -1), dj.reshape(1, -1)
    t = torch.deg2rad(degrees).view(-1, 1)
    cos, sin = torch.cos(t), torch.sin(t)
    return c + cos * di - sin * dj, c + sin * di + cos * dj


def _splat(x: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """Move each pixel's value to its (fractional) position ``(rows, cols)`` ``(B, H*W)`` by bilinear weights.

    Values landing outside the frame are dropped; everything else is conserved exactly.
    """
    b, c, h, w = x.shape
    src = x.reshape(b, c, h * w)
    out = torch.zeros_like(src)
    r0, c0 = torch.floor(rows), torch.floor(cols)
    fr, fc = rows - r0, cols - c0
    for dr, dc, wt in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc), (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        rr, cc = r0.long() + dr, c0.long() + dc
        inside = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        index = (rr.clamp(0, h - 1) * w + cc.clamp(0, w - 1)).unsqueeze(1).expand(b, c, h * w)
        out.scatter_add_(-1, index, src * (wt * inside).unsqueeze(1).to(src.dtype))
    return out.reshape(b, c, h, w)


def rotate(x: torch.Tensor, degrees: torch.Tensor | float, mode: str = "splat") -> torch.Tensor:
    """Rotate each image of ``x`` ``(B, C, H, H)`` about its centre by ``degrees`` (scalar or ``(B,)``).

    Args:
        x: square images.
        degrees: rotation angle(s), same sense as :func:`rotate90` (+90 equals ``k = 1``).
        mode: ``"splat"`` (default, for energy images): forward bilinear splatting, conserves the total
            of everything that stays inside the frame exactly; ``"sample"``: bilinear resampling
            (``grid_sample``), smoother for ordinary pictures, conserves the total only approximately.
    """
    _check_batch(x, square=True)
    deg = _per_sample(degrees, x.shape[0], x.device, x.dtype if x.is_floating_point() else torch.float32)
    if mode == "splat":
        rows, cols = _rotation_positions(x.shape[-1], deg)
        return _splat(x, rows, cols)
    if mode == "sample":
        return affine_resample(x, deg, torch.zeros(x.shape[0], 2, dtype=deg.dtype, device=x.device))
    raise ConfigError(f"rotate mode must be 'splat' or 'sample'; got {mode!r}")


def affine_resample(x: torch.Tensor, degrees: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Rotate by ``degrees`` ``(B,)`` about the centre, then shift by ``shifts`` ``(B, 2)`` (rows, cols) pixels.

    Bilinear resampling (``grid_sample``, zeros outside): output pixel ``p`` takes the input value at
    ``R^-1 (p - c - shift) + c``. For square ``(B, C, H, H)`` images.
    """
    _check_batch(x, square=True)
    h = x.shape[-1]
    t = torch.deg2rad(degrees).to(x.dtype)
    cos, sin = torch.cos(t), torch.sin(t)
    # grid_sample's (x, y) = (col, row) in [-1, 1]; +theta must match rotate90's sense: (i, j) -> (H-1-j, i).
    theta = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    offset = -2.0 * shifts.to(x.dtype).flip(-1) / h
    offset = (theta @ offset.unsqueeze(-1)).squeeze(-1)
    grid = F.affine_grid(torch.cat([theta, offset.unsqueeze(-1)], -1), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def flip_eta(x: torch.Tensor) -> torch.Tensor:
    """Reflect in eta (axis -2): eta -> -eta about the jet axis."""
    return x.flip(-2)


def flip_phi(x: torch.Tensor) -> torch.Tensor:
    """Reflect in phi (axis -1): phi -> -phi about the jet axis."""
    return x.flip(-1)


def translate(x: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Shift each image by whole pixels ``shifts`` ``(B, 2)`` (rows, cols), zero fill (no wrap-around).

    Output pixel ``(i, j)`` is input pixel ``(i - dr, j - dc)``; energy shifted out of the frame is lost.
    """
    _check_batch(x)
    b, c, h, w = x.shape
    s = shifts.to(device=x.device, dtype=torch.int64)
    rows = torch.arange(h, device=x.device).view(1, h) - s[:, :1]
    cols = torch.arange(w, device=x.device).view(1, w) - s[:, 1:]
    valid = ((rows >= 0) & (rows < h)).unsqueeze(-1) & ((cols >= 0) & (cols < w)).unsqueeze(1)
    index = (rows.clamp(0, h - 1).unsqueeze(-1) * w + cols.clamp(0, w - 1).unsqueeze(1)).view(b, 1, h * w)
    out = torch.gather(x.reshape(b, c, h * w), -1, index.expand(b, c, h * w)).view(b, c, h, w)
    return out * valid.unsqueeze(1).to(x.dtype)


# ---------------------------------------------------------------- random operations


@dataclass(frozen=True)
class RandomRotation90:
    """Rotate each image by a uniformly random multiple of 90 degrees (exact)."""

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        k = torch.randint(0, 4, (x.shape[0],), generator=generator, device=generator.device)
        return rotate90(x, k.to(x.device))


@dataclass(frozen=True)
class RandomRotation:
    """Rotate each image by a uniform angle in ``[-max_degrees, max_degrees]`` (see :func:`rotate`)."""

    max_degrees: float = 180.0
    mode: str = "splat"

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        deg = _uniform(generator, x.shape[0], -self.max_degrees, self.max_degrees)
        return rotate(x, deg.to(x.device), self.mode)


@dataclass(frozen=True)
class RandomFlip:
    """Reflect each image in eta and/or phi, each independently with probability ``p``."""

    eta: bool = True
    phi: bool = True
    p: float = 0.5

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        draws = torch.rand(x.shape[0], 2, generator=generator, device=generator.device).to(x.device) < self.p
        if self.eta:
            x = torch.where(draws[:, 0].view(-1, 1, 1, 1), flip_eta(x), x)
        if self.phi:
            x = torch.where(draws[:, 1].view(-1, 1, 1, 1), flip_phi(x), x)
        return x


@dataclass(frozen=True)
class RandomTranslate:
    """Shift each image by integer (rows, cols) drawn uniformly from ``[-max_shift, max_shift]``."""

    max_shift: int = 1

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        s = torch.randint(-self.max_shift, self.max_shift + 1, (x.shape[0], 2), generator=generator,
                          device=generator.device)
        return translate(x, s.to(x.device))


@dataclass(frozen=True)
class PixelDropout:
    """Zero each pixel independently with probability ``p`` (all channels together: a dead cell,
    unless ``per_channel``). The expected fraction of zeroed pixels is ``p``."""

    p: float = 0.05
    per_channel: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.p < 1.0:
            raise ConfigError(f"PixelDropout p must be in [0, 1); got {self.p}")

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        b, c, h, w = x.shape
        shape = (b, c if self.per_channel else 1, h, w)
        keep = torch.rand(shape, generator=generator, device=generator.device).to(x.device) >= self.p
        return x * keep.to(x.dtype)


@dataclass(frozen=True)
class EnergySmear:
    """Multiply each pixel by an independent mean-one log-normal factor ``exp(sigma z - sigma^2 / 2)``,
    ``z ~ N(0, 1)`` (detector energy resolution); zero pixels stay zero, signs are kept."""

    sigma: float = 0.1

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        z = torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype).to(x.device)
        return x * torch.exp(self.sigma * z - 0.5 * self.sigma**2)


@dataclass(frozen=True)
class RandomAffine:
    """Small random rotation (uniform in ``[-max_degrees, max_degrees]``) and shift (uniform in
    ``[-max_shift, max_shift]`` pixels per axis) with bilinear resampling: image augmentation for digits."""

    max_shift: float = 1.0
    max_degrees: float = 15.0

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        b = x.shape[0]
        deg = _uniform(generator, b, -self.max_degrees, self.max_degrees)
        shifts = _uniform(generator, 2 * b, -self.max_shift, self.max_shift).view(b, 2)
        return affine_resample(x, deg.to(x.device), shifts.to(x.device))


@dataclass(frozen=True)
class GaussianNoise:
    """Add ``std * N(0, 1)`` noise per pixel, then clip to ``clip`` (``None``: no clipping)."""

    std: float = 0.05
    clip: tuple[float, float] | None = (0.0, 1.0)

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        z = torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype).to(x.device)
        y = x + self.std * z
        return y.clamp(*self.clip) if self.clip is not None else y


class Augment:
    """Apply random operations in order: ``augment(x, generator)`` for ``(B, C, H, W)`` or ``(C, H, W)``.

    Args:
        *ops: callables ``op(x, generator) -> x`` on ``(B, C, H, W)`` (the classes of this module).
    """

    def __init__(self, *ops: AugmentOp) -> None:
        self.ops = tuple(ops)

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        single = x.dim() == 3
        y = x.unsqueeze(0) if single else x
        for op in self.ops:
            y = op(y, generator)
        return y[0] if single else y

    def __repr__(self) -> str:
        return f"Augment({', '.join(map(repr, self.ops))})"


def jet_augment(rotation: str = "any", flips: bool = True, max_shift: int = 1, dropout: float = 0.0,
                smear: float = 0.0) -> Augment:
    """Physics-respecting view pipeline for jet images.

    Args:
        rotation: ``"any"`` (uniform angle, energy-conserving splat), ``"90"`` (multiples of 90
            degrees) or ``"none"``.
        flips: random reflections in eta and phi.
        max_shift: largest integer translation (0 for none).
        dropout: pixel-dropout probability (0 for none).
        smear: log-normal energy-smearing width sigma (0 for none).
    """
    rot: dict[str, AugmentOp | None] = {"any": RandomRotation(180.0), "90": RandomRotation90(), "none": None}
    if rotation not in rot:
        raise ConfigError(f"rotation must be 'any', '90' or 'none'; got {rotation!r}")
    ops: list[AugmentOp | None] = [
        rot[rotation], RandomFlip() if flips else None, RandomTranslate(max_shift) if max_shift else None,
        PixelDropout(dropout) if dropout else None, EnergySmear(smear) if smear else None]
    return Augment(*(op for op in ops if op is not None))


def digit_augment(max_shift: float = 1.0, max_degrees: float = 15.0, noise: float = 0.05) -> Augment:
    """Small affine maps plus Gaussian noise (clipped to [0, 1]) for digit images."""
    ops: list[AugmentOp] = [RandomAffine(max_shift, max_degrees)]
    if noise:
        ops.append(GaussianNoise(noise))
    return Augment(*ops)


def make_views(x: torch.Tensor, augment: AugmentOp, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two independent random views of a batch ``x`` (e.g. on the GPU inside the training step)."""
    return augment(x, generator), augment(x, generator)


def item_generator(seed: int, epoch: int, index: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A generator seeded from ``(seed, epoch, index)``: per-item randomness independent of worker order."""
    state = np.random.SeedSequence([int(seed), int(epoch), int(index)]).generate_state(1, np.uint64)[0]
    return torch.Generator(device=device).manual_seed(int(state))


class TwoViewDataset(Dataset):
    """SimCLR-style dataset: item ``i`` is ``(view1, view2, label)`` of image ``i`` of ``base``.

    The two views are drawn by ``augment`` with :func:`item_generator` ``(seed, epoch, i)``, so they are
    reproducible whatever the worker layout; call :meth:`set_epoch` each epoch for fresh views.

    Args:
        base: any labelled image dataset.
        augment: ``augment(batch, generator)`` (e.g. :func:`jet_augment` or :func:`digit_augment`).
        seed: random seed.
    """

    def __init__(self, base: LabelledImageDataset, augment: AugmentOp, seed: int = 0) -> None:
        self.base, self.augment, self.seed, self.epoch = base, augment, int(seed), 0

    def set_epoch(self, epoch: int) -> None:
        """Select the views of epoch ``epoch``."""
        self.epoch = int(epoch)

    @property
    def labels(self) -> np.ndarray:
        """Labels of ``base`` (``(N,)`` int64)."""
        return self.base.labels

    @property
    def num_classes(self) -> int:
        return self.base.num_classes

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.base.image_shape

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        i = normalize_index(index, len(self))
        image, label = self.base[i][:2]
        views = self.augment(torch.stack([image, image]), item_generator(self.seed, self.epoch, i))
        return views[0], views[1], label
