"""Differentiable conversion of real vectors into the inputs of :func:`~qhep_contrast.circuits.amplitude_encoder`."""

from __future__ import annotations

import torch
from torch import Tensor

from qhep_contrast.circuits._multiplexor import gray_codes
from qhep_contrast.exceptions import ShapeError

__all__ = ["amplitude_angles"]


def _safe_sqrt(squares: Tensor) -> Tensor:
    """``sqrt`` with gradient 0 (not ``nan``) at 0."""
    positive = squares > 0
    return torch.where(positive, squares, torch.ones_like(squares)).sqrt() * positive


def _safe_atan2(y: Tensor, x: Tensor) -> Tensor:
    """``atan2(y, x)``, defined as 0 with gradient 0 where ``x = y = 0`` (torch's backward gives ``nan``)."""
    both_zero = (x == 0) & (y == 0)
    return torch.atan2(torch.where(both_zero, torch.zeros_like(y), y), torch.where(both_zero, torch.ones_like(x), x))


def _gray_walsh(angles: Tensor) -> Tensor:
    """``angles @ gray_walsh_matrix(k).T`` for ``angles`` of shape ``(B, 2**k)``, in ``O(k 2**k)``.

    A fast Walsh-Hadamard transform (``(H a)[r] = sum_c (-1)**popcount(r & c) a[c]``, one butterfly per bit),
    then rows ``g(j)`` in Gray-code order, divided by ``2**k``.
    """
    batch, count = angles.shape
    out, half = angles, 1
    while half < count:
        blocks = out.reshape(batch, -1, 2, half)
        out = torch.stack((blocks[:, :, 0] + blocks[:, :, 1], blocks[:, :, 0] - blocks[:, :, 1]), dim=2)
        out = out.reshape(batch, count)
        half *= 2
    order = torch.as_tensor(gray_codes(count.bit_length() - 1), device=angles.device)
    return out[:, order] / count


def _tree_angles(vectors: Tensor) -> list[Tensor]:
    """Uniformly controlled angles ``a^(k)`` of shape ``(B, 2**k)`` for levels ``k = 0 .. n-1``."""
    batch = vectors.shape[0]
    pairs = vectors.reshape(batch, -1, 2)
    levels = [2 * _safe_atan2(pairs[..., 1], pairs[..., 0])]
    squares = (pairs**2).sum(-1)
    while squares.shape[1] > 1:
        pairs = squares.reshape(batch, -1, 2)
        levels.append(2 * _safe_atan2(_safe_sqrt(pairs[..., 1]), _safe_sqrt(pairs[..., 0])))
        squares = pairs.sum(-1)
    return levels[::-1]


def amplitude_angles(vectors: Tensor) -> Tensor:
    """Inputs that make :func:`~qhep_contrast.circuits.amplitude_encoder` prepare ``v / ||v||``.

    Tree angles: for level ``k`` (target qubit ``t = n-1-k``) and control value ``c`` (the basis-index bits
    above ``t``), let ``s_b`` be the squared norm of the entries whose index has prefix ``c`` and bit ``t``
    equal to ``b``. Then ``a^(k)_c = 2 * atan2(sqrt(s_1), sqrt(s_0))`` for ``k < n-1``; at the last level
    (``t = 0``) the two entries themselves are signed, and ``a^(n-1)_c = 2 * atan2(v[2c+1], v[2c])`` (in
    ``(-2pi, 2pi]``) reproduces their signs, because ``RY(theta)|0> = cos(theta/2)|0> + sin(theta/2)|1>``.
    The circuit's RY gates take ``x^(k) = M_k @ a^(k)`` with ``M_k`` the Gray-code Walsh matrix of the
    uniformly controlled RY decomposition (``M_k[j, c] = (-1)**popcount(c & gray(j)) / 2**k``, applied as a
    fast Walsh-Hadamard transform); the output
    concatenates ``x^(0), x^(1), ..., x^(n-1)``, matching the encoder's inputs.

    The angles are invariant under positive scaling, so ``v`` is normalised implicitly. Where a block of
    the vector is entirely zero its tree angle is set to 0 with zero gradient (the true angle is
    undefined); an all-zero vector therefore maps to ``|0...0>``. Everywhere else the map is smooth and
    autograd gives its exact derivative.

    Args:
        vectors: real tensor of shape ``(B, 2**n)``, ``n >= 1``, float32 or float64, any signs.

    Returns:
        Angles of shape ``(B, 2**n - 1)``, same dtype and device, differentiable with respect to ``vectors``.

    Raises:
        ShapeError: ``vectors`` is not a floating tensor of shape ``(B, 2**n)`` with ``n >= 1``.
    """
    if not isinstance(vectors, Tensor) or vectors.ndim != 2 or not vectors.is_floating_point():
        raise ShapeError(
            "amplitude_angles expects a real floating tensor of shape (B, 2**n); got "
            f"{type(vectors).__name__} {getattr(vectors, 'shape', '')} {getattr(vectors, 'dtype', '')}."
        )
    length = vectors.shape[1]
    if length < 2 or length & (length - 1):
        raise ShapeError(
            f"amplitude_angles expects vectors of length 2**n with n >= 1; got length {length}. "
            "Pad the vectors with zeros to the next power of two."
        )
    return torch.cat([_gray_walsh(angles) for angles in _tree_angles(vectors)], dim=1)
