"""Compile the angles of a circuit into one vectorised torch program.

Every gate angle (and the global phase) is a Qiskit ``ParameterExpression`` over the input parameters
``x`` and weight parameters ``w``. We split the angles into *shared* ones (depending on weights only: one
value per step) and *per-sample* ones (depending on inputs: one value per sample) and evaluate each group
with a few batched tensor operations:

    theta = c + x @ A_x + w @ A_w + sum_k coef_k * prod_j p_{f(k, j)} + fallback(x, w)

where the middle sums cover every polynomial angle (``w*x + b``, ``2*x``, ``x**2`` ...). Angles that are
not polynomials (``sin(x)``, ``1/w``) are evaluated by a small sympy-to-torch interpreter (``_Fallback``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy
import torch
from qiskit.circuit import Parameter, ParameterExpression

from qhep_contrast.exceptions import UnboundParameterError

__all__ = ["AngleProgram", "AngleRef"]


@dataclass(frozen=True)
class AngleRef:
    """Where one angle lives after compilation: group ``"const"``, ``"shared"`` or ``"sample"``.

    For ``"const"`` the value is ``value``; otherwise ``index`` is the column in that group's output.
    """

    group: str
    index: int = -1
    value: float = 0.0


_SYMPY_TORCH = {
    sympy.sin: torch.sin,
    sympy.cos: torch.cos,
    sympy.tan: torch.tan,
    sympy.exp: torch.exp,
    sympy.log: torch.log,
    sympy.asin: torch.asin,
    sympy.acos: torch.acos,
    sympy.atan: torch.atan,
    sympy.Abs: torch.abs,
    sympy.sign: torch.sign,
}


class _Fallback:
    """Evaluate a non-polynomial sympy expression with torch operations (sympy-to-torch interpreter)."""

    def __init__(self, expr: sympy.Expr, position: dict[str, int]) -> None:
        self.expr = expr
        self.position = position

    def __call__(self, params: torch.Tensor) -> torch.Tensor:
        return self._eval(self.expr, params)

    def _eval(self, e: sympy.Expr, params: torch.Tensor) -> torch.Tensor:
        if e.is_Symbol:
            return params[..., self.position[str(e)]]
        if e.is_Number:
            return torch.full(params.shape[:-1], float(e), dtype=params.dtype, device=params.device)
        args = [self._eval(a, params) for a in e.args]
        if e.is_Add:
            return sum(args[1:], args[0])
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if e.is_Pow:
            return torch.pow(args[0], args[1])
        func = _SYMPY_TORCH.get(e.func)
        if func is None:
            raise UnboundParameterError(
                f"angle expression {e} uses {e.func.__name__}, which the exact engine cannot evaluate; "
                "bind the parameter numerically or run the circuit on the `aer` executor."
            )
        return func(*args)


class _Group:
    """One vectorised group of angles over a parameter vector ``p`` (the group's symbols)."""

    def __init__(self, exprs: Sequence[sympy.Expr], symbols: Sequence[str]) -> None:
        self.size = len(exprs)
        self.symbols = list(symbols)
        position = {s: i for i, s in enumerate(self.symbols)}
        nsym = len(self.symbols)
        const = np.zeros(self.size)
        linear = np.zeros((nsym, self.size))
        mono_factors: list[list[int]] = []
        mono_coef: list[tuple[int, float]] = []
        self.fallback: list[tuple[int, _Fallback]] = []
        gens = [sympy.Symbol(s) for s in self.symbols]
        for col, expr in enumerate(exprs):
            if expr.is_Symbol:  # fast path: the angle is a bare parameter
                linear[position[str(expr)], col] += 1.0
                continue
            poly = None
            if gens:
                try:
                    poly = sympy.Poly(expr, *gens)
                except sympy.PolynomialError:
                    poly = None
            if gens and (poly is None or not all(c.is_number for c in poly.coeffs())):
                self.fallback.append((col, _Fallback(expr, position)))
                continue
            terms = poly.as_dict() if poly is not None else {(): expr}
            for powers, coef in terms.items():
                coef = float(coef)
                degree = sum(powers)
                if degree == 0:
                    const[col] += coef
                elif degree == 1:
                    linear[powers.index(1), col] += coef
                else:
                    mono_factors.append([i for i, k in enumerate(powers) for _ in range(k)])
                    mono_coef.append((col, coef))
        self._const = const
        self._linear = linear
        width = max((len(f) for f in mono_factors), default=0)
        # factor index nsym points at an appended column of ones (padding for shorter monomials)
        self._mono_idx = np.array([f + [nsym] * (width - len(f)) for f in mono_factors], dtype=np.int64)
        self._mono_coef = np.zeros((len(mono_factors), self.size))
        for k, (col, coef) in enumerate(mono_coef):
            self._mono_coef[k, col] = coef
        self._cache: dict[tuple, tuple[torch.Tensor, ...]] = {}

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, ...]:
        key = (dtype, device)
        if key not in self._cache:
            self._cache[key] = (
                torch.as_tensor(self._const, dtype=dtype, device=device),
                torch.as_tensor(self._linear, dtype=dtype, device=device),
                torch.as_tensor(self._mono_idx, device=device),
                torch.as_tensor(self._mono_coef, dtype=dtype, device=device),
            )
        return self._cache[key]

    def __call__(self, params: torch.Tensor) -> torch.Tensor:
        """Evaluate the group: ``params (..., nsym)`` real -> angles ``(..., size)``."""
        const, linear, mono_idx, mono_coef = self._constants(params.dtype, params.device)
        out = const + params @ linear if linear.shape[0] else const.expand(*params.shape[:-1], -1)
        if mono_idx.shape[0]:
            padded = torch.cat([params, torch.ones_like(params[..., :1])], dim=-1)
            out = out + padded[..., mono_idx].prod(dim=-1) @ mono_coef
        if self.fallback:
            cols = [col for col, _ in self.fallback]
            vals = torch.stack([f(params) for _, f in self.fallback], dim=-1)
            out = _put_columns(out, cols, vals)
        return out


def _put_columns(out: torch.Tensor, cols: list[int], vals: torch.Tensor) -> torch.Tensor:
    """Return ``out`` with columns ``cols`` replaced by ``vals`` (out-of-place, autograd-safe)."""
    out = out.clone()
    out[..., cols] = vals
    return out


class AngleProgram:
    """All angles of a circuit, compiled into a shared (weights-only) and a per-sample group.

    Args:
        angles: angle expressions (``ParameterExpression`` or numbers) in any order.
        inputs: input parameters, in the column order of ``x``.
        weights: weight parameters, in the order of ``w``.

    Attributes:
        refs: one :class:`AngleRef` per angle, in the order given.
    """

    def __init__(
        self,
        angles: Sequence[ParameterExpression | float],
        inputs: Sequence[Parameter],
        weights: Sequence[Parameter],
    ) -> None:
        in_names = [p.name for p in inputs]
        w_names = [p.name for p in weights]
        in_set, w_set = set(in_names), set(w_names)
        shared_exprs: list[sympy.Expr] = []
        sample_exprs: list[sympy.Expr] = []
        refs: list[AngleRef] = []
        for angle in angles:
            if not isinstance(angle, ParameterExpression) or not angle.parameters:
                refs.append(AngleRef("const", value=float(angle)))
                continue
            names = {p.name for p in angle.parameters}
            unknown = names - in_set - w_set
            if unknown:
                raise UnboundParameterError(
                    f"circuit parameters {sorted(unknown)} are neither inputs nor weights; pass them in "
                    "`input_params` or `weight_params`, or bind them with `assign_parameters` first."
                )
            expr = sympy.Symbol(angle.name) if isinstance(angle, Parameter) else angle.sympify()
            if names & in_set:
                refs.append(AngleRef("sample", len(sample_exprs)))
                sample_exprs.append(expr)
            else:
                refs.append(AngleRef("shared", len(shared_exprs)))
                shared_exprs.append(expr)
        self.refs = tuple(refs)
        self.shared = _Group(shared_exprs, w_names)
        self.sample = _Group(sample_exprs, in_names + w_names)

    def evaluate(self, x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Evaluate both groups.

        Args:
            x: inputs ``(B, n_inputs)``.
            w: weights ``(n_weights,)``.

        Returns:
            ``(shared (n_shared,), sample (B, n_sample))`` real tensors.
        """
        shared = self.shared(w)
        if self.sample.size:
            params = torch.cat([x, w.expand(x.shape[0], -1)], dim=-1)
            sample = self.sample(params)
        else:
            sample = x.new_zeros((x.shape[0], 0))
        return shared, sample
