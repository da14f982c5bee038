"""Autoencoder fidelity on the data register: ``F = <r|rho_trash|r>`` from an ``n``-qubit statevector.

A swap test between the trash register of ``|psi>`` and a pure reference ``|r>`` reads
``<Z_ancilla> = Tr(rho_trash |r><r|) = <r|rho_trash|r> = sum_l |sum_t r_t^* psi_{t,l}|^2`` (``t`` runs over
the trash basis states, ``l`` over the rest). This module computes that sum directly from the engine's
``(B, 2**n)`` statevectors, so training needs neither the reference register nor the ancilla. Qiskit's
ordering: qubit ``q`` is bit ``q`` of a basis index; a reference vector over trash qubits ``(q_0, q_1, ...)``
has ``q_0`` as its least significant bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from qhep_contrast.exceptions import ShapeError

__all__ = ["product_state", "trash_fidelity"]


def product_state(theta: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """``(x)_k RZ(phi_k) RY(theta_k)|0>`` as a ``(2**t,)`` complex vector (qubit ``k`` = bit ``k``).

    Each factor is ``(cos(theta/2) e^{-i phi/2}, sin(theta/2) e^{i phi/2})``. Differentiable in both angles.

    Args:
        theta, phi: ``(t,)`` real angles.

    Raises:
        ShapeError: the angle vectors are not 1-D of the same length.
    """
    if theta.dim() != 1 or theta.shape != phi.shape:
        raise ShapeError(f"product_state needs two 1-D angle vectors of equal length, got {tuple(theta.shape)} and "
                         f"{tuple(phi.shape)}.")
    half_phase = torch.polar(torch.ones_like(phi), phi / 2)
    factors = torch.stack([torch.cos(theta / 2) * half_phase.conj(), torch.sin(theta / 2) * half_phase], dim=1)
    state = torch.ones(1, dtype=factors.dtype, device=factors.device)
    for k in range(theta.shape[0]):  # qubit k becomes the next more significant bit
        state = torch.outer(factors[k], state).reshape(-1)
    return state


def trash_fidelity(psi: torch.Tensor, reference: torch.Tensor, trash: Sequence[int]) -> torch.Tensor:
    """``F_b = <r|rho_trash(psi_b)|r>`` for a batch of ``n``-qubit states.

    Args:
        psi: ``(B, 2**n)`` complex statevectors (Qiskit ordering).
        reference: ``(2**t,)`` complex normalised reference ``|r>`` over ``trash`` (``trash[0]`` = bit 0).
        trash: the ``t`` trash qubits, distinct, in ``[0, n)``.

    Returns:
        ``(B,)`` real fidelities in ``[0, 1]``; differentiable in ``psi`` and ``reference``.

    Raises:
        ShapeError: ``psi`` is not ``(B, 2**n)``, or ``reference`` does not have ``2**t`` entries, or
            ``trash`` repeats or leaves the register.
    """
    if psi.dim() != 2 or psi.shape[1] & (psi.shape[1] - 1) or psi.shape[1] < 2:
        raise ShapeError(f"trash_fidelity needs statevectors of shape (B, 2**n), got {tuple(psi.shape)}.")
    n = psi.shape[1].bit_length() - 1
    qubits = [int(q) for q in trash]
    if len(set(qubits)) != len(qubits) or not qubits or any(not 0 <= q < n for q in qubits):
        raise ShapeError(f"trash qubits must be distinct qubits of the {n}-qubit register, got {list(trash)}.")
    if reference.shape != (2 ** len(qubits),):
        raise ShapeError(f"the reference over {len(qubits)} trash qubits must have shape ({2 ** len(qubits)},), "
                         f"got {tuple(reference.shape)}.")
    rest = [q for q in range(n) if q not in qubits]
    # tensor axis 1 + i holds qubit n-1-i; order the trash axes most significant first, then the rest
    axes = [1 + n - 1 - q for q in reversed(qubits)] + [1 + n - 1 - q for q in reversed(rest)]
    blocks = psi.reshape((psi.shape[0],) + (2,) * n).permute(0, *axes).reshape(psi.shape[0], 2 ** len(qubits), -1)
    projected = torch.einsum("t,btl->bl", reference.conj().to(psi.dtype), blocks)
    return (projected.real.square() + projected.imag.square()).sum(dim=1)
