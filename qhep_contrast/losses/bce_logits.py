"""Binary cross-entropy on logits, for classifiers trained with the ``supervised`` objective."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from qhep_contrast.exceptions import ShapeError
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.registry import NoOptions

__all__ = ["BCEWithLogitsLoss"]


class BCEWithLogitsLoss(nn.Module):
    r"""Mean binary cross-entropy of logits ``s_i`` against targets ``y_i in {0, 1}``.

    .. math::

        L = -\frac{1}{N} \sum_i \big[y_i \log \sigma(s_i) + (1 - y_i) \log(1 - \sigma(s_i))\big],

    evaluated in the stable form ``max(s, 0) - s y + log(1 + e^{-|s|})``.

    Shapes:
        ``logits``: ``(N,)`` or ``(N, 1)``; ``targets``: ``(N,)``. Output: scalar.
    """

    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        """Return the mean loss (see the class docstring)."""
        if logits.dim() == 2 and logits.shape[1] == 1:
            logits = logits[:, 0]
        if logits.dim() != 1 or targets.shape != logits.shape:
            raise ShapeError(f"{type(self).__name__}: expected one logit per sample, (N,) or (N, 1), and targets "
                             f"(N,); got logits {tuple(logits.shape)} and targets {tuple(targets.shape)}. Give the "
                             "model a one-unit output head.")
        return F.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype))


@LOSSES.register("bce_logits", traits=LossTraits(objectives=("supervised",)),
                 help="binary cross-entropy on one logit per sample (supervised classifiers)")
def _bce_logits(options: NoOptions) -> BCEWithLogitsLoss:
    return BCEWithLogitsLoss()
