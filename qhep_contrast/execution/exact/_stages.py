"""Runtime stages of a compiled circuit: each applies one fused block to a batch of statevectors.

States are complex tensors ``(b, 2**n)`` with ``b`` either the batch size or 1 (a state shared by every
sample, broadcast lazily). Qiskit ordering: qubit ``q`` is bit ``q`` of the basis index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, cast

import numpy as np
import torch

from qhep_contrast.execution.exact._autograd import apply_phases, apply_windows, permute, phase_tables, product_state

__all__ = ["Context", "ProductPrefix", "KronLayer", "Monomial", "Diagonal", "General", "GlobalPhase"]


@dataclass
class Context:
    """Per-call tensors shared by the stages of one evaluation.

    Attributes:
        mats_shared: single-qubit matrices of weight-only gates, ``(M_s + 1, 2, 2)``; the last is identity.
        mats_sample: single-qubit matrices of input-dependent gates, ``(B, M_p, 2, 2)`` (or None).
        theta_shared: weight-only angles, ``(1 + n_shared,)`` with a leading zero column.
        theta_sample: per-sample angles, ``(B, 1 + n_shared + n_sample)`` (or None).
        consts: device/dtype-specific constant tensors, keyed by stage id.
    """

    mats_shared: torch.Tensor
    mats_sample: torch.Tensor | None
    theta_shared: torch.Tensor
    theta_sample: torch.Tensor | None
    consts: dict

    def const(self, key: object, make: Callable[[], Any]) -> Any:
        """Cached device/dtype constant for ``key`` (``make`` builds it on a miss)."""
        if key not in self.consts:
            self.consts[key] = make()
        return self.consts[key]


def _chain_columns(ctx: Context, table: np.ndarray, key: object):
    """Yield the matrices ``(b, Q, 2, 2)`` of a chain table's columns, runs of weight-only columns fused.

    Indices ``< M_s + 1`` address the shared table, larger ones the per-sample table. Consecutive columns
    that only hold shared matrices are multiplied at batch size 1, so weight-only parts of a chain cost
    nothing per sample.
    """
    def make():
        n_shared = ctx.mats_shared.shape[0]
        dev = ctx.mats_shared.device
        cols = []
        for col in table.T:
            sample = col >= n_shared
            if not sample.any():
                cols.append(("s", torch.as_tensor(col, device=dev), None))
            else:
                cols.append(("m", torch.as_tensor(np.where(sample, 0, col), device=dev),
                             (torch.as_tensor(np.where(sample, col - n_shared, 0), device=dev),
                              torch.as_tensor(sample, device=dev)[None, :, None, None])))
        return cols

    pending = None  # product of consecutive weight-only columns, kept at batch size 1
    for kind, shared_idx, mixed in ctx.const(key, make):
        m = ctx.mats_shared[shared_idx].unsqueeze(0)
        if kind == "s":
            pending = m if pending is None else m @ pending
            continue
        if pending is not None:
            yield pending
            pending = None
        sample_idx, mask = mixed
        assert ctx.mats_sample is not None
        yield torch.where(mask, ctx.mats_sample[:, sample_idx], m)
    if pending is not None:
        yield pending


def _chain_product(ctx: Context, table: np.ndarray, key: object) -> torch.Tensor:
    """Product of single-qubit chains: ``table (Q, L)`` of matrix indices -> ``(b, Q, 2, 2)``.

    Row ``q`` lists the matrices applied to one qubit in circuit order; the result is
    ``M[t_{L-1}] ... M[t_1] M[t_0]``.
    """
    out = None
    for m in _chain_columns(ctx, table, key):
        out = m if out is None else m @ out
    assert out is not None
    return out


def _chain_vector(ctx: Context, table: np.ndarray, key: object) -> torch.Tensor:
    """The chains of ``table (Q, L)`` applied to ``|0>``: ``(b, Q, 2)``.

    Matrix-vector products instead of the 2x2 matrix products of :func:`_chain_product` (half the
    forward+backward time at B = 512): per-sample chains in the prefix only ever act on ``|0>``.
    """
    v = None
    for m in _chain_columns(ctx, table, key):
        v = m[..., 0:1] if v is None else m @ v  # (b, Q, 2, 1) columns
    assert v is not None
    return v.squeeze(-1)


class ProductPrefix:
    """Leading single-qubit gates of every qubit, applied to ``|0...0>`` as a product state.

    Args:
        table: ``(n, L)`` chain table over all qubits (identity-padded); the state is per-sample exactly
            when the table references an input-dependent matrix.
    """

    def __init__(self, table: np.ndarray) -> None:
        self.table = table

    def initial_state(self, ctx: Context) -> torch.Tensor:
        """Return the product state ``(b, 2**n)``."""
        v = _chain_vector(ctx, self.table, id(self))  # (b, n, 2)
        return product_state(v)


class KronLayer:
    """Single-qubit gates on distinct qubits (each qubit's gates already fused into one chain).

    Two strategies, chosen by what the gates depend on:

    * shared (weight-only) gates: contiguous qubits are grouped into windows of up to ``window`` qubits and
      each window's Kronecker product is applied with one large GEMM over the whole batch;
    * per-sample gates: each qubit's ``(B, 2, 2)`` matrix is applied with broadcast multiply-adds
      (``out = m[:, :, 0] * psi_0 + m[:, :, 1] * psi_1``), avoiding batched small matmuls, which torch runs
      slowly on CPU.

    A layer of constant gates only (e.g. the basis changes of factored input rotations) builds its window
    matrices once per dtype/device and keeps them out of autograd: no per-call Kronecker products and no
    weight-gradient GEMMs in the backward pass.

    Args:
        qubits: gated qubits, ascending.
        table: ``(len(qubits), L)`` chain table (rows follow ``qubits``).
        per_sample: whether any gate depends on inputs.
        num_qubits: circuit width.
        window: largest window for the shared strategy.
        constant: every gate of the layer is a constant matrix (no weights, no inputs).
    """

    def __init__(self, qubits: list[int], table: np.ndarray, per_sample: bool, num_qubits: int,
                 window: int, constant: bool = False) -> None:
        self.qubits = qubits
        self.table = table
        self.per_sample = per_sample
        self.constant = constant and not per_sample
        self.n = num_qubits
        self._entry_cache: dict[str, list[torch.Tensor]] = {}
        self.windows: list[tuple[int, int]] = []
        for q in qubits:
            if self.windows and q < self.windows[-1][0] + window:
                self.windows[-1] = (self.windows[-1][0], q - self.windows[-1][0] + 1)
            else:
                self.windows.append((q, 1))

    def __call__(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        if self.per_sample:
            m = _chain_product(ctx, self.table, id(self))  # (B, Q, 2, 2)
            for row, q in enumerate(self.qubits):
                psi = self._apply_one(psi, m[:, row], q)
            return psi
        return apply_windows(psi, self._shared_matrices(ctx), self.windows, self.n)

    def _shared_matrices(self, ctx: Context) -> list[torch.Tensor]:
        """The window matrices of a shared layer (built once per dtype/device when the layer is constant)."""
        if self.constant:
            def make() -> list[torch.Tensor]:
                with torch.no_grad():
                    return self._window_matrices(_chain_product(ctx, self.table, (id(self), "c")))

            return ctx.const((id(self), "windows"), make)
        return self._window_matrices(_chain_product(ctx, self.table, id(self)))

    def inverse(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Un-apply the layer: every gate is unitary, so each qubit's (or window's) ``M^H`` undoes it."""
        if self.per_sample:
            m = _chain_product(ctx, self.table, id(self)).mH  # (B, Q, 2, 2); the qubits are distinct
            for row, q in enumerate(self.qubits):
                psi = self._apply_one(psi, m[:, row], q)
            return psi
        mats = [m.mH.resolve_conj() for m in self._shared_matrices(ctx)]
        return apply_windows(psi, mats, self.windows, self.n)

    def _window_matrices(self, m: torch.Tensor) -> list[torch.Tensor]:
        """Per window, ``kron(M_{lo+k-1}, ..., M_lo)`` (the higher qubit is the left factor).

        Entry ``(r, c)`` is ``prod_j M_{lo+j}[bit_j(r), bit_j(c)]``: one gather of the 2x2 entries and one
        product over the window's qubits (a third of the forward+backward time of pairwise Kronecker
        products of these tiny tensors).
        """
        flat = torch.cat([m[0].reshape(-1), torch.eye(2, dtype=m.dtype, device=m.device).reshape(-1)])
        idx = self._entry_index(m.device)
        return [flat.index_select(0, i).view(k, 4**k).prod(0).view(2**k, 2**k)
                for (_, k), i in zip(self.windows, idx)]

    def _entry_index(self, device: torch.device) -> list[torch.Tensor]:
        """Per window, ``(k * 4**k,)`` indices into ``[M.flatten(), I.flatten()]`` (absent qubits: I)."""
        key = str(device)
        cache = self._entry_cache
        if key not in cache:
            row_of = {q: r for r, q in enumerate(self.qubits)}
            eye = 4 * len(self.qubits)
            out = []
            for lo, k in self.windows:
                r = np.arange(2**k)[:, None]
                c = np.arange(2**k)[None, :]
                rows = [row_of.get(lo + j, -1) for j in range(k)]
                idx = np.stack([(eye if row < 0 else 4 * row) + 2 * ((r >> j) & 1) + ((c >> j) & 1)
                                for j, row in enumerate(rows)]).reshape(-1)
                out.append(torch.as_tensor(idx, device=device))
            cache[key] = out
        return cache[key]

    def _apply_one(self, psi: torch.Tensor, m: torch.Tensor, q: int) -> torch.Tensor:
        b = max(psi.shape[0], m.shape[0])
        view = psi.reshape(psi.shape[0], 2 ** (self.n - q - 1), 2, 2**q)
        col0 = m[:, None, :, 0, None]  # (b, 1, 2, 1)
        col1 = m[:, None, :, 1, None]
        out = col0 * view[:, :, 0:1, :] + col1 * view[:, :, 1:2, :]
        return out.reshape(b, -1)


class Monomial:
    """A fused run of constant permutation-with-phase gates: ``out[k] = phase[k] * psi[src[k]]``."""

    def __init__(self, src: np.ndarray, phase: np.ndarray) -> None:
        self.src = src
        self.inv = np.argsort(src)
        self.phase = None if np.allclose(phase, 1.0) else phase

    def _tensors(self, psi: torch.Tensor, ctx: Context) -> tuple:
        def make():
            ph = None if self.phase is None else torch.as_tensor(self.phase, dtype=psi.dtype, device=psi.device)
            return (torch.as_tensor(self.src, device=psi.device), torch.as_tensor(self.inv, device=psi.device), ph)

        return ctx.const((id(self), "perm"), make)

    def __call__(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        src, inv, ph = self._tensors(psi, ctx)
        return permute(psi, src, inv, ph)

    def inverse(self, out: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Un-apply: ``psi[src[k]] = conj(phase[k]) out[k]``, i.e. ``psi = (conj(phase) out)[inv]``."""
        src, inv, ph = self._tensors(out, ctx)
        return permute(out if ph is None else out * ph.conj(), inv, src, None)


class Diagonal:
    """A fused run of parametrised diagonal gates: ``psi * exp(i (theta @ A + b))``.

    When every gate of the run is diagonal on a single qubit (the factored input rotations of a layer),
    the phase vector is a product state: the per-qubit angles ``theta @ A_q`` ``(b, n, 2)`` are summed into
    the local phase of each window of 4 qubits, exponentiated there and combined by one outer product
    across windows (:func:`~qhep_contrast.execution.exact._autograd.apply_phases`), avoiding a full-size
    ``exp`` per amplitude. Otherwise the general form is evaluated.

    Args:
        angle_cols: columns into the shared (or per-sample) angle table, one per gate.
        patterns: ``(J, 2**n)`` real coefficient of each gate's angle per basis state.
        offset: ``(2**n,)`` constant phase.
        per_sample: whether any angle depends on inputs.
        num_qubits: circuit width.
    """

    def __init__(self, angle_cols: list[int], patterns: np.ndarray, offset: np.ndarray, per_sample: bool,
                 num_qubits: int) -> None:
        self.angle_cols = angle_cols
        self.patterns = patterns
        self.offset = offset
        self.per_sample = per_sample
        self.n = num_qubits
        self.per_qubit = self._factor(patterns, offset, num_qubits)

    @staticmethod
    def _factor(patterns: np.ndarray, offset: np.ndarray, n: int) -> np.ndarray | None:
        """``(J, n, 2)`` per-qubit coefficients if every pattern depends on one qubit only, else None."""
        if np.any(offset):
            return None
        k = np.arange(patterns.shape[1])
        out = np.zeros((patterns.shape[0], n, 2))
        for j, pat in enumerate(patterns):
            owners = [q for q in range(n) if not np.allclose(pat, pat[k ^ (1 << q)])]
            if len(owners) > 1:
                return None
            if owners:
                q = owners[0]
                out[j, q] = (pat[0], pat[1 << q])
                if not np.allclose(pat, np.where((k >> q) & 1, pat[1 << q], pat[0])):
                    return None
            elif np.any(pat):
                return None
        return out

    def __call__(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        return self._apply(psi, ctx, 1.0)

    def inverse(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Un-apply: multiply by the conjugate phase ``exp(-i (theta @ A + b))``."""
        return self._apply(psi, ctx, -1.0)

    def _apply(self, psi: torch.Tensor, ctx: Context, sign: float) -> torch.Tensor:
        theta = cast(torch.Tensor, ctx.theta_sample) if self.per_sample else ctx.theta_shared.unsqueeze(0)
        real = theta.dtype
        cols = ctx.const((id(self), "cols"), lambda: torch.as_tensor(self.angle_cols, device=psi.device))
        t = theta.index_select(1, cols)
        if self.per_qubit is not None:
            coef = ctx.const((id(self), "q"), lambda: torch.as_tensor(
                cast(np.ndarray, self.per_qubit).reshape(len(self.angle_cols), -1), dtype=real, device=psi.device))
            tables = ctx.const(("phase_tables", self.n, real), lambda: phase_tables(self.n, real, psi.device))
            ang = (t @ coef).reshape(t.shape[0], self.n, 2)
            return apply_phases(psi, ang if sign > 0 else -ang, tables)
        pat = ctx.const((id(self), "p"), lambda: torch.as_tensor(self.patterns, dtype=real, device=psi.device))
        off = ctx.const((id(self), "o"), lambda: torch.as_tensor(self.offset, dtype=real, device=psi.device))
        phase = t @ pat + off
        return psi * torch.polar(torch.ones_like(phase), sign * phase)


class General:
    """One multi-qubit gate applied by a dense local matrix (constant, or trig-form rotation).

    Args:
        qubits: the gate's qubits, ``qubits[0]`` the least significant bit of the local index.
        num_qubits: circuit width.
        const: constant local matrix, or None for a trig-form gate.
        trig: ``(A, B_c, B_s)`` for ``M(t) = A + cos(t/2) B_c + sin(t/2) B_s``.
        angle_col: column of ``t`` in the angle table.
        per_sample: whether ``t`` depends on inputs.
    """

    def __init__(self, qubits: list[int], num_qubits: int, const: np.ndarray | None = None,
                 trig: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None, angle_col: int = 0,
                 per_sample: bool = False) -> None:
        self.qubits = qubits
        self.n = num_qubits
        self.constm = const
        self.trig = trig
        self.angle_col = angle_col
        self.per_sample = per_sample
        # tensor axis of qubit q in psi.reshape(b, 2, ..., 2) is 1 + (n - 1 - q); local index MSB first
        self.axes = [1 + (num_qubits - 1 - q) for q in reversed(qubits)]

    def _matrix(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        if self.constm is not None:
            return ctx.const(id(self), lambda: torch.as_tensor(self.constm, dtype=psi.dtype, device=psi.device))[None]
        a, bc, bs = ctx.const(id(self), lambda: tuple(
            torch.as_tensor(m, dtype=psi.dtype, device=psi.device) for m in cast(tuple, self.trig)))
        theta = cast(torch.Tensor, ctx.theta_sample) if self.per_sample else ctx.theta_shared.unsqueeze(0)
        t = theta[:, self.angle_col, None, None] / 2
        return a + torch.cos(t) * bc + torch.sin(t) * bs

    def __call__(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        return self._apply(psi, self._matrix(psi, ctx))

    def inverse(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Un-apply the (unitary) gate with ``M^H``."""
        return self._apply(psi, self._matrix(psi, ctx).mH)

    def _apply(self, psi: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        """Apply the local matrices ``m (1 or B, K, K)`` to the gate's qubits of ``psi (b, 2**n)``."""
        k = len(self.qubits)
        b = psi.shape[0]
        t = psi.reshape(b, *([2] * self.n)).movedim(self.axes, list(range(self.n + 1 - k, self.n + 1)))
        shape = t.shape
        flat = t.reshape(b, -1, 2**k)
        out = flat @ m.transpose(-1, -2)  # (b, R, K) @ (1 or B, K, K) broadcasts over the batch
        out = out.reshape(out.shape[0], *shape[1:]).movedim(list(range(self.n + 1 - k, self.n + 1)), self.axes)
        return out.reshape(out.shape[0], -1)


class GlobalPhase:
    """Multiply by ``exp(i * phi)`` with ``phi`` a constant or an angle column."""

    def __init__(self, value: float, angle_col: int | None, per_sample: bool) -> None:
        self.value = value
        self.angle_col = angle_col
        self.per_sample = per_sample

    def __call__(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        return psi * self._factor(psi, ctx)

    def inverse(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Un-apply: multiply by ``exp(-i phi)``."""
        return psi * self._factor(psi, ctx).conj()

    def _factor(self, psi: torch.Tensor, ctx: Context) -> torch.Tensor:
        if self.angle_col is None:
            phase = torch.tensor(self.value, dtype=ctx.theta_shared.dtype, device=psi.device)
        else:
            theta = cast(torch.Tensor, ctx.theta_sample) if self.per_sample else ctx.theta_shared.unsqueeze(0)
            phase = theta[:, self.angle_col, None]
        return torch.polar(torch.ones_like(phase), phase)
