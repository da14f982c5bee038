"""Vision-transformer tokens: image patches, their linear embedding, positional codes, the class token.

An image ``(B, C, H, W)`` is cut into non-overlapping ``p_h x p_w`` patches, row by row: ``n_t = (H / p_h)
(W / p_w)`` tokens of ``C p_h p_w`` pixels each, embedded by ``Linear(C p_h p_w -> d_t)`` with bias. The
positional code added to every token is one of

* ``"none"``;
* ``"constant"``: the single fixed vector of the hybrid vision transformer of Unlu et al. (2024), the same
  for every token (so it carries no position), with entries ``c_i = sin(1 / 10000^((i-1)/P))`` for odd
  ``i`` and ``c_i = cos(i / 10000^((i-1)/P))`` for even ``i``, ``i = 0 .. d_t - 1``, ``P = C p_h p_w``;
* ``"sinusoidal"``: the per-position code of Vaswani et al. (2017), ``PE[t, 2k] = sin(t / 10000^(2k/d_t))``,
  ``PE[t, 2k+1] = cos(t / 10000^(2k/d_t))`` for token ``t``.

Both codes are buffers, not trainable parameters.

References: E. B. Unlu, M. Comajoan Cara, G. R. Dahale et al., "Hybrid Quantum Vision Transformers for
Event Classification in High Energy Physics", Axioms 13, 187 (2024); A. Vaswani et al., "Attention is all
you need", NeurIPS 2017, sec. 3.5.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["POSITIONAL", "PatchEmbedding", "constant_code", "sinusoidal_code", "patch_grid"]

POSITIONAL: tuple[str, ...] = ("none", "constant", "sinusoidal")
"""The positional codes a :class:`PatchEmbedding` can add."""


def patch_grid(image_size: tuple[int, int], patch: tuple[int, int], path: str = "model") -> tuple[int, int]:
    """Rows and columns of patches of an ``(H, W)`` image.

    Raises:
        ConfigError: a side is not a multiple of the patch side (naming ``<path>.patch``).
    """
    (height, width), (ph, pw) = image_size, patch
    if ph < 1 or pw < 1 or height % ph or width % pw:
        raise ConfigError(f"{path}.patch = {list(patch)} does not tile the {height}x{width} images: each image side "
                          f"must be a multiple of the patch side; choose a patch such as [{_divisor(height)}, "
                          f"{_divisor(width)}], or resize the images with data.image_size.")
    return height // ph, width // pw


def _divisor(side: int) -> int:
    """A small patch side dividing ``side`` (for messages)."""
    return next((d for d in (4, 2, 8) if side % d == 0), 1)


def constant_code(width: int, patch_pixels: int) -> Tensor:
    """The constant positional vector ``(width,)`` of Unlu et al. (see the module docstring)."""
    out = torch.empty(width, dtype=torch.float64)
    for i in range(width):
        scale = 10000.0 ** ((i - 1) / patch_pixels)
        out[i] = math.sin(1.0 / scale) if i % 2 == 1 else math.cos(i / scale)
    return out.float()


def sinusoidal_code(tokens: int, width: int) -> Tensor:
    """The per-position code ``(tokens, width)`` of Vaswani et al. (see the module docstring)."""
    position = torch.arange(tokens, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, width, 2, dtype=torch.float64) / width)
    out = torch.zeros(tokens, width, dtype=torch.float64)
    out[:, 0::2] = torch.sin(position * frequency)
    out[:, 1::2] = torch.cos(position * frequency[: width // 2])
    return out.float()


class PatchEmbedding(nn.Module):
    """``(B, C, H, W)`` images -> ``(B, n_t [+1], d_t)`` tokens (see the module docstring).

    Args:
        image_shape: ``(C, H, W)``.
        patch: ``(p_h, p_w)``.
        width: token width ``d_t``.
        positional: one of :data:`POSITIONAL`.
        class_token: prepend a learned ``d_t``-vector (initialised ``N(0, 1/d_t)``) as token 0, after the
            positional code (which it does not receive).
        path: config path for messages.

    Raises:
        ConfigError: the patch does not tile the image, or an unknown ``positional``.
    """

    def __init__(self, image_shape: tuple[int, int, int], patch: tuple[int, int], width: int, *,
                 positional: str = "none", class_token: bool = False, path: str = "model") -> None:
        super().__init__()
        if positional not in POSITIONAL:
            raise ConfigError(f"{path}.positional = {positional!r} is not one of {POSITIONAL}; pick one of those.")
        channels, height, width_px = image_shape
        self.image_shape = (channels, height, width_px)
        self.patch = (int(patch[0]), int(patch[1]))
        self.rows, self.cols = patch_grid((height, width_px), self.patch, path)
        self.patch_pixels = channels * self.patch[0] * self.patch[1]
        self.num_patches = self.rows * self.cols
        self.width = width
        self.positional = positional
        self.embed = nn.Linear(self.patch_pixels, width)
        code = torch.zeros(self.num_patches, width)
        if positional == "constant":
            code = constant_code(width, self.patch_pixels).expand(self.num_patches, -1).clone()
        elif positional == "sinusoidal":
            code = sinusoidal_code(self.num_patches, width)
        self.register_buffer("code", code, persistent=False)
        self.class_token = nn.Parameter(torch.randn(width) / math.sqrt(width)) if class_token else None

    @property
    def num_tokens(self) -> int:
        """Tokens per image, the class token included."""
        return self.num_patches + int(self.class_token is not None)

    def patches(self, images: Tensor) -> Tensor:
        """``(B, C, H, W)`` -> ``(B, n_t, C p_h p_w)``, patches row by row, pixels channel-major."""
        if images.dim() != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ShapeError(f"{type(self).__name__}: expected images (B, {', '.join(map(str, self.image_shape))}), "
                             f"got {tuple(images.shape)}.")
        b, c = images.shape[:2]
        ph, pw = self.patch
        x = images.reshape(b, c, self.rows, ph, self.cols, pw).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(b, self.num_patches, self.patch_pixels)

    def forward(self, images: Tensor) -> Tensor:
        """The tokens ``(B, n_t [+1], d_t)``."""
        tokens = self.embed(self.patches(images)) + self.code
        if self.class_token is None:
            return tokens
        return torch.cat([self.class_token.expand(tokens.shape[0], 1, -1), tokens], dim=1)
