"""The anomaly-model interface: ``model(images) -> (B,)`` anomaly scores (higher = more anomalous).

Autoencoders trained on one class score how badly they compress or reconstruct an image: the SQAE
``1 - F`` (trash fidelity), the classical and hybrid autoencoders their per-image binary cross-entropy. The
``anomaly`` objective trains on ``loss(scores)``; the anomaly evaluation ranks test images by the scores.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from qhep_contrast.exceptions import ShapeError

__all__ = ["AnomalyModel", "bce_scores"]


def bce_scores(reconstruction: Tensor, images: Tensor) -> Tensor:
    """Per-image binary cross-entropy ``-mean_p [x_p log y_p + (1 - x_p) log(1 - y_p)]`` over pixels ``p``.

    Args:
        reconstruction: ``(B, C, H, W)`` values ``y`` in ``[0, 1]``.
        images: ``(B, C, H, W)`` targets ``x`` in ``[0, 1]``.

    Returns:
        ``(B,)`` scores (torch clamps each log at -100, as ``binary_cross_entropy`` does).
    """
    return nn.functional.binary_cross_entropy(reconstruction, images, reduction="none").flatten(1).mean(dim=1)


class AnomalyModel(nn.Module):
    """Base of the anomaly models: subclasses define :meth:`scores` on ``(B, C, H, W)`` images.

    Args:
        image_shape: the ``(C, H, W)`` the model accepts.

    Attributes:
        anomaly: always True (the run's evaluation scores anomalies instead of embeddings).
        score_name: what the score is, for plots and tables.
    """

    anomaly = True
    score_name = "anomaly score"

    def __init__(self, image_shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.image_shape = tuple(int(s) for s in image_shape)

    def check_images(self, images: Tensor) -> Tensor:
        """Return ``images`` if it is a ``(B, C, H, W)`` float batch of :attr:`image_shape`.

        Raises:
            ShapeError: another shape or a non-floating dtype.
        """
        if not isinstance(images, Tensor) or images.dim() != 4 or tuple(images.shape[1:]) != self.image_shape:
            got = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
            raise ShapeError(f"{type(self).__name__} takes images of shape (B, {', '.join(map(str, self.image_shape))}), "
                             f"got {got}; set [data] image_size/channels to match the model.")
        if not torch.is_floating_point(images):
            raise ShapeError(f"{type(self).__name__} takes floating-point images, got {images.dtype}.")
        return images

    def scores(self, images: Tensor) -> Tensor:
        """``(B,)`` anomaly scores of ``(B, C, H, W)`` images."""
        raise NotImplementedError

    def forward(self, images: Tensor) -> Tensor:
        """:meth:`scores` of the checked images."""
        return self.scores(self.check_images(images))

    def embed(self, images: Tensor) -> Tensor:
        """The scores as a ``(B, 1)`` representation (so embedding-based tools can also read them)."""
        return self(images).unsqueeze(1)
