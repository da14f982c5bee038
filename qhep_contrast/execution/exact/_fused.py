"""A whole compiled circuit as one autograd node: batched forward, hand-written adjoint backward.

The stage-by-stage evaluation (``_stages``) records every small tensor operation with autograd: building
the single-qubit matrices, their chain products and window Kronecker products, the product prefix and the
stages cost some 200 operations forward and 450 backward, about 1.5 ms per training step whatever the batch
size. :class:`FusedCircuit` evaluates the same program inside a single ``torch.autograd.Function``:

* forward (no autograd recording): the U-matrices of all weight-only gates in one pass, every chain
  product of every weight-only layer in one batched product, every window matrix of one size in one
  batched Kronecker product, the product prefix, the stages and (optionally) the Z read-out;
* backward: the exact adjoint of each step in reverse order (``g`` is PyTorch's ``dL/dRe + i dL/dIm``):
  ``y = A x`` gives ``g_x = A^H g_y`` and ``g_A = g_y x^H``; ``y = x e^{i phi}`` gives
  ``g_x = g_y e^{-i phi}`` and ``g_phi = Im(conj(y) g_y)``; a Kronecker product ``y = a (x) b`` gives
  ``g_a = g_y conj(b)`` and ``g_b = conj(a) g_y`` contracted over the other factor; the U-matrix entries
  ``m = amp e^{i phase}`` give ``g_phase = Im(conj(m) g_m)``, ``g_amp = Re(e^{-i phase} g_m)``.

Only the angle expressions (a few operations) stay outside, so the node's inputs are the shared angles
``(n_shared,)`` and the per-sample angles ``(B, n_sample)``. Programs with per-sample non-rotation
single-qubit layers, dense multi-qubit stages, or non-Z observables use the stage-by-stage path
(:func:`supports` decides).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch

from qhep_contrast.execution.exact._autograd import PhaseTables, phase_tables, sum_to, window_forward, window_grad
from qhep_contrast.execution.exact._compile import Program
from qhep_contrast.execution.exact._stages import Diagonal, GlobalPhase, KronLayer, Monomial

__all__ = ["FusedCircuit", "supports", "SINGLE_THREAD_BELOW"]

#: States of fewer amplitudes (batch x 2**n) than this are evaluated with one CPU thread: their GEMMs and
#: elementwise passes take microseconds, and waking a second thread costs more than it saves (W1 at B = 64
#: on 2 cores: 1.37 ms per step with one thread, 1.60 ms with two; at B = 512 two threads win).
SINGLE_THREAD_BELOW = 2**16


class _FewThreads:
    """Context: one intra-op thread while a small CPU state is evaluated (restored afterwards)."""

    def __init__(self, amplitudes: int, device: torch.device) -> None:
        self.saved = torch.get_num_threads()
        self.active = device.type == "cpu" and amplitudes < SINGLE_THREAD_BELOW and self.saved > 1

    def __enter__(self) -> None:
        if self.active:
            torch.set_num_threads(1)

    def __exit__(self, *exc) -> None:
        if self.active:
            torch.set_num_threads(self.saved)

# d = (theta, phi, lam, gamma) -> entry phases and half-angles of exp(i gamma) U(theta, phi, lam)
_U_PHASE = np.array([[0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]], dtype=float)
_U_HALF = np.array([[0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
_U_COS = np.array([1.0, 0.0, 0.0, 1.0])
_U_SIN = np.array([0.0, -1.0, 1.0, 0.0])


def supports(program: Program) -> bool:
    """Whether every stage of ``program`` has a fused adjoint (weight-only or constant Kron layers,
    permutations, diagonal phases, global phases)."""
    return all(isinstance(s, (Monomial, Diagonal, GlobalPhase)) or (isinstance(s, KronLayer) and not s.per_sample)
               for s in program.stages)


def _kron_forward(factors: list[torch.Tensor]) -> list[torch.Tensor]:
    """Partial Kronecker products of ``factors`` (each ``(b, d_j)``, factor 0 least significant):
    ``P_j = f_j (x) ... (x) f_0``; the last is the product ``(b, prod d_j)``."""
    parts = [factors[0]]
    for f in factors[1:]:
        parts.append((f[:, :, None] * parts[-1][:, None, :]).reshape(f.shape[0], -1))
    return parts


def _kron_backward(g: torch.Tensor, factors: list[torch.Tensor], parts: list[torch.Tensor]) -> list[torch.Tensor]:
    """Adjoint of :func:`_kron_forward`: ``g (b, prod d_j)`` -> one gradient per factor."""
    out = []
    for j in range(len(factors) - 1, 0, -1):  # elementwise products and sums: tiny batched matmuls are slow
        tv = g.reshape(g.shape[0], factors[j].shape[1], -1)
        out.append((tv * parts[j - 1].conj().unsqueeze(1)).sum(-1))
        g = (tv * factors[j].conj().unsqueeze(-1)).sum(1)
    out.append(g)
    return out[::-1]


def _gather_prod(flat: torch.Tensor, idx: torch.Tensor, shape: tuple[int, int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """``out[b, w, e] = prod_j flat[b, idx[w, j, e]]`` for ``idx`` of ``shape (W, k, K)`` (flattened):
    Kronecker products of small factors as one gather and one product. Returns ``(entries, out)``."""
    e = flat.index_select(1, idx).view(flat.shape[0], *shape)
    return e, e.prod(2)


def _gather_prod_backward(g: torch.Tensor, e: torch.Tensor, idx: torch.Tensor, rolls: list[torch.Tensor],
                          size: int) -> torch.Tensor:
    """Adjoint of :func:`_gather_prod`: ``g (b, W, K)`` -> ``g_flat (b, size)``.

    ``g_e[:, :, j] = g * conj(prod_{j' != j} e[:, :, j'])``; the leave-one-out products are products of the
    cyclic shifts ``rolls`` of the factor axis (no division, exact at zero entries).
    """
    if rolls:
        loo = e.index_select(2, rolls[0])
        for r in rolls[1:]:
            loo = loo * e.index_select(2, r)
        g_e = g.unsqueeze(2) * loo.conj()
    else:
        g_e = g.unsqueeze(2)
    return g.new_zeros(g.shape[0], size).index_add_(1, idx, g_e.reshape(g.shape[0], -1))


def _rolls(k: int) -> list[np.ndarray]:
    """Cyclic shifts ``s = 1 .. k-1`` of ``range(k)`` (the leave-one-out factors of a ``k``-fold product)."""
    return [(np.arange(k) + s) % k for s in range(1, k)]


def _chain_forward(mats: torch.Tensor) -> list[torch.Tensor]:
    """Partial products ``Q_j = M_j ... M_0`` of ``mats (R, L, 2, 2)``; ``Q_{L-1}`` is the chain product."""
    parts = [mats[:, 0]]
    for j in range(1, mats.shape[1]):
        parts.append(torch.matmul(mats[:, j], parts[-1]))
    return parts


def _chain_backward(g: torch.Tensor, mats: torch.Tensor, parts: list[torch.Tensor]) -> torch.Tensor:
    """Adjoint of :func:`_chain_forward`: ``g (R, 2, 2)`` -> ``g_mats (R, L, 2, 2)``."""
    out = []
    for j in range(mats.shape[1] - 1, 0, -1):
        out.append(torch.matmul(g, parts[j - 1].mH))
        g = torch.matmul(mats[:, j].mH, g)
    out.append(g)
    return torch.stack(out[::-1], dim=1)


class _Consts:
    """Device/dtype tensors of a :class:`FusedCircuit` (built once per dtype and device)."""

    def __init__(self, plan: "FusedCircuit", dtype: torch.dtype, device: torch.device) -> None:
        real = torch.empty((), dtype=dtype).real.dtype
        p = plan.program
        r = lambda a: torch.as_tensor(a, dtype=real, device=device)  # noqa: E731
        i = lambda a: torch.as_tensor(a, dtype=torch.int64, device=device)  # noqa: E731
        self.dtype, self.real = dtype, real
        self.u_phase, self.u_half, self.u_cos, self.u_sin = r(_U_PHASE), r(_U_HALF), r(_U_COS), r(_U_SIN)
        self.cs, self.ks, self.cols_s = r(p.u_shared[0]), r(p.u_shared[1]), i(p.u_shared[2].reshape(-1))
        self.cp, self.kp, self.cols_p = r(p.u_sample[0]), r(p.u_sample[1]), i(p.u_sample[2].reshape(-1))
        self.fixed = torch.cat([torch.as_tensor(p.const_1q, dtype=dtype, device=device),
                                torch.eye(2, dtype=dtype, device=device)[None]])
        self.pre_cols = [(kind, i(idx_s), i(idx_p), torch.as_tensor(mask, device=device)[None, :, None, None])
                         for kind, idx_s, idx_p, mask in plan.pre_cols]
        self.chains = i(plan.chains.reshape(-1))
        self.win_idx = [i(idx.reshape(-1)) for idx in plan.win_idx]
        self.win_rolls = [[i(r) for r in _rolls(idx.shape[1])] for idx in plan.win_idx]
        self.pw_idx = [i(idx.reshape(-1)) for idx in plan.pw_idx]
        self.pw_rolls = [[i(r) for r in _rolls(idx.shape[1])] for idx in plan.pw_idx]
        self.readout_rows = i(plan.readout_rows)
        self.ops: list[tuple[str, Any]] = []
        for kind, data in plan.ops:
            if kind == "mono":
                src, inv, ph = data
                self.ops.append((kind, (i(src), i(inv), None if ph is None else torch.as_tensor(
                    ph, dtype=dtype, device=device))))
            elif kind == "phq":
                cols, coef, ps = data
                self.ops.append((kind, (i(cols), r(coef), ps)))
            elif kind == "diag":
                cols, pat, off, ps = data
                self.ops.append((kind, (i(cols), r(pat), r(off), ps)))
            elif kind == "gconst":
                self.ops.append((kind, torch.polar(torch.ones((), dtype=real, device=device),
                                                   torch.tensor(data, dtype=real, device=device)).to(dtype)))
            else:
                self.ops.append((kind, data))
        self.tables: PhaseTables | None = phase_tables(p.num_qubits, real, device) if plan.has_phq else None
        # (2**n, 2n) indicator [bit_q(k) == c] at column 2q + c (the odd rows of the tables' bit matrix)
        self.bit_ind = None if self.tables is None else self.tables.bits[1::2].contiguous()


class FusedCircuit:
    """The fused evaluation of a :class:`Program` (see the module docstring); build when :func:`supports`.

    Call with the shared angles ``(n_shared,)``, the per-sample angles ``(B, n_sample)``, the batch size,
    the complex dtype and an optional real read-out matrix ``z (2**n, n_obs)``; returns ``psi (B, 2**n)`` or
    ``|psi|^2 @ z (B, n_obs)``, differentiable w.r.t. both angle tensors.
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        n = program.num_qubits
        n_u = program.u_shared[0].shape[0]
        self.n_fixed = program.const_1q.shape[0] + 1
        self.n_shared_mats = n_u + self.n_fixed
        s_total = self.n_shared_mats
        identity = s_total - 1
        # product prefix: (n * L) column-major entries, split into shared and per-sample references
        self.pre_cols = []  # per column: kind "s" (weight-only), "p" (per-sample) or "m" (mixed), indices, mask
        for col in program.prefix.table.T:
            mask = col >= s_total
            kind = "p" if mask.all() else "m" if mask.any() else "s"
            self.pre_cols.append((kind, np.where(mask, identity, col), np.where(mask, col - s_total, 0), mask))
        # weight-only / constant Kron layers: all chains in one (R, L) table, identity-padded
        layers = [s for s in program.stages if isinstance(s, KronLayer)]
        width = max([s.table.shape[1] for s in layers], default=1)
        rows: list[list[int]] = []
        row_of: dict[tuple[int, int], int] = {}
        for s in layers:
            for r, q in enumerate(s.qubits):
                row_of[(id(s), q)] = len(rows)
                rows.append(list(s.table[r]) + [identity] * (width - s.table.shape[1]))
        self.chains = np.array(rows, dtype=np.int64).reshape(len(rows), width)
        eye_row = len(rows)  # the row index of an identity factor (appended after the chain products)
        # windows grouped by size: rows (W, k) of chain products, and the entry permutation of a k-window
        by_size: dict[int, list] = {}
        slot: dict[tuple[int, int], tuple[int, int]] = {}
        for s in layers:
            for w_idx, (lo, k) in enumerate(s.windows):
                group = by_size.setdefault(k, [])
                slot[(id(s), w_idx)] = (k, len(group))
                group.append([row_of.get((id(s), lo + j), eye_row) for j in range(k)])
        self.win_sizes = sorted(by_size)
        group_of = {k: g for g, k in enumerate(self.win_sizes)}
        # entry (r, c) of a window matrix (row-major) is prod_j vec(C_j)[2 bit_j(r) + bit_j(c)], vec(C) = C.flatten()
        self.win_idx = [np.stack([self._entry_index(rows, k) for rows in by_size[k]]) for k in self.win_sizes]
        # prefix windows of up to 4 qubits: local state entry e is prod_j v[lo + j, bit_j(e)]
        self.pw_sizes = sorted({min(4, n - lo) for lo in range(0, n, 4)})
        self.pw_slots = [(self.pw_sizes.index(min(4, n - lo)), sum(1 for lo2 in range(0, lo, 4)
                          if min(4, n - lo2) == min(4, n - lo))) for lo in range(0, n, 4)]
        e_local = {k: np.arange(2**k) for k in self.pw_sizes}
        self.pw_idx = [np.stack([np.stack([2 * (lo + j) + ((e_local[k] >> j) & 1) for j in range(k)])
                                 for lo in range(0, n, 4) if min(4, n - lo) == k]) for k in self.pw_sizes]
        # the stages in order
        self.ops: list[tuple[str, Any]] = []
        self.has_phq = False
        for s in program.stages:
            if isinstance(s, KronLayer):
                slots = [(group_of[slot[(id(s), w)][0]], slot[(id(s), w)][1]) for w in range(len(s.windows))]
                self.ops.append(("kron", (tuple(s.windows), slots, s.constant)))
            elif isinstance(s, Monomial):
                self.ops.append(("mono", (s.src, s.inv, s.phase)))
            elif isinstance(s, Diagonal) and s.per_qubit is not None:
                self.has_phq = True
                coef = s.per_qubit.reshape(len(s.angle_cols), -1)
                self.ops.append(("phq", (np.array(s.angle_cols), coef, s.per_sample)))
            elif isinstance(s, Diagonal):
                self.ops.append(("diag", (np.array(s.angle_cols), s.patterns, s.offset, s.per_sample)))
            elif s.angle_col is None:
                self.ops.append(("gconst", s.value))
            else:
                self.ops.append(("gphase", (s.angle_col, s.per_sample)))
        self.n = n
        # A read-out |psi|^2 @ z ignores trailing phase stages, and a trailing permutation only permutes the
        # rows of z: with a read-out, the first `readout_ops` stages run and z is read at rows `readout_rows`.
        self.readout_ops = len(self.ops)
        readout_rows = np.arange(2**n)
        while self.readout_ops and self.ops[self.readout_ops - 1][0] in ("mono", "phq", "diag", "gconst", "gphase"):
            kind, data = self.ops[self.readout_ops - 1]
            if kind == "mono":
                readout_rows = readout_rows[data[1]]  # |P psi|^2 @ z = |psi|^2 @ z[inv]
            self.readout_ops -= 1
        self.readout_rows = readout_rows
        self._consts: dict[tuple, _Consts] = {}

    @staticmethod
    def _entry_index(rows: list[int], k: int) -> np.ndarray:
        """``(k, 4**k)`` indices into the flattened chain products of every entry of a ``k``-qubit window."""
        r = np.arange(2**k)[:, None]
        c = np.arange(2**k)[None, :]
        return np.stack([(4 * row + 2 * ((r >> j) & 1) + ((c >> j) & 1)).reshape(-1) for j, row in enumerate(rows)])

    def consts(self, dtype: torch.dtype, device: torch.device) -> _Consts:
        key = (dtype, device)
        if key not in self._consts:
            self._consts[key] = _Consts(self, dtype, device)
        return self._consts[key]

    def __call__(self, shared: torch.Tensor, sample: torch.Tensor, batch: int, dtype: torch.dtype,
                 readout: torch.Tensor | None) -> torch.Tensor:
        with _FewThreads(batch << self.n, shared.device):
            return _Fused.apply(self, self.consts(dtype, shared.device), batch, readout, shared, sample)


def _u_forward(c: _Consts, d: torch.Tensor) -> tuple[torch.Tensor, tuple]:
    """``exp(i gamma) U(theta, phi, lam)`` of derived angles ``d (..., 4)`` -> ``(..., 2, 2)`` and saved parts."""
    phase = d @ c.u_phase
    half = d @ c.u_half
    ch, sh = torch.cos(half), torch.sin(half)
    amp = ch * c.u_cos + sh * c.u_sin
    cph, sph = torch.cos(phase), torch.sin(phase)
    mr, mi = amp * cph, amp * sph
    m = torch.complex(mr, mi).to(c.dtype).reshape(*d.shape[:-1], 2, 2)
    return m, (ch, sh, cph, sph, mr, mi)


def _u_backward(c: _Consts, g: torch.Tensor, saved: tuple) -> torch.Tensor:
    """Adjoint of :func:`_u_forward`: ``g (..., 2, 2)`` complex -> ``g_d (..., 4)`` real."""
    ch, sh, cph, sph, mr, mi = saved
    g = g.reshape(*g.shape[:-2], 4)
    gr, gi = g.real.to(c.real), g.imag.to(c.real)
    g_phase = mr * gi - mi * gr
    g_half = (cph * gr + sph * gi) * (ch * c.u_sin - sh * c.u_cos)
    return g_phase @ c.u_phase.T + g_half @ c.u_half.T


class _Fused(torch.autograd.Function):
    """Forward and adjoint of a whole :class:`FusedCircuit` (see the module docstring)."""

    @staticmethod
    def forward(ctx, plan: FusedCircuit, c: _Consts, batch: int, readout: torch.Tensor | None,
                shared: torch.Tensor, sample: torch.Tensor) -> torch.Tensor:
        grad = any(ctx.needs_input_grad[4:])
        real = c.real
        shared = shared.to(real)
        sample = sample.to(real)
        # angle tables with a leading zero column
        th_s = torch.cat([shared.new_zeros(1), shared])
        d = c.cs + c.ks * th_s.index_select(0, c.cols_s).view(c.cs.shape)
        th_p = mats_p = None
        n_u = c.cs.shape[0]
        if sample.shape[1] or c.cp.shape[0]:
            th_p = torch.cat([shared.new_zeros(batch, 1), shared.expand(batch, -1), sample], dim=1)
            if c.cp.shape[0]:  # shared and per-sample U-matrices in one pass
                d_p = c.cp + c.kp * th_p.index_select(1, c.cols_p).view(batch, *c.cp.shape)
                d = torch.cat([d, d_p.reshape(-1, 4)])
        u_all, u_saved = _u_forward(c, d)
        mats_s = torch.cat([u_all[:n_u], c.fixed])  # (S, 2, 2)
        if d.shape[0] > n_u:
            mats_p = u_all[n_u:].view(batch, -1, 2, 2)
        # product prefix: per-qubit vectors, column by column, then their Kronecker product
        pre: list[torch.Tensor] = []
        vs: list[torch.Tensor] = []
        for kind, idx_s, idx_p, mask in c.pre_cols:
            if kind == "s":
                m = mats_s.index_select(0, idx_s).unsqueeze(0)  # (1, n, 2, 2)
            elif kind == "p":
                assert mats_p is not None
                m = mats_p.index_select(1, idx_p)  # (B, n, 2, 2)
            else:
                assert mats_p is not None
                m = torch.where(mask, mats_p.index_select(1, idx_p), mats_s.index_select(0, idx_s))
            pre.append(m)
            vs.append(m[..., 0] if not vs else (m * vs[-1].unsqueeze(-2)).sum(-1))
        v_flat = vs[-1].reshape(vs[-1].shape[0], -1)  # (b, 2n): entry 2q + c is v_q[c]
        pw = [_gather_prod(v_flat, idx, (ix.shape[0], ix.shape[1], ix.shape[2]))
              for idx, ix in zip(c.pw_idx, plan.pw_idx)]
        local = [pw[g][1][:, j] for g, j in plan.pw_slots]
        kron_parts = _kron_forward(local)
        psi = kron_parts[-1]
        # chain products and window matrices of the Kron layers
        chain_mats = chain_parts = None
        wins: list[torch.Tensor] = []
        win_e: list[torch.Tensor] = []
        if c.chains.shape[0]:
            chain_mats = mats_s.index_select(0, c.chains).view(plan.chains.shape[0], plan.chains.shape[1], 2, 2)
            chain_parts = _chain_forward(chain_mats)
            prods = torch.cat([chain_parts[-1], torch.eye(2, dtype=c.dtype, device=psi.device)[None]])
            flat = prods.reshape(1, -1)
            for k, idx, ix in zip(plan.win_sizes, c.win_idx, plan.win_idx):
                e, out = _gather_prod(flat, idx, ix.shape)
                win_e.append(e)
                wins.append(out[0].view(-1, 2**k, 2**k))
        # the stages
        saved_states: list = []
        ops = c.ops if readout is None else c.ops[:plan.readout_ops]
        if readout is not None:
            readout = readout.index_select(0, c.readout_rows)
        for kind, data in ops:
            psi, saved = _stage_forward(plan, c, kind, data, psi, wins, th_s, th_p, grad)
            saved_states.append(saved)
        state_batch = psi.shape[0]  # 1 when nothing depends on the inputs
        if state_batch != batch:
            psi = psi.expand(batch, -1)
        out = psi if readout is None else (psi.real.square() + psi.imag.square()) @ readout
        if grad:
            ctx.plan, ctx.c, ctx.batch, ctx.state_batch = plan, c, batch, state_batch
            ctx.small = (u_saved, mats_s, mats_p, pre, vs, pw, local, kron_parts, chain_mats,
                         chain_parts, win_e, wins, th_s, th_p)
            ctx.states = saved_states
            ctx.final = psi
            ctx.readout = readout
        return out

    @staticmethod
    def backward(ctx, g_out: torch.Tensor):
        with _FewThreads(ctx.batch << ctx.plan.n, g_out.device):
            return _Fused._backward(ctx, g_out)

    @staticmethod
    def _backward(ctx, g_out: torch.Tensor):
        plan, c, batch = ctx.plan, ctx.c, ctx.batch
        (u_saved, mats_s, mats_p, pre, vs, pw, local, kron_parts, chain_mats,
         chain_parts, win_e, wins, th_s, th_p) = ctx.small
        n = plan.n
        real = c.real
        if ctx.readout is None:
            g = g_out
        else:
            weight = 2 * (g_out @ ctx.readout.T)  # d(out)/d|psi_k|^2 contracted with g_out: (B, 2**n) real
            g = torch.view_as_complex(torch.view_as_real(ctx.final) * weight.unsqueeze(-1))
        g = sum_to(g, ctx.state_batch)
        g_th_s = torch.zeros_like(th_s)
        g_th_p = None if th_p is None else torch.zeros_like(th_p)
        g_wins = [torch.zeros_like(wk) for wk in wins]
        for (kind, data), saved in zip(reversed(c.ops[:len(ctx.states)]), reversed(ctx.states)):
            g = _stage_backward(plan, c, kind, data, g, saved, wins, g_wins, g_th_s, g_th_p)
        g_mats_s = torch.zeros_like(mats_s)
        # window matrices -> chain products -> shared matrices
        if chain_mats is not None:
            size = 4 * (chain_mats.shape[0] + 1)
            g_flat = cast(torch.Tensor, sum(
                _gather_prod_backward(gk.reshape(1, gk.shape[0], -1), e, idx, rolls, size)
                for gk, e, idx, rolls in zip(g_wins, win_e, c.win_idx, c.win_rolls)))
            g_chain = _chain_backward(g_flat[0, :-4].view(-1, 2, 2), chain_mats, chain_parts)
            g_mats_s.index_add_(0, c.chains, g_chain.reshape(-1, 2, 2))
        # product prefix
        g_local = _kron_backward(g, local, kron_parts)
        b_v = vs[-1].shape[0]
        g_v = None
        for gi, (_, idx, rolls) in enumerate(zip(pw, c.pw_idx, c.pw_rolls)):
            g_out = torch.stack([g_local[w] for w, (g2, _) in enumerate(plan.pw_slots) if g2 == gi], dim=1)
            part = _gather_prod_backward(g_out, pw[gi][0], idx, rolls, 2 * n)
            g_v = part if g_v is None else g_v + part
        assert g_v is not None
        g_v = g_v.view(b_v, n, 2)
        g_mats_p = None if mats_p is None else torch.zeros_like(mats_p)
        for j in range(len(pre) - 1, -1, -1):
            if j:
                g_m = g_v.unsqueeze(-1) * vs[j - 1].conj().unsqueeze(-2)
                g_v = sum_to((pre[j].conj() * g_v.unsqueeze(-1)).sum(-2), vs[j - 1].shape[0])
            else:
                g_m = torch.stack([g_v, torch.zeros_like(g_v)], dim=-1)
            kind, idx_s, idx_p, mask = c.pre_cols[j]
            if kind == "m":
                assert g_mats_p is not None
                g_mats_p.index_add_(1, idx_p, torch.where(mask, g_m, 0).expand(batch, -1, -1, -1))
                g_m = torch.where(mask, 0, g_m)
            if kind == "p":
                assert g_mats_p is not None
                g_mats_p.index_add_(1, idx_p, g_m.expand(batch, -1, -1, -1))
            else:
                g_mats_s.index_add_(0, idx_s, g_m.sum(0))
        # U-matrices -> derived angles -> angle tables
        n_u = c.cs.shape[0]
        g_u = g_mats_s[:n_u] if g_mats_p is None else torch.cat([g_mats_s[:n_u], g_mats_p.reshape(-1, 2, 2)])
        g_d = _u_backward(c, g_u, u_saved)
        g_th_s.index_add_(0, c.cols_s, (g_d[:n_u] * c.ks).reshape(-1))
        if g_mats_p is not None:
            assert g_th_p is not None
            g_th_p.index_add_(1, c.cols_p, (g_d[n_u:].view(batch, *c.kp.shape) * c.kp).reshape(batch, -1))
        g_shared = g_th_s[1:]
        g_sample = None
        if g_th_p is not None:
            ns = g_shared.shape[0]
            g_shared = g_shared + g_th_p[:, 1:1 + ns].sum(0)
            g_sample = g_th_p[:, 1 + ns:]
        if ctx.needs_input_grad[5] and g_sample is None:
            g_sample = torch.zeros((batch, 0), dtype=real, device=g.device)
        return (None, None, None, None, g_shared if ctx.needs_input_grad[4] else None,
                g_sample if ctx.needs_input_grad[5] else None)


def _theta(kind_ps: bool, th_s: torch.Tensor, th_p: torch.Tensor | None) -> torch.Tensor:
    return cast(torch.Tensor, th_p) if kind_ps else th_s.unsqueeze(0)


def _stage_forward(plan: FusedCircuit, c: _Consts, kind: str, data, psi: torch.Tensor, wins: list,
                   th_s: torch.Tensor, th_p: torch.Tensor | None, grad: bool) -> tuple[torch.Tensor, tuple | None]:
    """Apply one stage; return the new state and what its adjoint needs (None when no gradient is needed)."""
    n = plan.n
    b_in = psi.shape[0]
    if kind == "kron":
        windows, slots, _ = data
        xs = []
        for (lo, k), (gi, pos) in zip(windows, slots):
            xs.append(psi)
            psi = window_forward(psi, wins[gi][pos], lo, k, n)
        return psi, ((b_in, xs) if grad else None)
    if kind == "mono":
        src, _, ph = data
        psi = torch.gather(psi, 1, src.expand(b_in, -1))
        return (psi if ph is None else psi * ph), ((b_in,) if grad else None)
    if kind == "gconst":
        return psi * data, ((b_in,) if grad else None)
    if kind == "phq":
        cols, coef, ps = data
        t = _theta(ps, th_s, th_p).index_select(1, cols)
        ang = t @ coef  # (bt, 2n): per-qubit angle of bit value 0 and 1
        assert c.tables is not None
        phi = ang @ c.tables.windows
        e = torch.complex(torch.cos(phi), torch.sin(phi)).to(psi.dtype)
        parts = e.split(c.tables.sizes, dim=1)
        phase = parts[0]
        for part in parts[1:]:
            phase = (part[:, :, None] * phase[:, None, :]).reshape(phase.shape[0], -1)
        out = psi * phase
        return out, ((b_in, phase, out) if grad else None)
    if kind == "diag":
        cols, pat, off, ps = data
        phase = _theta(ps, th_s, th_p).index_select(1, cols) @ pat + off
        e = torch.polar(torch.ones_like(phase), phase).to(psi.dtype)
        out = psi * e
        return out, ((b_in, e, out) if grad else None)
    col, ps = data  # "gphase"
    phase = _theta(ps, th_s, th_p)[:, col, None]
    e = torch.polar(torch.ones_like(phase), phase).to(psi.dtype)
    out = psi * e
    return out, ((b_in, e, out) if grad else None)


def _phase_grad(g: torch.Tensor, out: torch.Tensor, batch: int) -> torch.Tensor:
    """``Im(conj(out) g)`` summed to ``batch`` rows: the gradient of the phase of ``out = psi e^{i phi}``."""
    return sum_to(out.real * g.imag - out.imag * g.real, batch)


def _stage_backward(plan: FusedCircuit, c: _Consts, kind: str, data, g: torch.Tensor, saved: tuple, wins: list,
                    g_wins: list, g_th_s: torch.Tensor, g_th_p: torch.Tensor | None) -> torch.Tensor:
    """Adjoint of one stage: the gradient of its input state (angle and window gradients accumulated)."""
    n = plan.n
    b_in = saved[0]
    if kind == "kron":
        windows, slots, constant = data
        xs = saved[1]
        for j in range(len(windows) - 1, -1, -1):
            (lo, k), (gi, pos) = windows[j], slots[j]
            if not constant:
                g_wins[gi][pos] += window_grad(xs[j], g, lo, k)
            g = window_forward(g, wins[gi][pos].mH.resolve_conj(), lo, k, n)
        return sum_to(g, b_in)
    if kind == "mono":
        _, inv, ph = data
        if ph is not None:
            g = g * ph.conj()
        return sum_to(torch.gather(g, 1, inv.expand(g.shape[0], -1)), b_in)
    if kind == "gconst":
        return sum_to(g * data.conj(), b_in)
    if kind == "phq":
        cols, coef, ps = data
        _, phase, out = saved
        bt = cast(torch.Tensor, g_th_p).shape[0] if ps else 1
        z = _phase_grad(g, out, bt)  # (bt, 2**n) gradient of the phase of every amplitude
        assert c.bit_ind is not None
        g_ang = z @ c.bit_ind  # (bt, 2n)
        _scatter_angles(g_ang @ coef.T, cols, ps, g_th_s, g_th_p)
        return sum_to(g * phase.conj(), b_in)
    if kind == "diag":
        cols, pat, _, ps = data
        _, e, out = saved
        bt = cast(torch.Tensor, g_th_p).shape[0] if ps else 1
        _scatter_angles(_phase_grad(g, out, bt) @ pat.T, cols, ps, g_th_s, g_th_p)
        return sum_to(g * e.conj(), b_in)
    col, ps = data  # "gphase"
    _, e, out = saved
    bt = cast(torch.Tensor, g_th_p).shape[0] if ps else 1
    gp = _phase_grad(g, out, bt).sum(1, keepdim=True)
    _scatter_angles(gp, torch.tensor([col], device=g.device), ps, g_th_s, g_th_p)
    return sum_to(g * e.conj(), b_in)


def _scatter_angles(g_t: torch.Tensor, cols: torch.Tensor, per_sample: bool, g_th_s: torch.Tensor,
                    g_th_p: torch.Tensor | None) -> None:
    """Add ``g_t (bt, J)``, the gradients of angle columns ``cols``, into the angle-table gradients."""
    if per_sample:
        assert g_th_p is not None
        g_th_p.index_add_(1, cols, g_t)
    else:
        g_th_s.index_add_(0, cols, g_t.sum(0))
