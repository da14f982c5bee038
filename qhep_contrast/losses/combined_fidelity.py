"""Fidelity InfoNCE mixed with a direct positive-pair infidelity term."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from qhep_contrast._checks import check_real
from qhep_contrast.losses._infonce import positive_pairs
from qhep_contrast.losses._states import FidelityMatrixLoss
from qhep_contrast.losses.fidelity_infonce import FidelityInfoNCELoss, FidelityInfoNCEOptions, FidelitySimilarity
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["CombinedFidelityLoss"]


class CombinedFidelityLoss(FidelityMatrixLoss):
    r"""``alpha * InfoNCE_F + (1 - alpha) * (1 - mean positive-pair fidelity)``.

    .. math::

        L = \alpha\, L_{\mathrm{InfoNCE}}(F) + (1 - \alpha)\Big(1 - \frac{1}{N}\sum_{i=1}^{N}
            |\langle \phi^{(1)}_i | \phi^{(2)}_i \rangle|^2\Big)

    where ``L_InfoNCE(F)`` is :class:`~qhep_contrast.losses.FidelityInfoNCELoss` (same ``temperature``,
    ``similarity`` and ``eps``) and the second term is the mean infidelity of the ``N`` positive pairs
    (the two views of each sample), which pulls the views together directly. From a matrix it is read as
    ``1/(2N) sum_i F[i, p(i)]`` with ``p(i) = (i + N) mod 2N``, which equals the formula above for a
    symmetric matrix and averages both directions of a measured (not exactly symmetric) one.
    With ``alpha = 1`` the loss is the fidelity InfoNCE; with ``alpha = 0`` pure positive-pair infidelity
    (no negatives, so the representation can collapse).

    Closed forms: identical views give a second term of 0; orthogonal views a second term of 1.

    References: InfoNCE as in T. Chen et al., SimCLR, ICML 2020, eq. (1) and A. van den Oord et al.,
    arXiv:1807.03748; the infidelity ``1 - F`` is the usual pure-state fidelity loss
    (R. Jozsa, J. Mod. Opt. 41, 2315 (1994) for ``F``).

    Args:
        alpha: weight of the InfoNCE term, ``0 <= alpha <= 1``.
        temperature: ``tau > 0`` of the InfoNCE term.
        similarity: ``"fidelity"`` or ``"log_fidelity"`` (see :class:`FidelityInfoNCELoss`).
        eps: ``0 < eps < 1`` of ``"log_fidelity"``.

    Shapes:
        ``forward(states1, states2)``: two ``(N, 2**n)`` batches of normalised statevectors.
        ``loss_from_fidelities(F)``: real ``(2N, 2N)`` fidelity matrix over ``[view 1; view 2]``.
        Output: scalar.
    """

    def __init__(self, alpha: float = 0.5, temperature: float = 0.5,
                 similarity: FidelitySimilarity = "fidelity", eps: float = 1e-4) -> None:
        super().__init__()
        self.alpha = check_real(type(self).__name__, "alpha", alpha, low=0.0, high=1.0)
        self.info_nce = FidelityInfoNCELoss(temperature=temperature, similarity=similarity, eps=eps)

    def _loss(self, fidelities: Tensor) -> Tensor:
        two_n = fidelities.shape[0]
        rows = torch.arange(two_n, device=fidelities.device)
        infidelity = 1.0 - fidelities[rows, positive_pairs(two_n, fidelities.device)].mean()
        return self.alpha * self.info_nce.loss_from_fidelities(fidelities) + (1.0 - self.alpha) * infidelity

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


@dataclass(frozen=True)
class CombinedFidelityOptions(FidelityInfoNCEOptions):
    """``[loss] name = "combined_fidelity"``: the fidelity InfoNCE keys and its weight ``alpha``."""

    alpha: float = option(0.5, low=0.0, high=1.0, help="weight of the InfoNCE term")


@LOSSES.register("combined_fidelity", options=CombinedFidelityOptions,
                 traits=LossTraits(objectives=("two_views",), inputs="states"),
                 help="alpha * fidelity InfoNCE + (1 - alpha) * (1 - mean positive fidelity) (needs model.output = state)")
def _combined_fidelity(options: CombinedFidelityOptions) -> CombinedFidelityLoss:
    return CombinedFidelityLoss(options.alpha, options.temperature, options.similarity,  # type: ignore[arg-type]
                                options.eps)
