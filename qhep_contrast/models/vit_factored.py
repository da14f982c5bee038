"""Factored exact evaluation of the vision-transformer head circuits: token features times per-head weights.

A head circuit (:func:`~qhep_contrast.models.vit_attention.head_circuits`) is a token loader and the first
two rotation layers of the ansatz, ``RY(w[d+j]) RX(w[j]) L(x_j)`` on every qubit ``j`` (a product state with
Bloch vectors ``r_j``), followed by a weight-only tail ``U(w)`` (CX rings and rotations) and ``Z``
read-outs. Writing ``M_q = U^dagger Z_q U = sum_P c_P P`` over the ``4^d`` Pauli strings
``P = sigma_{p_{d-1}} (x) ... (x) sigma_{p_0}`` (``sigma = I, X, Y, Z``, ``c_P = Re Tr(P M_q) / 2^d``) gives,
exactly,

    <Z_q>(x) = sum_P c_P prod_j v_j[p_j],    v_j = (1, r_j) in R^4.

:class:`FactoredHead` builds each head's tail unitary with one call of the exact engine (``2^d`` basis
states per head: ``RX(pi b_j)|0> = (-i)^{b_j} |b_j>``, so ``U|b> = i^{|b|} U RX(pi b)|0>``) and its Pauli
coefficients. Every loader gives ``v_j = B_j u_j`` with ``u_j = (1, sin x_j, cos x_j)`` and a weight-only
``4 x 3`` matrix ``B_j`` (the leading rotations times the loader's matrix), so

    <Z_q>(x) = sum_a W[a, q] prod_j u_j[a_j],    W[a, q] = sum_P c_P prod_j B_j[p_j, a_j]:

each circuit is linear in the ``3^d`` token features ``u_0 (x) ... (x) u_{d-1}``
(:func:`token_features`), which the query, key and value circuits of a head share. Per token that is one
outer product and one ``3^d x n_obs`` matrix product; everything that depends on the weights alone
(``W``: ``3^d x n_obs`` per circuit) is computed once per step. Results equal the per-token engine calls to
rounding.
"""

from __future__ import annotations

import math
from typing import Any, cast

import torch
from qiskit.circuit import ParameterVector, QuantumCircuit
from torch import Tensor
from torch.autograd.function import once_differentiable

from qhep_contrast.circuits import CircuitSpec
from qhep_contrast.exceptions import CircuitError
from qhep_contrast.execution import exact

__all__ = ["FactoredHead", "loaded_z", "token_features", "feature_product"]


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


_LOADED: dict[str, list[list[float]]] = {
    "rx": [[1, 0, 0], [0, 0, 0], [0, -1, 0], [0, 0, 1]],  # RX(x)|0>: r = (0, -sin x, cos x)
    "h_rx": [[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]],  # RX(x)|+> = |+> up to a phase: r = (1, 0, 0)
    "h_ry": [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, -1, 0]],  # RY(x)|+>: r = (cos x, 0, -sin x)
}
"""Per loader, the ``4 x 3`` matrix ``A`` with ``(1, r(x)) = A (1, sin x, cos x)``, ``r`` the Bloch vector of
``L(x)|0>``."""


def _loaded(loader: str) -> Tensor:
    if loader not in _LOADED:
        raise CircuitError(f"factored evaluation knows the loaders {tuple(_LOADED)}, got {loader!r}.")
    return torch.tensor(_LOADED[loader], dtype=torch.float64)


def token_features(x: Tensor) -> Tensor:
    """``u_0 (x) u_1 (x) ... (x) u_{d-1}`` with ``u_j = (1, sin x_j, cos x_j)``: ``(..., d)`` -> ``(..., 3^d)``,
    ``u_0`` most significant. Every head circuit's ``<Z_q>`` is linear in these features
    (:meth:`FactoredHead.feature_weights`)."""
    u = torch.stack([torch.ones_like(x), torch.sin(x), torch.cos(x)], dim=-1)  # (..., d, 3)
    out = u[..., 0, :]
    for j in range(1, x.shape[-1]):
        out = (out[..., :, None] * u[..., j, None, :]).flatten(-2)
    return out


def _feature_chain(s: Tensor, c: Tensor) -> list[Tensor]:
    """Token features of the last ``1, 2, ..., d`` qubits from ``s = sin x``, ``c = cos x`` ``(..., d)``: entry ``k``
    is ``u_{d-1-k} (x) ... (x) u_{d-1}``, ``(..., 3^(k+1))``; the last is :func:`token_features`. Each entry is
    written in place as ``F' = [F, s_j F, c_j F]`` (no broadcast outer products, no concatenation temporaries)."""
    d = s.shape[-1]
    f = torch.stack([torch.ones_like(s[..., d - 1]), s[..., d - 1], c[..., d - 1]], dim=-1)
    chain = [f]
    for j in range(d - 2, -1, -1):
        k = f.shape[-1]
        out = f.new_empty(*f.shape[:-1], 3 * k)
        out[..., :k] = f
        torch.mul(f, s[..., j, None], out=out[..., k:2 * k])
        torch.mul(f, c[..., j, None], out=out[..., 2 * k:])
        f = out
        chain.append(f)
    return chain


class _FeatureProduct(torch.autograd.Function):
    """``token_features(x) @ w`` with a hand-written backward (see :func:`feature_product`).

    The three matrix products have an inner or outer size of ``n_obs`` (a handful) against ``G N`` tokens; each
    is written in the operand order that the CPU BLAS runs fastest (measured at ``G = 4, N = 16384, 3^d = 81,
    n_obs = 6``: ``w^T F^T`` 1.5 ms against 4.1 ms for ``F w``, ``grad^T F`` 1.3 ms against 6-7 ms for
    ``F^T grad``, and ``grad w^T`` into a preallocated output 1.1 ms against 4.3 ms).
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, w: Tensor) -> Tensor:
        s, c = torch.sin(x), torch.cos(x)
        chain = _feature_chain(s, c)
        ctx.save_for_backward(s, c, w, *chain)
        return torch.bmm(w.transpose(1, 2), chain[-1].transpose(1, 2)).transpose(1, 2).contiguous()

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor]:
        s, c, w, *chain = ctx.saved_tensors
        d = s.shape[-1]
        grad = grad.contiguous()
        grad_w = torch.bmm(grad.transpose(1, 2), chain[-1]).transpose(1, 2)
        g = grad.new_empty(chain[-1].shape)  # dL/dF, (G, N, 3^d); qubit 0 (most significant) first
        torch.bmm(grad, w.transpose(1, 2), out=g)
        grad_x = grad.new_empty(s.shape)
        for j in range(d):
            k = 3 ** (d - 1 - j)
            g0, g1, g2 = g[..., :k], g[..., k:2 * k], g[..., 2 * k:]
            sj, cj = s[..., j, None], c[..., j, None]
            dj = torch.mul(g1, cj).addcmul_(g2, sj, value=-1.0)  # d u_j / d x_j = (0, cos x_j, -sin x_j)
            if j < d - 1:
                torch.sum(dj.mul_(chain[d - 2 - j]), dim=-1, out=grad_x[..., j])
                g = torch.addcmul(g0, g1, sj).addcmul_(g2, cj)  # contract qubit j with u_j
            else:
                grad_x[..., j] = dj[..., 0]
        return grad_x, grad_w


def feature_product(x: Tensor, w: Tensor) -> Tensor:
    """``token_features(x) @ w`` for groups of tokens: ``x`` ``(G, N, d)``, ``w`` ``(G, 3^d, n_obs)`` ->
    ``(G, N, n_obs)``, differentiable in both (once).

    The same numbers as ``torch.bmm(token_features(x), w)``; the backward contracts ``dL/dF = grad @ w^T``
    with one qubit's ``u_j`` at a time (``dL/dx_j`` from ``u_j' = (0, cos x_j, -sin x_j)`` and the features of
    the later qubits kept from the forward), so no broadcast outer product is differentiated.
    """
    return cast(Tensor, _FeatureProduct.apply(x, w))


def loaded_z(x: Tensor, loader: str) -> Tensor:
    """``<Z>`` of ``L(x)|0>`` per angle: ``cos x`` (``"rx"``), ``0`` (``"h_rx"``), ``-sin x`` (``"h_ry"``).

    This is what a head circuit computes with its entanglers and trainable gates removed (the product-state
    stand-in, :func:`~qhep_contrast.circuits.product_standin`): qubit ``j`` keeps only its loader, so
    ``<Z_j> = z(L(x_j)|0>)``.
    """
    a = _loaded(loader)[3].tolist()
    return a[0] + a[1] * torch.sin(x) + a[2] * torch.cos(x)


def _rotations(a: Tensor, b: Tensor) -> Tensor:
    """``diag(1, R_y(b) R_x(a))`` acting on ``(1, r)``: ``(..., )`` angles -> ``(..., 4, 4)``."""
    one, zero = torch.ones_like(a), torch.zeros_like(a)
    ca, sa, cb, sb = torch.cos(a), torch.sin(a), torch.cos(b), torch.sin(b)
    rows = [[one, zero, zero, zero],  # RX(a): y' = y ca - z sa, z' = y sa + z ca; then RY(b):
            [zero, cb, sb * sa, sb * ca],  # x'' = x cb + z' sb
            [zero, zero, ca, -sa],  # y'' = y'
            [zero, -sb, cb * sa, cb * ca]]  # z'' = z' cb - x sb
    return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)


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
        self._loader_matrix = _loaded(loader)
        bits = torch.tensor([[(k >> j) & 1 for j in range(d)] for k in range(2**d)], dtype=torch.float64)
        self._bits = bits  # (2^d, d)
        self._phase = torch.tensor([(1j) ** int(b.sum()) for b in bits], dtype=torch.complex128)
        self._z = torch.stack([1 - 2 * bits[:, q] for q in qubits], dim=1)  # (2^d, n_obs)
        paulis = _pauli_basis(d)  # (4^d, 2^d, 2^d), one non-zero per row: P[i, j(i)]
        partner = paulis.abs().argmax(dim=2)  # (4^d, 2^d): j(i)
        self._phases = paulis.gather(2, partner[..., None])[..., 0]  # P[i, j(i)]
        self._entries = (partner * 2**d + torch.arange(2**d)).flatten()  # flat index of M[j(i), i]

    def unitaries(self, tail_weights: Tensor) -> Tensor:
        """``U`` of every group, ``(G, 2^d, 2^d)`` complex, from the tail weights ``(G, n_tail)``."""
        g, n = tail_weights.shape[0], 2**self.d
        basis = (math.pi * self._bits).to(tail_weights)
        rows = torch.cat([basis.expand(g, n, self.d), tail_weights[:, None, :].expand(g, n, self.num_tail)], dim=-1)
        states = self._engine.statevector(rows.reshape(g * n, -1), tail_weights.new_zeros(0)).view(g, n, n)
        return (states * self._phase.to(states)[None, :, None]).transpose(1, 2)  # column b = U|b>

    def coefficients(self, tail_weights: Tensor) -> Tensor:
        """Pauli coefficients of ``U^dagger Z_q U`` of every group and read-out, ``(G, n_obs, 4^d)`` (string index
        ``sum_j p_j 4^(d-1-j)``)."""
        u = self.unitaries(tail_weights)
        z = self._z.to(u)
        m = torch.einsum("gki,ko,gkj->goij", u.conj(), z, u)  # (G, n_obs, 2^d, 2^d)
        n = 2**self.d  # Tr(P M) = sum_i P[i, j(i)] M[j(i), i]
        picked = m.flatten(-2).index_select(-1, self._entries.to(m.device)).view(*m.shape[:2], -1, n)
        return (picked * self._phases.to(m)).sum(-1).real / n

    def feature_weights(self, weights: Tensor) -> Tensor:
        """``W`` with ``<Z_q> = token_features(x) @ W[:, q]`` for every group, ``(G, 3^d, n_obs)``, from all the
        circuit weights ``(G, n_w)``.

        The loader and the leading rotations of qubit ``j`` map ``u_j = (1, sin x_j, cos x_j)`` linearly to
        ``v_j = B_j u_j`` (``B_j = diag(1, R_y R_x) A``, ``A`` the loader's matrix), so
        ``W[a, q] = sum_P c_P prod_j B_j[p_j, a_j]``: the Pauli coefficients contracted with ``B_j`` on each
        qubit's axis.
        """
        d, g = self.d, weights.shape[0]
        c = self.coefficients(weights[:, 2 * d:])  # (G, n_obs, 4^d)
        b = _rotations(weights[:, :d], weights[:, d:2 * d]) @ self._loader_matrix.to(weights)  # (G, d, 4, 3)
        n_obs = c.shape[1]
        t = c
        for j in range(d):  # axis of qubit j: 4 Pauli components -> 3 features
            t = torch.einsum("goapb,gpq->goaqb", t.reshape(g, n_obs, 3**j, 4, 4 ** (d - j - 1)), b[:, j])
        return t.reshape(g, n_obs, 3**d).transpose(1, 2)

    def __call__(self, slices: Tensor, weights: Tensor) -> Tensor:
        """``<Z_q>`` of every token of every group: slices ``(G, N, d)``, weights ``(G, n_w)`` -> ``(G, N, n_obs)``."""
        return feature_product(slices, self.feature_weights(weights))
