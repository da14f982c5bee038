"""LorentzNet (Gong et al., JHEP 07 (2022) 030) and its quantum variant (QLieGEB blocks, Suda Neto et al. 2024).

Nodes are the particles of a jet: four-momenta ``x_i`` and scalars ``s_i``; ``h_i = Linear(s_i)`` to start.
Edges join every ordered pair ``i != j`` of real particles of the same jet (padding takes no part). One block:

* ``m_ij = phi_e([h_i, h_j, psi(<x_i - x_j, x_i - x_j>_J), psi(<x_i, x_j>_J)])``,
  ``psi(a) = sgn(a) log(|a| + 1)``, ``<p, q>_J = p^T J q`` (``J = diag(1, -1, -1, -1)``: Minkowski;
  ``J = 1``: Euclidean);
* ``w_ij = phi_m(m_ij)``, messages ``w_ij m_ij``;
* ``x_i <- x_i + c * mean_j clamp((x_i - x_j) phi_x(w_ij m_ij), -100, 100)`` (not in the last block);
* ``h_i <- h_i + phi_h([h_i, sum_j w_ij m_ij, s_i])``.

Readout: the mean of ``h_i`` over the jet's real particles (the padding-free form of the published masked
mean), then the decoder ``Linear(H, H) -> ReLU -> Dropout -> Linear(H, 2)``; the package's one logit is the
difference of the two class scores, so binary cross-entropy on it is the published two-class cross-entropy.
Classical blocks (edge width ``He``):
``phi_e = Linear(2H + 2, He, no bias) -> BN -> ReLU -> Linear(He, He) -> ReLU``,
``phi_h = Linear(He + H + S, He) -> BN -> ReLU -> Linear(He, H)``, ``phi_x = Linear(He, He) -> ReLU ->
Linear(He, 1, no bias)`` (Xavier, gain 0.001), ``phi_m = Linear(He, 1) -> sigmoid``. LorentzNet has
``He = H``; at ``S = 8, H = 72``, 6 blocks: 227,096 parameters. Batch norms see the real edges/particles only.

Quantum blocks (the public code's model types; ``He = 2H + 2``, the number of qubits of ``phi_e``), each a
:class:`~qhep_contrast.models.dressed_quantum.DressedQuantumNet` ``D(n, depth)``:
``phi_e = D(2H + 2)``; ``phi_h = Linear(He + H + S, He, no bias) -> BN -> ReLU -> D(He) -> Linear(He, H, no
bias)``; ``phi_x = D(He) -> Linear(He, 1, no bias)``; ``phi_m = Linear(He, 1) -> D(1, depth 1)``. A block's
circuit runs once per forward pass on all rows (every edge of every jet, or every particle).

Every operation on ``x`` is a ``J``-linear combination of the ``x_j`` with coefficients built from
``J``-invariants, so the output is invariant under every ``Lambda`` with ``Lambda^T J Lambda = J``
(Lorentz transformations for Minkowski, rotations for Euclidean).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from qhep_contrast.data.particles import unpack_particles
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.dressed_quantum import DressedQuantumNet

__all__ = ["METRICS", "BLOCKS", "metric_tensor", "psi", "LGEB", "LorentzNet", "LorentzNetDecoder"]

METRICS: tuple[str, ...] = ("minkowski", "euclidean")
"""Metrics ``J`` of the edge invariants."""

BLOCKS: tuple[str, ...] = ("phi_e", "phi_h", "phi_x", "phi_m")
"""The networks of a block that may be quantum."""


def metric_tensor(metric: str) -> Tensor:
    """``J`` (4, 4) float64: ``diag(1, -1, -1, -1)`` (minkowski) or the identity (euclidean)."""
    if metric not in METRICS:
        raise ConfigError(f"metric = {metric!r}: choose one of {METRICS}.")
    return torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0] if metric == "minkowski" else [1.0] * 4,
                                   dtype=torch.float64))


def psi(a: Tensor) -> Tensor:
    """``sgn(a) log(|a| + 1)``."""
    return torch.sign(a) * torch.log(a.abs() + 1.0)


def _segment_sum(values: Tensor, index: Tensor, size: int) -> Tensor:
    return values.new_zeros((size,) + values.shape[1:]).index_add_(0, index, values)


class LGEB(nn.Module):
    """One Lorentz group equivariant block on the real particles of a batch (see the module docstring).

    Args:
        width: node width ``H``.
        edge_width: edge width ``He``.
        scalars: node scalars ``S``.
        c_weight: ``c``.
        last: the last block (no ``phi_x``).
        quantum: the names in :data:`BLOCKS` built as quantum networks.
        depth: depth of the circuits of ``phi_e``, ``phi_h``, ``phi_x`` (``phi_m``'s one-qubit circuit has 1).
        init_scale: standard deviation of the initial circuit weights.
        execution: executor of the circuits (None: the exact engine; an Aer or IBM
            :class:`~qhep_contrast.execution.ExecutionConfig` evaluates trained weights there).
        seed: seed of the circuit weights (block networks ``seed + 1 .. seed + 4``).
    """

    def __init__(self, width: int, edge_width: int, scalars: int, *, c_weight: float = 1e-3, last: bool = False,
                 quantum: Sequence[str] = (), depth: int = 2, init_scale: float = 1e-3, execution: object = None,
                 seed: int = 0) -> None:
        super().__init__()
        self.c_weight, self.last = c_weight, last
        q = set(quantum)
        he = edge_width
        if "phi_e" in q and he != 2 * width + 2:
            raise ConfigError(f"a quantum phi_e maps its 2H + 2 = {2 * width + 2} inputs to as many qubits, so the "
                              f"edge width must be {2 * width + 2}, got {he}.")

        def dqn(n: int, d: int, k: int) -> DressedQuantumNet:
            return DressedQuantumNet(n, d, init_scale=init_scale, execution=execution, seed=seed + k)

        self.phi_e = dqn(he, depth, 1) if "phi_e" in q else nn.Sequential(
            nn.Linear(2 * width + 2, he, bias=False), nn.BatchNorm1d(he), nn.ReLU(), nn.Linear(he, he), nn.ReLU())
        self.phi_h = nn.Sequential(
            nn.Linear(he + width + scalars, he, bias=False), nn.BatchNorm1d(he), nn.ReLU(), dqn(he, depth, 2),
            nn.Linear(he, width, bias=False)) if "phi_h" in q else nn.Sequential(
            nn.Linear(he + width + scalars, he), nn.BatchNorm1d(he), nn.ReLU(), nn.Linear(he, width))
        if not last:
            out = nn.Linear(he, 1, bias=False)
            nn.init.xavier_uniform_(out.weight, gain=0.001)
            self.phi_x = nn.Sequential(dqn(he, depth, 3), out) if "phi_x" in q else nn.Sequential(
                nn.Linear(he, he), nn.ReLU(), out)
        self.phi_m = nn.Sequential(nn.Linear(he, 1), dqn(1, 1, 4)) if "phi_m" in q else nn.Sequential(
            nn.Linear(he, 1), nn.Sigmoid())

    def forward(self, h: Tensor, x: Tensor, s: Tensor, edges: tuple[Tensor, Tensor],
                metric: Tensor) -> tuple[Tensor, Tensor]:
        """Update ``h (P, H)`` and ``x (P, 4)`` of ``P`` real particles with scalars ``s (P, S)``.

        Args:
            edges: ``(i, j)``, each ``(E,)``: the ordered pairs of particles of the same jet, ``i != j``.
            metric: ``J`` (4, 4) in the dtype of ``x``.
        """
        i, j = edges
        diff = x[i] - x[j]
        norms = psi(torch.einsum("ea,ab,eb->e", diff, metric, diff))
        dots = psi(torch.einsum("ea,ab,eb->e", x[i], metric, x[j]))
        m = self.phi_e(torch.cat([h[i], h[j], norms[:, None], dots[:, None]], dim=1))
        m = m * self.phi_m(m)
        if not self.last:
            trans = (diff * self.phi_x(m)).clamp(-100.0, 100.0)
            count = _segment_sum(torch.ones_like(norms), i, x.shape[0]).clamp(min=1.0)
            x = x + self.c_weight * _segment_sum(trans, i, x.shape[0]) / count[:, None]
        h = h + self.phi_h(torch.cat([h, _segment_sum(m, i, h.shape[0]), s], dim=1))
        return h, x


def _graph(mask: Tensor) -> tuple[Tensor, Tensor, Tensor, tuple[Tensor, Tensor]]:
    """Real particles and edges of a padded batch ``mask (B, M)``.

    Returns:
        ``nodes (P,)`` flat indices ``b * M + i`` of the real particles, ``jet (P,)`` their jet, ``counts (B,)``
        particles per jet, and the edges ``(i, j)`` as positions in ``nodes``.
    """
    b, m = mask.shape
    real = mask.reshape(-1) > 0
    nodes = real.nonzero().squeeze(1)
    position = torch.cumsum(real.long(), 0) - 1
    pair = (mask[:, :, None] > 0) & (mask[:, None, :] > 0) & ~torch.eye(m, dtype=torch.bool, device=mask.device)
    jb, ji, jj = pair.nonzero(as_tuple=True)
    edges = (position[jb * m + ji], position[jb * m + jj])
    return nodes, nodes // m, (mask > 0).sum(1), edges


class LorentzNet(nn.Module):
    """Packed particle jets ``(B, 1, M, 5 + S)`` -> pooled node features ``(B, H)`` (see the module docstring).

    Args:
        scalars: ``S``.
        width: ``H``.
        layers: number of blocks.
        c_weight: ``c``.
        metric: one of :data:`METRICS`.
        quantum: the block networks built as quantum networks (every block alike).
        edge_width: ``He``; 0 picks ``2H + 2`` (the quantum variant's widths) with a non-empty ``quantum`` or
            ``lie_widths``, otherwise ``H`` (LorentzNet).
        lie_widths: see ``edge_width``.
        depth, init_scale, execution: of the circuits (see :class:`LGEB`).
        seed: seed of the classical weights; the circuits of block ``l`` use ``seed + 1 + 10 l``.
    """

    def __init__(self, scalars: int, width: int = 72, layers: int = 6, *, c_weight: float = 1e-3,
                 metric: str = "minkowski", quantum: Sequence[str] = (), edge_width: int = 0, lie_widths: bool = False,
                 depth: int = 2, init_scale: float = 1e-3, execution: object = None, seed: int | None = None) -> None:
        super().__init__()
        unknown = sorted(set(quantum) - set(BLOCKS))
        if unknown:
            raise ConfigError(f"quantum = {list(quantum)}: {unknown} are not block networks; choose from {BLOCKS}.")
        self.width = width
        self.register_buffer("metric", metric_tensor(metric), persistent=False)
        he = edge_width or (2 * width + 2 if (quantum or lie_widths) else width)
        base = 0 if seed is None else seed
        with seeded(seed):
            self.embedding = nn.Linear(scalars, width)
            self.blocks = nn.ModuleList([
                LGEB(width, he, scalars, c_weight=c_weight, last=k == layers - 1, quantum=quantum, depth=depth,
                     init_scale=init_scale, execution=execution, seed=base + 1 + 10 * k) for k in range(layers)])

    @property
    def representation_size(self) -> int:
        """``H``."""
        return self.width

    def forward(self, jets: Tensor) -> Tensor:
        mask, p4, scalars = unpack_particles(jets)
        nodes, jet, counts, edges = _graph(mask)
        s = scalars.reshape(-1, scalars.shape[-1])[nodes]
        x = p4.reshape(-1, 4)[nodes]
        h = self.embedding(s)
        metric = self.metric.to(x.dtype)
        for block in self.blocks:
            h, x = block(h, x, s, edges, metric)
        pooled = _segment_sum(h, jet, mask.shape[0])
        return pooled / counts.clamp(min=1)[:, None].to(h.dtype)


class LorentzNetDecoder(nn.Module):
    """``Linear(H, H) -> ReLU -> Dropout -> Linear(H, 2)``, returned as one logit ``z_1 - z_0`` ``(B, 1)``."""

    def __init__(self, width: int, dropout: float = 0.0, *, seed: int | None = None) -> None:
        super().__init__()
        with seeded(seed):
            self.net = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Dropout(dropout), nn.Linear(width, 2))

    def forward(self, representation: Tensor) -> Tensor:
        z = self.net(representation)
        return z[:, 1:] - z[:, :1]
