"""Seeded, batched physics-respecting views of packed particle jets ``(B, 1, M, 5 + S)``.

* :class:`JetAxisRotation`: every particle's momentum rotated by one random angle about the jet axis
  (the direction of the summed momenta): ``p -> p cos t + (n x p) sin t + n (n . p)(1 - cos t)``, energies kept;
* :class:`CollinearSplit`: each real particle, with probability ``p``, split into two exactly collinear
  ones carrying ``z`` and ``1 - z`` of its four-momentum (``z ~ U(z_min, 1/2)``, scalars copied), the new
  one in a free padded row (no split where the jet has none left);
* :class:`SoftDrop`: each real particle whose transverse momentum is below ``fraction`` of the jet's is
  dropped (zeroed) with probability ``p``.

Rotations and collinear splits keep the jet's total four-momentum; soft drops change it by soft particles
only (infrared and collinear safe views; B. Dillon et al., SciPost Phys. 12, 188 (2022)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from qhep_contrast.data.particles import FOUR_MOMENTUM, MASK_COLUMN
from qhep_contrast.exceptions import ShapeError

__all__ = ["JetAxisRotation", "CollinearSplit", "SoftDrop"]


def _check(x: torch.Tensor) -> None:
    if x.dim() != 4 or x.shape[1] != 1 or x.shape[-1] < 5:
        raise ShapeError(f"particle views take packed jets (B, 1, M, 5 + S); got shape {tuple(x.shape)}")


def _draw(generator: torch.Generator, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    return torch.rand(shape, generator=generator, device=generator.device).to(device=like.device, dtype=like.dtype)


@dataclass(frozen=True)
class JetAxisRotation:
    """Rotate every jet about its axis by an angle drawn uniformly in ``[0, 2 pi)``."""

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        _check(x)
        p = x[:, 0, :, 2:5]
        axis = p.sum(1)
        n = axis / axis.norm(dim=-1, keepdim=True).clamp(min=1e-12)
        t = 2 * torch.pi * _draw(generator, (x.shape[0],), x)
        cos, sin, n = t.cos()[:, None, None], t.sin()[:, None, None], n[:, None, :]
        rotated = p * cos + torch.cross(n.expand_as(p), p, dim=-1) * sin + n * (p * n).sum(-1, keepdim=True) * (1 - cos)
        out = x.clone()
        out[:, 0, :, 2:5] = rotated
        return out


@dataclass(frozen=True)
class CollinearSplit:
    """Split each real particle with probability ``p`` into fractions ``z, 1 - z``, ``z ~ U(z_min, 1/2)``."""

    p: float = 0.2
    z_min: float = 0.1

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        _check(x)
        real = x[:, 0, :, MASK_COLUMN] > 0
        pick = real & (_draw(generator, tuple(real.shape), x) < self.p)
        z_all = self.z_min + (0.5 - self.z_min) * _draw(generator, tuple(real.shape), x)
        free = ~real
        rank = torch.cumsum(pick.long(), 1) - 1
        pick = pick & (rank < free.sum(1, keepdim=True))
        slots = torch.argsort((~free).to(torch.int8), dim=1, stable=True)  # free rows first, in order
        b, i = pick.nonzero(as_tuple=True)
        j = slots[b, rank[b, i]]
        z = z_all[b, i][:, None]
        out = x.clone()
        row = x[b, 0, i]
        moved = row.clone()
        moved[:, FOUR_MOMENTUM] = row[:, FOUR_MOMENTUM] * z
        row[:, FOUR_MOMENTUM] = row[:, FOUR_MOMENTUM] * (1 - z)
        out[b, 0, i] = row
        out[b, 0, j] = moved
        return out


@dataclass(frozen=True)
class SoftDrop:
    """Drop (zero) with probability ``p`` each real particle carrying under ``fraction`` of the jet's pT."""

    fraction: float = 0.05
    p: float = 0.5

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        _check(x)
        pt = x[:, 0, :, 2:4].norm(dim=-1)
        jet_pt = x[:, 0, :, 2:4].sum(1).norm(dim=-1, keepdim=True)
        real = x[:, 0, :, MASK_COLUMN] > 0
        drop = real & (pt < self.fraction * jet_pt) & (_draw(generator, tuple(real.shape), x) < self.p)
        return x * (~drop)[:, None, :, None].to(x.dtype)
