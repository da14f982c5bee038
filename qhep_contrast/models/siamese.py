"""Two-view (Siamese) wrapper: one encoder, shared by both views, and an optional projection head."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["SiameseEncoder"]


class SiameseEncoder(nn.Module):
    """Encode two views with the *same* encoder (shared weights) and project them for a contrastive loss.

    ``forward(view1, view2)`` stacks both views into one batch ``[view1; view2]``, runs the encoder once
    (one circuit execution for a hybrid encoder; batch statistics over both views as in SimCLR) and
    returns ``(z1, z2)``, each ``projection(encoder(view))`` or ``encoder(view)`` without a projection.
    Because one module serves both branches, gradients of both views accumulate in the same parameters.
    :meth:`embed` returns the representation before the projection head (for linear probes and kNN).

    Args:
        encoder: e.g. a :class:`HybridEncoder` or its classical twin.
        projection: e.g. a :class:`ProjectionHead`; refused for encoders with ``output == "state"``
            (statevectors go straight to the fidelity losses).

    Shapes:
        ``view1``, ``view2``: the encoder's input shape, same batch size. Outputs: two ``(B, D)`` tensors.
    """

    def __init__(self, encoder: nn.Module, projection: nn.Module | None = None) -> None:
        super().__init__()
        if projection is not None and getattr(encoder, "output", None) == "state":
            raise ConfigError(f"{type(self).__name__}: the encoder returns statevectors (output='state'), which "
                              "feed fidelity losses directly; pass projection=None.")
        self.encoder = encoder
        self.projection = projection

    def embed(self, inputs: Tensor) -> Tensor:
        """The representation ``h = encoder(inputs)``, before the projection head."""
        return self.encoder(inputs)

    def project(self, representation: Tensor) -> Tensor:
        """``projection(representation)``, or the representation itself without a projection head."""
        return representation if self.projection is None else self.projection(representation)

    def forward(self, view1: Tensor, view2: Tensor) -> tuple[Tensor, Tensor]:
        """Return ``(z1, z2)`` for the two views (see the class docstring)."""
        if view1.shape != view2.shape:
            raise ShapeError(f"{type(self).__name__}: both views must have the same shape, got "
                             f"{tuple(view1.shape)} and {tuple(view2.shape)}.")
        z = self.project(self.embed(torch.cat([view1, view2], dim=0)))
        return z[: view1.shape[0]], z[view1.shape[0]:]
