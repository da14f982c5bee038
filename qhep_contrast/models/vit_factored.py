"""Factored exact evaluation of the vision-transformer head circuits: Bloch vectors per token, Pauli tail per head.

A head circuit (:func:`~qhep_contrast.models.vit_attention.head_circuits`) is a token loader and the first
two rotation layers of the ansatz, ``RY(w[d+j]) RX(w[j]) L(x_j)`` on every qubit ``j`` (a product state with
Bloch vectors ``r_j``), followed by a weight-only tail ``U(w)`` (CX rings and rotations) and ``Z``
read-outs. Writing ``M_q = U^dagger Z_q U = sum_P c_P P`` over the ``4^d`` Pauli strings
``P = sigma_{p_{d-1}} (x) ... (x) sigma_{p_0}`` (``sigma = I, X, Y, Z``, ``c_P = Re Tr(P M_q) / 2^d``) gives,
exactly,

    <Z_q>(x) = sum_P c_P prod_j v_j[p_j],    v_j = (1, r_j) in R^4.

:class:`FactoredHead` builds each head's tail unitary with one call of the exact engine (``2^d`` basis
states per head: ``RX(pi b_j)|0> = (-i)^{b_j} |b_j>``, so ``U|b> = i^{|b|} U RX(pi b)|0>``) and its Pauli
coefficients, then evaluates every token in real arithmetic: the Bloch vectors in closed form, and the sum
as ``v_low^T C v_high`` with ``v_low``, ``v_high`` the outer products of the ``v_j`` of the lower and upper
half of the qubits. Results equal the per-token engine calls to rounding.
"""

from __future__ import annotations

import math

import torch
from qiskit.circuit import ParameterVector, QuantumCircuit
from torch import Tensor

from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.exceptions import CircuitError
from qhep_contrast.execution import exact

__all__ = ["FactoredHead", "loaded_z"]


def _tail(ansatz: CircuitSpec, d: int) -> tuple[QuantumCircuit, list]:
    """The ansatz after its leading ``RX(w[j])``, ``RY(w[d+j])`` layers, behind an ``RX(b_j)`` basis preparer.

    Returns the circuit and its parameters in input order (``b_0 .. b_{d-1}``, then the tail weights).
    """
    head = ansatz.circuit.data[:2 * d]
    expected = [("rx", j) for j in range(d)] + [("ry", j) for j in range(d)]
    found = [(inst.operation.name, ansatz.circuit.find_bit(inst.qubits[0]).index) for inst in head]
    if found != expected:
        raise CircuitError(f"factored evaluation needs an ansatz that starts with RX then RY on every qubit; "
                           f"got {found}. Use the engine evaluation instead.")
    basis = ParameterVector("basis", d)
    circuit = QuantumCircuit(d)
    for j in range(d):
        circuit.rx(basis[j], j)
    for inst in ansatz.circuit.data[2 * d:]:
        circuit.append(inst.operation, inst.qubits, inst.clbits)
    weights = list(ansatz.weights[2 * d:])
    if set(circuit.parameters) != {*basis, *weights}:
        raise CircuitError("factored evaluation needs the ansatz weights w[2d:] to be exactly the tail's parameters; "
                           "use the engine evaluation instead.")
    return circuit, [*basis, *weights]


_SIGMA = torch.tensor([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]],
                      dtype=torch.complex128)


def _pauli_basis(d: int) -> Tensor:
    """Every Pauli string on ``d`` qubits, ``(4^d, 2^d, 2^d)``; string index ``sum_j p_j 4^(d-1-j)``, matrix
    indices in Qiskit order (qubit 0 least significant)."""
    basis = torch.ones(1, 1, 1, dtype=torch.complex128)
    for _ in range(d):
        p, n = basis.shape[0], basis.shape[1]
        basis = (basis[:, None, None, :, None, :] * _SIGMA[None, :, :, None, :, None]).reshape(4 * p, 2 * n, 2 * n)
    return basis


def _bloch(x: Tensor, loader: str) -> tuple[Tensor, Tensor, Tensor]:
    """Bloch vector of ``L(x)|0>`` per angle."""
    if loader == "rx":  # RX(x)|0>
        return torch.zeros_like(x), -torch.sin(x), torch.cos(x)
    if loader == "h_rx":  # RX(x)|+> = |+> up to a phase
        return torch.ones_like(x), torch.zeros_like(x), torch.zeros_like(x)
    return torch.cos(x), torch.zeros_like(x), -torch.sin(x)  # h_ry: RY(x)|+>


def loaded_z(x: Tensor, loader: str) -> Tensor:
    """``<Z>`` of ``L(x)|0>`` per angle: ``cos x`` (``"rx"``), ``0`` (``"h_rx"``), ``-sin x`` (``"h_ry"``).

    This is what a head circuit computes with its entanglers and trainable gates removed (the product-state
    stand-in, :func:`~qhep_contrast.circuits.product_standin`): qubit ``j`` keeps only its loader, so
    ``<Z_j> = z(L(x_j)|0>)``.
    """
    return _bloch(x, loader)[2]


def _outer(vectors: list[Tensor]) -> Tensor:
    """Outer product of ``(..., 4)`` vectors, flattened with the first one most significant."""
    out = vectors[0]
    for v in vectors[1:]:
        out = (out[..., :, None] * v[..., None, :]).flatten(-2)
    return out


class FactoredHead:
    """Exact ``<Z_q>`` of a head circuit for many tokens and weight groups (see the module docstring).

    Args:
        spec: a head circuit from :func:`~qhep_contrast.models.vit_attention.head_circuits`.
        ansatz: its ansatz part (``qvit_query_key`` or ``qvit_value`` of the same width).
        loader: the loader name of ``spec``.
        qubits: the qubits read out (``<Z_q>``).
    """

    def __init__(self, spec: CircuitSpec, ansatz: CircuitSpec, loader: str, qubits: list[int]) -> None:
        self.d = d = spec.num_qubits
        circuit, params = _tail(ansatz, d)
        self.num_tail = len(params) - d
        self._engine = exact.compile(circuit, params, ())
        self.loader = loader
        bits = torch.tensor([[(k >> j) & 1 for j in range(d)] for k in range(2**d)], dtype=torch.float64)
        self._bits = bits  # (2^d, d)
        self._phase = torch.tensor([(1j) ** int(b.sum()) for b in bits], dtype=torch.complex128)
        self._z = torch.stack([1 - 2 * bits[:, q] for q in qubits], dim=1)  # (2^d, n_obs)
        paulis = _pauli_basis(d)  # (4^d, 2^d, 2^d), one non-zero per row: P[i, j(i)]
        partner = paulis.abs().argmax(dim=2)  # (4^d, 2^d): j(i)
        self._phases = paulis.gather(2, partner[..., None])[..., 0]  # P[i, j(i)]
        self._entries = (partner * 2**d + torch.arange(2**d)).flatten()  # flat index of M[j(i), i]
        self.low = (d + 1) // 2

    def unitaries(self, tail_weights: Tensor) -> Tensor:
        """``U`` of every group, ``(G, 2^d, 2^d)`` complex, from the tail weights ``(G, n_tail)``."""
        g, n = tail_weights.shape[0], 2**self.d
        basis = (math.pi * self._bits).to(tail_weights)
        rows = torch.cat([basis.expand(g, n, self.d), tail_weights[:, None, :].expand(g, n, self.num_tail)], dim=-1)
        states = self._engine.statevector(rows.reshape(g * n, -1), tail_weights.new_zeros(0)).view(g, n, n)
        return (states * self._phase.to(states)[None, :, None]).transpose(1, 2)  # column b = U|b>

    def coefficients(self, tail_weights: Tensor) -> Tensor:
        """Pauli coefficients of ``U^dagger Z_q U`` of every group and read-out, ``(G, n_obs, 4^low, 4^(d-low))``."""
        u = self.unitaries(tail_weights)
        z = self._z.to(u)
        m = torch.einsum("gki,ko,gkj->goij", u.conj(), z, u)  # (G, n_obs, 2^d, 2^d)
        n = 2**self.d  # Tr(P M) = sum_i P[i, j(i)] M[j(i), i]
        picked = m.flatten(-2).index_select(-1, self._entries.to(m.device)).view(*m.shape[:2], -1, n)
        c = (picked * self._phases.to(m)).sum(-1).real / n
        return c.reshape(*c.shape[:2], 4**self.low, 4 ** (self.d - self.low))

    def __call__(self, slices: Tensor, weights: Tensor) -> Tensor:
        """``<Z_q>`` of every token of every group: slices ``(G, N, d)``, weights ``(G, n_w)`` -> ``(G, N, n_obs)``."""
        d = self.d
        x, y, z = _bloch(slices, self.loader)
        a, b = weights[:, None, :d], weights[:, None, d:2 * d]
        ca, sa, cb, sb = torch.cos(a), torch.sin(a), torch.cos(b), torch.sin(b)
        y, z = y * ca - z * sa, y * sa + z * ca  # RX(w_j): rotation about x
        x, z = x * cb + z * sb, z * cb - x * sb  # RY(w_{d+j}): rotation about y
        v = torch.stack([torch.ones_like(x), x, y, z], dim=-1)  # (G, N, d, 4)
        low = _outer([v[..., j, :] for j in range(self.low)])  # (G, N, 4^low)
        high = _outer([v[..., j, :] for j in range(self.low, d)])  # (G, N, 4^(d-low))
        c = self.coefficients(weights[:, 2 * d:])  # (G, n_obs, 4^low, 4^(d-low))
        g, n_obs, rows, cols = c.shape
        mixed = torch.bmm(low, c.permute(0, 2, 1, 3).reshape(g, rows, n_obs * cols))  # (G, N, n_obs * cols)
        return (mixed.view(g, -1, n_obs, cols) * high[:, :, None, :]).sum(-1)
