"""Adjoint gradients of expectation values: reverse mode with recomputation, O(1) states per sample.

The fused node (``_fused``) keeps one state per stage for its backward pass, so its memory grows with the
circuit's depth times ``B * 2**n``. For an expectation ``E = <psi|O|psi>`` of ``psi = U_K ... U_1 psi_0``
the adjoint method needs no stored intermediate states:

1. forward to the final state ``psi_K`` (nothing recorded);
2. ``lambda_K = dL/dpsi_K`` (PyTorch's ``dL/dRe + i dL/dIm``), i.e. ``2 sum_j g_j O_j psi_K`` for the
   upstream gradients ``g (B, n_obs)``;
3. for ``k = K .. 1``: un-apply the stage, ``psi_{k-1} = U_k^H psi_k`` (every stage is unitary), take the
   vector-Jacobian product of the stage at ``psi_{k-1}`` with ``lambda_k``: it gives ``lambda_{k-1} =
   U_k^H lambda_k`` and the gradients of the stage's angle and matrix tables;
4. the product prefix's vector-Jacobian product with ``lambda_0``.

Step 3 takes the vector-Jacobian product by autograd on the one stage (a few states alive); constant stages
(permutations, constant gates) just apply ``U^H`` to ``lambda``, and weight-only Kron layers are walked
window by window with the closed form ``g_G = lambda X^H`` (two states alive).

The gradients land on the small per-call tables of :class:`~qhep_contrast.execution.exact._stages.Context`
(single-qubit matrices and angle tables, shared and per sample), from which autograd carries them to the
weights *and* the inputs. Between forward and backward only these tables are kept (plus the final states
when the batch is a single chunk); the batch is processed in chunks of at most ``chunk`` samples, so the
peak memory is a few states of one chunk whatever ``B`` is.
"""

from __future__ import annotations

import torch

from qhep_contrast.execution.exact._autograd import sum_to, window_forward, window_grad
from qhep_contrast.execution.exact._compile import Program
from qhep_contrast.execution.exact._observables import ObservableProgram
from qhep_contrast.execution.exact._stages import Context, General, GlobalPhase, KronLayer, Monomial

__all__ = ["adjoint_expectation", "chunk_size", "CHUNK_BYTES"]

#: Default memory budget of one state chunk of the adjoint path, in bytes (samples per chunk =
#: ``CHUNK_BYTES // (2**n * itemsize)``, at least 1).
CHUNK_BYTES = 2**24


def chunk_size(num_qubits: int, dtype: torch.dtype, budget: int = CHUNK_BYTES) -> int:
    """Samples per chunk so that one chunk of states ``(chunk, 2**n)`` of ``dtype`` fits ``budget`` bytes."""
    itemsize = torch.empty((), dtype=dtype).element_size()
    return max(1, budget // (itemsize << num_qubits))


def _final_state(program: Program, ctx: Context) -> torch.Tensor:
    """The final states ``(b, 2**n)`` (``b`` = 1 when nothing depends on the inputs), nothing recorded."""
    with torch.no_grad():
        psi = program.prefix.initial_state(ctx)
        for stage in program.stages:
            psi = stage(psi, ctx)
    return psi


def _chunk(t: torch.Tensor | None, lo: int, hi: int) -> torch.Tensor | None:
    return None if t is None else t[lo:hi]


class _Adjoint(torch.autograd.Function):
    """``<O_j>`` from the context tables; backward by the adjoint walk of the module docstring."""

    @staticmethod
    def forward(ctx, program: Program, readout: ObservableProgram, consts: dict, batch: int, chunk: int,
                mats_shared: torch.Tensor, mats_sample: torch.Tensor | None, theta_shared: torch.Tensor,
                theta_sample: torch.Tensor | None) -> torch.Tensor:
        outs = []
        final = None
        for lo in range(0, batch, chunk):
            hi = min(batch, lo + chunk)
            c = Context(mats_shared, _chunk(mats_sample, lo, hi), theta_shared, _chunk(theta_sample, lo, hi), consts)
            psi = _final_state(program, c)
            with torch.no_grad():
                out = readout(psi)
            outs.append(out.expand(hi - lo, -1) if out.shape[0] != hi - lo else out)
            # the final states are kept for the backward pass only when the batch is one chunk (else recomputed)
            final = psi if lo == 0 else None
            del psi
        ctx.program, ctx.readout, ctx.consts, ctx.batch, ctx.chunk = program, readout, consts, batch, chunk
        ctx.final = final
        ctx.save_for_backward(mats_shared, mats_sample, theta_shared, theta_sample)
        return torch.cat(outs) if len(outs) > 1 else outs[0]

    @staticmethod
    def backward(ctx, g_out: torch.Tensor):
        program, readout, consts, batch, chunk = ctx.program, ctx.readout, ctx.consts, ctx.batch, ctx.chunk
        tables = ctx.saved_tensors
        acc: list[torch.Tensor | None] = [None if t is None else torch.zeros_like(t) for t in tables]
        final = ctx.final
        ctx.final = None
        for lo in range(0, batch, chunk):
            hi = min(batch, lo + chunk)
            leaves = [None if t is None else t.detach().requires_grad_(True)
                      for t in (tables[0], _chunk(tables[1], lo, hi), tables[2], _chunk(tables[3], lo, hi))]
            assert leaves[0] is not None and leaves[2] is not None
            c = Context(leaves[0], leaves[1], leaves[2], leaves[3], consts)
            grads = _walk(program, readout, c, final if final is not None else _final_state(program, c),
                          g_out[lo:hi], [t for t in leaves if t is not None])
            it = iter(grads)
            for i, t in enumerate(leaves):
                if t is None:
                    continue
                g = next(it)
                if g is None:
                    continue
                target = acc[i]
                assert target is not None
                if i in (1, 3):
                    target[lo:hi] += g
                else:
                    target += g
        return (None, None, None, None, None, *acc)


def _walk(program: Program, readout: ObservableProgram, c: Context, psi: torch.Tensor, g_out: torch.Tensor,
          leaves: list[torch.Tensor]) -> list[torch.Tensor | None]:
    """The adjoint walk over one chunk: gradients of ``(g_out * <O>).sum()`` w.r.t. ``leaves``."""
    b = g_out.shape[0]
    if psi.shape[0] != b:
        psi = psi.expand(b, -1).contiguous()
    with torch.enable_grad():
        p = psi.detach().requires_grad_(True)
        (lam,) = torch.autograd.grad(readout(p), p, g_out)
    total: list[torch.Tensor | None] = [None] * len(leaves)

    def add(grads) -> None:
        for i, g in enumerate(grads):
            if g is not None:
                total[i] = g if total[i] is None else total[i] + g

    for stage in reversed(program.stages):
        if isinstance(stage, KronLayer) and not stage.per_sample:
            psi, lam, grads = _walk_windows(stage, c, psi, lam, leaves)
            add(grads)
            continue
        with torch.no_grad():
            prev = stage.inverse(psi, c)
        if not _has_angles(stage):  # a constant unitary: lambda_{k-1} = U^H lambda_k
            with torch.no_grad():
                lam = stage.inverse(lam, c)
            psi = prev
            continue
        with torch.enable_grad():
            p = prev.requires_grad_(True)
            grads = torch.autograd.grad(stage(p, c), [p, *leaves], lam, allow_unused=True)
        lam = grads[0]
        add(grads[1:])
        psi = prev.detach()
        del p, grads
    with torch.enable_grad():
        start = program.prefix.initial_state(c)
        add(torch.autograd.grad(start, leaves, sum_to(lam, start.shape[0]), allow_unused=True))
    return total


def _has_angles(stage) -> bool:
    """Whether a stage depends on angles (else it is a constant unitary)."""
    if isinstance(stage, Monomial):
        return False
    if isinstance(stage, General):
        return stage.constm is None
    if isinstance(stage, GlobalPhase):
        return stage.angle_col is not None
    return True


def _walk_windows(stage: KronLayer, c: Context, psi: torch.Tensor, lam: torch.Tensor,
                  leaves: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, tuple]:
    """The adjoint walk through a shared Kron layer, window by window (two states alive at any time).

    For window ``j`` (last first) with matrix ``G_j``: ``X_j = G_j^H Y_j``, ``g_{G_j} = lambda X_j^H`` (summed
    over the batch), ``lambda <- G_j^H lambda``; the window-matrix gradients then go through the (small)
    chain and Kronecker products to the context tables by autograd.
    """
    n = stage.n
    with torch.enable_grad():
        mats = stage._shared_matrices(c)
    g_mats = []
    with torch.no_grad():
        for (lo, k), m in zip(reversed(stage.windows), reversed(mats)):
            mh = m.detach().mH.resolve_conj()
            psi = window_forward(psi, mh, lo, k, n)
            if not stage.constant:
                g_mats.append(window_grad(psi, lam, lo, k))
            lam = window_forward(lam, mh, lo, k, n)
    if stage.constant:
        return psi, lam, ()
    grads = torch.autograd.grad(mats, leaves, g_mats[::-1], allow_unused=True)
    return psi, lam, grads


def adjoint_expectation(program: Program, ctx: Context, readout: ObservableProgram, batch: int,
                        chunk: int) -> torch.Tensor:
    """``<O_j>`` ``(B, n_obs)`` of the program's final states, differentiable by the adjoint method.

    Args:
        program: the compiled program.
        ctx: its per-call tables, built with autograd from the inputs and weights (gradients reach them).
        readout: the compiled observables.
        batch: ``B``.
        chunk: samples per chunk (see :func:`chunk_size`).
    """
    return _Adjoint.apply(program, readout, ctx.consts, batch, chunk, ctx.mats_shared, ctx.mats_sample,
                          ctx.theta_shared, ctx.theta_sample)
