"""Marginal probabilities of selected qubits from a batch of full basis-state distributions.

Qiskit's little-endian convention throughout: basis index ``k = sum_q b_q 2**q`` (qubit 0 is the least
significant bit), and the marginal over ``qubits = (q_0, ..., q_{k-1})`` is indexed by
``j = sum_i b_{q_i} 2**i``, as ``Statevector.probabilities(qubits)`` returns it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from qhep_contrast.exceptions import ConfigError, ShapeError

__all__ = ["check_readout_qubits", "marginal_probabilities"]


def check_readout_qubits(qubits: Sequence[int], num_qubits: int) -> tuple[int, ...]:
    """Validate readout qubits: at least one, distinct, each in ``0 .. num_qubits - 1``.

    Raises:
        ConfigError: empty, repeated or out-of-range qubits.
    """
    picked = tuple(int(q) for q in qubits)
    if not picked or len(set(picked)) != len(picked) or min(picked) < 0 or max(picked) >= num_qubits:
        raise ConfigError(f"readout_qubits must be distinct qubit indices in 0..{num_qubits - 1} (at least one), "
                          f"got {list(qubits)}; e.g. readout_qubits=({num_qubits - 1},).")
    return picked


def marginal_probabilities(probs: torch.Tensor, qubits: Sequence[int], num_qubits: int) -> torch.Tensor:
    """Marginal distribution of ``qubits``: ``(B, 2**n)`` -> ``(B, 2**k)``, differentiable.

    One reshape to ``(B, 2, ..., 2)`` (axis ``1 + n - 1 - q`` is qubit ``q``), one sum over the other
    qubits' axes and one permutation of the kept axes; no loop over samples or basis states.

    Args:
        probs: ``(B, 2**num_qubits)`` real basis-state probabilities.
        qubits: the readout qubits ``(q_0, ..., q_{k-1})``; ``q_0`` becomes the least significant bit.
        num_qubits: ``n``.

    Raises:
        ShapeError: ``probs`` is not ``(B, 2**num_qubits)``.
        ConfigError: invalid ``qubits``.
    """
    picked = check_readout_qubits(qubits, num_qubits)
    if probs.dim() != 2 or probs.shape[1] != 2**num_qubits:
        raise ShapeError(f"marginal_probabilities expects probs of shape (B, {2**num_qubits}), got "
                         f"{tuple(probs.shape)}.")
    batch = probs.shape[0]
    tensor = probs.reshape((batch,) + (2,) * num_qubits)
    axis = {q: num_qubits - q for q in range(num_qubits)}  # axis 1 holds the most significant qubit n - 1
    others = [axis[q] for q in range(num_qubits) if q not in picked]
    kept = tensor.sum(dim=others) if others else tensor
    # remaining axes are the picked qubits in descending qubit order; reorder to (q_{k-1}, ..., q_0)
    remaining = sorted(picked, reverse=True)
    order = [0] + [1 + remaining.index(q) for q in reversed(picked)]
    return kept.permute(order).reshape(batch, 2 ** len(picked))
