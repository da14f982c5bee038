"""Multi-head self-attention of the vision transformers: classical, and quantum (Unlu et al. 2024).

Both split a token ``x_i`` of width ``d_t`` into ``n_h`` head slices ``x_i^h`` of width ``d_h = d_t / n_h``,
attend within each head and concatenate the heads (no output projection):

* :class:`ClassicalAttention`: bias-free ``Q = x W_Q``, ``K = x W_K``, ``V = x W_V`` (``d_h x d_h`` per head),
  ``head = softmax(Q K^T / sqrt(d_h)) V``; ``3 n_h d_h^2`` weights.
* :class:`QuantumAttention`: the slice is loaded on ``d_h`` qubits by one of :data:`LOADERS`; the query and key
  circuits
  (:func:`~qhep_contrast.circuits.qvit_query_key`, ``3 d_h + 1`` weights each, read ``<Z_0>``) give scalars
  ``Q_i``, ``K_i``; the value circuit (:func:`~qhep_contrast.circuits.qvit_value`, ``3 d_h`` weights, reads
  ``<Z_j>`` on every qubit) gives ``V_i``; ``A_ij = -(Q_i - K_j)^2`` and ``head = softmax(A / sqrt(d_h)) V``;
  ``n_h (9 d_h + 2)`` weights.

Controls (``control``, see :data:`CIRCUIT_CONTROLS`): ``"frozen_circuit"`` keeps the circuit weights at their
initial values (not trained); ``"product_standin"`` replaces every circuit by what it computes without
entanglers and trainable gates: qubit ``j`` keeps its loader only, so ``V_ij = <Z>(L(x_ij)|0>)`` and
``Q_i = K_i = <Z>(L(x_i0)|0>)`` (``cos x`` for ``"rx"``; :func:`~qhep_contrast.models.vit_factored.loaded_z`),
with no weights.

Loaders: ``"h_rx"`` is the published one (:func:`~qhep_contrast.circuits.token_loader`: ``H`` then
``RX(x_ij)`` on qubit ``j``). ``H|0> = |+>`` is an eigenstate of ``X``, so ``RX(x)|+> = e^{-ix/2}|+>``: the
token only adds a global phase, and the first ansatz gate ``RX(w)`` does the same, so with ``"h_rx"`` the
outputs ``Q_i``, ``K_i``, ``V_i`` do not depend on the token at all: the attention is one constant matrix
and every token receives the same constant. ``"rx"`` (``RX(x_ij)`` on ``|0>``,
:func:`~qhep_contrast.circuits.angle_encoder`) and ``"h_ry"`` (``H`` then ``RY(x_ij)``) load the token.

The quantum attention is two calls of the exact engine per layer, whatever the batch, tokens and heads: one
for the queries and keys of every token of every sample in every head (``2 n_h B n_t`` rows), one for the
values (``n_h B n_t`` rows). The circuit weights ride along as extra per-row inputs (each row carries its
token slice and its head's weights), so one compiled circuit serves every head; gradients reach the weights
through the engine's input gradients.

Reference: E. B. Unlu, M. Comajoan Cara, G. R. Dahale et al., "Hybrid Quantum Vision Transformers for Event
Classification in High Energy Physics", Axioms 13, 187 (2024).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from qhep_contrast.circuits import CircuitSpec, angle_encoder, compose, qvit_query_key, qvit_value, token_loader
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import exact
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.vit_factored import FactoredHead, feature_product, loaded_z

__all__ = ["CIRCUIT_CONTROLS", "LOADERS", "SIMULATIONS", "ClassicalAttention", "QuantumAttention", "head_circuits", "split_heads"]

LOADERS: tuple[str, ...] = ("h_rx", "rx", "h_ry")
"""Token loaders of the quantum attention (see the module docstring; ``"h_rx"`` is the published one)."""

SIMULATIONS: tuple[str, ...] = ("engine", "factored")
"""How the head circuits are simulated: every token's circuit in the exact engine, or
:class:`~qhep_contrast.models.vit_factored.FactoredHead` (the same numbers, far fewer operations)."""


CIRCUIT_CONTROLS: tuple[str, ...] = ("none", "frozen_circuit", "product_standin")
"""Controls of the quantum attention (see the module docstring; ``"none"``: the trained circuits)."""


def split_heads(width: int, heads: int, path: str = "model") -> int:
    """The head width ``d_h = width / heads``.

    Raises:
        ConfigError: ``width`` is not a multiple of ``heads`` (naming ``<path>.heads``).
    """
    if heads < 1 or width % heads:
        raise ConfigError(f"{path}.token_width = {width} is not divisible by {path}.heads = {heads}: every head takes "
                          f"an equal slice of a token; choose heads among the divisors of {width}.")
    return width // heads


def _loader(d: int, name: str) -> CircuitSpec:
    if name == "h_rx":
        return token_loader(d)
    if name == "rx":
        return angle_encoder(d, "rx")
    if name == "h_ry":
        spec = angle_encoder(d, "ry")
        circuit = spec.circuit.copy_empty_like()
        circuit.h(range(d))
        return CircuitSpec(circuit.compose(spec.circuit), spec.inputs, (), spec.observables, f"h_ry_{d}q")
    raise ConfigError(f"model.loader = {name!r} is not a token loader; choose one of {LOADERS}.")


def head_circuits(d: int, loader: str = "h_rx") -> tuple[CircuitSpec, CircuitSpec]:
    """The query/key and value circuits of one head with a token loader in front: ``(query_key, value)``.

    Each has the ``d`` token angles as inputs and its ``3d + 1`` (query/key) or ``3d`` (value) weights.

    Raises:
        ConfigError: ``loader`` is not one of :data:`LOADERS`.
    """
    loader_spec = _loader(d, loader)
    return compose(loader_spec, qvit_query_key(d)), compose(loader_spec, qvit_value(d))


def _attend(scores: Tensor, values: Tensor, d: int) -> Tensor:
    """``softmax(scores / sqrt(d)) @ values`` over the last axis of ``scores``."""
    return torch.softmax(scores / math.sqrt(d), dim=-1) @ values


def _distance_scores(q: Tensor, k: Tensor, scale: float) -> Tensor:
    """Scaled scores ``scale * A_ij``, ``A_ij = -(Q_i - K_j)^2``, up to a per-row constant: ``(n_h, B, T)`` twice
    -> ``(n_h, B, T, T)``.

    ``-(Q_i - K_j)^2 = 2 Q_i K_j - K_j^2 - Q_i^2``; the last term is the same for every key of query ``i`` and
    cancels in the softmax over ``j``, so ``2 Q_i K_j - K_j^2`` gives the same attention weights in one
    broadcast ``addcmul`` (forward and backward each about a tenth of the time of the plain square of the
    difference or of a batched ``baddbmm`` over the ``n_h B`` tiny outer products, at ``B = 512, T = 32`` on CPU).
    """
    return torch.addcmul((-scale * k.square())[..., None, :], q[..., :, None], (2.0 * scale) * k[..., None, :])


def _merge(heads: Tensor) -> Tensor:
    """``(n_h, B, T, d_h)`` -> ``(B, T, n_h d_h)``, head-major slices."""
    h, b, t, d = heads.shape
    return heads.permute(1, 2, 0, 3).reshape(b, t, h * d)


class ClassicalAttention(nn.Module):
    """Bias-free multi-head dot-product attention (see the module docstring).

    Attributes:
        weight: ``(3, n_h, d_h, d_h)``: query, key and value matrices of every head (``x @ W``).

    Shapes:
        ``(B, T, n_h d_h)`` -> ``(B, T, n_h d_h)``.
    """

    def __init__(self, width: int, heads: int, *, path: str = "model") -> None:
        super().__init__()
        self.heads, self.head_width = heads, split_heads(width, heads, path)
        bound = 1.0 / math.sqrt(self.head_width)
        self.weight = nn.Parameter(torch.empty(3, heads, self.head_width, self.head_width).uniform_(-bound, bound))

    def forward(self, x: Tensor) -> Tensor:
        b, t, _ = x.shape
        xh = x.reshape(b, t, self.heads, self.head_width).permute(2, 0, 1, 3)  # (n_h, B, T, d_h)
        q, k, v = torch.einsum("hbtd,shde->shbte", xh, self.weight)
        return _merge(_attend(q @ k.transpose(-1, -2), v, self.head_width))


class QuantumAttention(nn.Module):
    """Quantum multi-head self-attention, batched over samples, tokens and heads (see the module docstring).

    Args:
        width: token width ``d_t``.
        heads: ``n_h``; ``d_h = d_t / n_h`` qubits per circuit.
        loader: one of :data:`LOADERS`.
        simulation: one of :data:`SIMULATIONS`.
        init_scale: circuit weights start ``U(-init_scale, init_scale)``.
        seed: seeds the circuit weights.
        control: one of :data:`CIRCUIT_CONTROLS`.

    Attributes:
        query_key: ``(2, n_h, 3 d_h + 1)``: query (row 0) and key (row 1) circuit weights of every head (None
            for the product-state stand-in; not trained for the frozen circuit).
        value: ``(n_h, 3 d_h)``: value circuit weights of every head (likewise).

    Shapes:
        ``(B, T, n_h d_h)`` -> ``(B, T, n_h d_h)``.
    """

    def __init__(self, width: int, heads: int, *, loader: str = "h_rx", simulation: str = "engine",
                 init_scale: float = math.pi, seed: int | None = None, control: str = "none",
                 path: str = "model") -> None:
        super().__init__()
        if control not in CIRCUIT_CONTROLS:
            raise ConfigError(f"{path}.control = {control!r}: choose one of {CIRCUIT_CONTROLS}.")
        self.heads, self.head_width = heads, split_heads(width, heads, path)
        d = self.head_width
        self.query_key_spec, self.value_spec = head_circuits(d, loader)
        self.loader, self.control = loader, control
        with seeded(seed):
            qk = (torch.rand(2, heads, self.query_key_spec.num_weights) * 2 - 1) * init_scale
            val = (torch.rand(heads, self.value_spec.num_weights) * 2 - 1) * init_scale
        self.query_key: nn.Parameter | None
        self.value: nn.Parameter | None
        if control == "product_standin":
            self.register_parameter("query_key", None)
            self.register_parameter("value", None)
        else:
            trained = control == "none"
            self.query_key = nn.Parameter(qk, requires_grad=trained)
            self.value = nn.Parameter(val, requires_grad=trained)
        self._qk = self._compiled(self.query_key_spec)
        self._v = self._compiled(self.value_spec)
        self._qk_obs = self._qk.observable_program(self.query_key_spec.observables)
        self._v_obs = self._v.observable_program(self.value_spec.observables)
        if simulation not in SIMULATIONS:
            raise ConfigError(f"{path}.simulation = {simulation!r}: choose one of {SIMULATIONS}.")
        self.simulation = simulation
        self._factored = None
        if simulation == "factored":
            self._factored = (FactoredHead(self.query_key_spec, qvit_query_key(d), loader, [0]),
                              FactoredHead(self.value_spec, qvit_value(d), loader, list(range(d))))

    def circuit_parameters(self) -> list[nn.Parameter]:
        """The circuit weights of this layer: :attr:`query_key` and :attr:`value` (none for the stand-in)."""
        return [] if self.query_key is None or self.value is None else [self.query_key, self.value]

    @staticmethod
    def _compiled(spec: CircuitSpec) -> exact.ExactCircuit:
        """``spec`` compiled with its weights as trailing per-row inputs (no shared weights)."""
        return exact.compile(spec.circuit, (*spec.inputs, *spec.weights), ())

    @staticmethod
    def _rows(slices: Tensor, weights: Tensor) -> Tensor:
        """Engine inputs ``(G B T, d_h + n_w)``: every token slice ``(G, B, T, d_h)`` beside its group's weights
        ``(G, n_w)``."""
        g, b, t, d = slices.shape
        w = weights[:, None, None, :].expand(g, b, t, weights.shape[-1])
        return torch.cat([slices, w], dim=-1).reshape(g * b * t, -1)

    def circuit_outputs(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(Q, K, V)`` of every token and head: ``(n_h, B, T)``, ``(n_h, B, T)``, ``(n_h, B, T, d_h)``."""
        b, t, _ = x.shape
        h, d = self.heads, self.head_width
        xh = x.reshape(b, t, h, d).permute(2, 0, 1, 3)  # (n_h, B, T, d_h)
        if self.query_key is None or self.value is None:  # product-state stand-in
            z = loaded_z(xh, self.loader)
            return z[..., 0], z[..., 0], z
        if self._factored is not None:  # every circuit of a head is linear in the same token features
            qk_head, v_head = self._factored
            w_qk = qk_head.feature_weights(self.query_key.reshape(2 * h, -1))  # (2 n_h, 3^d, 1)
            w_qk = w_qk.reshape(2, h, -1).permute(1, 2, 0)  # (n_h, 3^d, 2): query, key
            w = torch.cat([w_qk, v_head.feature_weights(self.value)], dim=-1)  # (n_h, 3^d, 2 + d_h)
            out = feature_product(xh.reshape(h, b * t, d), w).view(h, b, t, 2 + d)
            return out[..., 0], out[..., 1], out[..., 2:]
        empty = x.new_zeros(0)
        qk_rows = self._rows(xh.unsqueeze(0).expand(2, -1, -1, -1, -1).reshape(2 * h, b, t, d),
                             self.query_key.reshape(2 * h, -1))
        qk = self._qk.expectation(qk_rows, empty, self._qk_obs).reshape(2, h, b, t)
        v = self._v.expectation(self._rows(xh, self.value), empty, self._v_obs).reshape(h, b, t, d)
        return qk[0], qk[1], v

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = self.circuit_outputs(x)
        weights = torch.softmax(_distance_scores(q, k, 1.0 / math.sqrt(self.head_width)), dim=-1)
        return _merge(weights @ v)
