"""InfoNCE with the state fidelity of quantum states as the similarity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from qhep_contrast._checks import check_real
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.losses._infonce import info_nce_from_logits
from qhep_contrast.losses._states import FidelityMatrixLoss
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.options import option

__all__ = ["FidelityInfoNCELoss", "FidelitySimilarity", "SIMILARITIES"]

FidelitySimilarity = Literal["fidelity", "log_fidelity"]
SIMILARITIES: tuple[str, ...] = ("fidelity", "log_fidelity")


class FidelityInfoNCELoss(FidelityMatrixLoss):
    r"""InfoNCE over two views of a batch of quantum states, with fidelity as the similarity.

    The ``2N`` states ``|phi_1..2N> = [states1; states2]`` are compared by the state fidelity
    ``F_ik = |<phi_i|phi_k>|^2`` (pure states). Anchor ``i``'s positive is the other view of its sample,
    ``p(i) = (i + N) mod 2N``:

    .. math::

        \ell_i = -\log \frac{\exp(s(F_{i,p(i)}) / \tau)}{\sum_{k \ne i} \exp(s(F_{ik}) / \tau)},
        \qquad L = \frac{1}{2N} \sum_{i=1}^{2N} \ell_i ,

    with the similarity ``s`` chosen by ``similarity``:

    * ``"fidelity"`` (default): ``s(F) = F``. Logits lie in ``[0, 1/tau]``, so no epsilon is needed for
      the numerics. Caveat: ``dF = 2 Re(<phi_i|phi_k>^* d<phi_i|phi_k>)`` vanishes at ``F = 0``, so a pair
      of orthogonal states gets no gradient from its own term.
    * ``"log_fidelity"``: ``s(F) = log(F + eps)``, so ``exp(s / tau) = (F + eps)^(1/tau)`` and the gradient
      ``dF / (F + eps)`` stays finite and is amplified for small fidelities instead of vanishing; ``eps``
      bounds that amplification and keeps ``log(0)`` away.

    Closed forms: all states equal gives ``L = log(2N - 1)``; identical views of mutually orthogonal
    samples give ``L = log(1 + (2N - 2) exp((s(0) - s(1)) / tau))``.

    The fidelity takes the place of the cosine similarity of NT-Xent (T. Chen et al., SimCLR, ICML 2020,
    eq. (1); A. van den Oord et al., arXiv:1807.03748); ``F`` is the squared-overlap fidelity of pure
    states (R. Jozsa, J. Mod. Opt. 41, 2315 (1994)). For ``|phi(x)> = U(w) V(x)|0>`` the fidelity does not
    depend on ``w``: train such models with trainable gates inside the encoding (data re-uploading).

    Args:
        temperature: ``tau > 0``.
        similarity: ``"fidelity"`` or ``"log_fidelity"``.
        eps: ``0 < eps < 1``, used by ``"log_fidelity"`` only.

    Shapes:
        ``forward(states1, states2)``: two ``(N, 2**n)`` batches of normalised statevectors (complex or
        real), e.g. ``QuantumLayer(..., output="state")`` outputs. ``loss_from_fidelities(F)``: a
        precomputed real ``(2N, 2N)`` fidelity matrix over ``[view 1; view 2]``. Output: scalar.
    """

    def __init__(self, temperature: float = 0.5, similarity: FidelitySimilarity = "fidelity",
                 eps: float = 1e-4) -> None:
        super().__init__()
        owner = type(self).__name__
        self.temperature = check_real(owner, "temperature", temperature, low=0.0, low_open=True)
        if similarity not in SIMILARITIES:
            raise ConfigError(f"{owner}: similarity must be one of {SIMILARITIES}, got {similarity!r}.")
        self.similarity: FidelitySimilarity = similarity
        self.eps = check_real(owner, "eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)

    def _loss(self, fidelities: Tensor) -> Tensor:
        if self.similarity == "log_fidelity":
            sims = torch.log(fidelities + self.eps)
        else:
            sims = fidelities
        return info_nce_from_logits(sims / self.temperature)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature:g}, similarity={self.similarity!r}, eps={self.eps:g}"


@dataclass(frozen=True)
class FidelityInfoNCEOptions:
    """``[loss] name = "fidelity_infonce"``."""

    temperature: float = option(0.5, low=0.0, low_open=True, help="InfoNCE temperature tau > 0")
    similarity: str = option("fidelity", choices=SIMILARITIES, help="s(F) = F or log(F + eps)")
    eps: float = option(1e-4, low=0.0, high=1.0, low_open=True, high_open=True, help="log_fidelity epsilon")


@LOSSES.register("fidelity_infonce", options=FidelityInfoNCEOptions,
                 traits=LossTraits(objectives=("two_views",), inputs="states"),
                 help="InfoNCE with the state fidelity |<psi_i|psi_j>|^2 as similarity (needs model.output = state)")
def _fidelity_infonce(options: FidelityInfoNCEOptions) -> FidelityInfoNCELoss:
    return FidelityInfoNCELoss(options.temperature, options.similarity, options.eps)  # type: ignore[arg-type]
