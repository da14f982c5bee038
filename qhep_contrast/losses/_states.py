"""Checks, fidelities and a common base for losses over batches of statevectors (private)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from qhep_contrast._tensor_checks import check_matrix, check_same_shape
from qhep_contrast.exceptions import InputValueError, ShapeError
from qhep_contrast.execution.exact import fidelity_matrix

__all__ = ["FidelityMatrixLoss", "check_states", "check_fidelity_matrix"]

_NORM_ATOL = 1e-4


def check_states(owner: str, states1: Tensor, states2: Tensor) -> None:
    """Check two batches of normalised statevectors of shape ``(N, 2**n)``.

    Raises:
        ShapeError: not 2-D, different shapes, or a width that is not a power of two.
        InputValueError: a vector whose 2-norm differs from 1 by more than 1e-4.
    """
    check_matrix(owner, "states1", states1)
    check_matrix(owner, "states2", states2)
    check_same_shape(owner, ("states1", "states2"), (states1, states2))
    dim = states1.shape[1]
    if dim & (dim - 1):
        raise ShapeError(f"{owner}: statevectors must have width 2**n, got {dim}; pass QuantumLayer "
                         "output='state' vectors of shape (batch, 2**num_qubits).")
    for name, states in (("states1", states1), ("states2", states2)):
        norms = torch.linalg.vector_norm(states.detach(), dim=1)
        worst = (norms - 1).abs().max().item()
        if worst > _NORM_ATOL:
            raise InputValueError(f"{owner}: every row of {name} must be a normalised statevector "
                                  f"(|norm - 1| <= {_NORM_ATOL:g}), worst was {worst:.3g} off; "
                                  "divide by torch.linalg.vector_norm(states, dim=1, keepdim=True).")


def check_fidelity_matrix(owner: str, fidelities: Tensor) -> None:
    """Check a real ``(2N, 2N)`` fidelity matrix with ``N >= 1``."""
    check_matrix(owner, "fidelities", fidelities, min_rows=2)
    rows, cols = fidelities.shape
    if rows != cols or rows % 2 or fidelities.is_complex():
        raise ShapeError(f"{owner}: fidelities must be a real square (2N, 2N) matrix over [view 1; view 2], "
                         f"got shape {tuple(fidelities.shape)} and dtype {fidelities.dtype}.")


class FidelityMatrixLoss(nn.Module):
    """Base of losses defined on the ``(2N, 2N)`` fidelity matrix of two views of a batch of states.

    Subclasses implement ``_loss(fidelities)``; this base checks inputs and offers both entry points.
    """

    def forward(self, states1: Tensor, states2: Tensor) -> Tensor:
        """Return the loss of two ``(N, 2**n)`` batches of statevectors (view 1 and view 2)."""
        check_states(type(self).__name__, states1, states2)
        stacked = torch.cat([states1, states2], dim=0)
        return self._loss(fidelity_matrix(stacked, stacked))

    def loss_from_fidelities(self, fidelities: Tensor) -> Tensor:
        """Return the loss of a precomputed ``(2N, 2N)`` fidelity matrix (e.g. measured with swap tests)."""
        check_fidelity_matrix(type(self).__name__, fidelities)
        return self._loss(fidelities)

    def _loss(self, fidelities: Tensor) -> Tensor:
        raise NotImplementedError
