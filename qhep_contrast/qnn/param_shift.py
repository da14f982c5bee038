"""Batched parameter-shift rules: every gate angle shifted separately, chain rule back to the parameters.

A circuit parameter may appear in several gates and inside expressions (``w*x + b``, ``theta/2`` after
decomposition, ``theta + pi`` after ISA transpilation). :class:`ShiftPlan` rewrites the circuit so that
every parametrised gate angle ``a_k = e_k(p)`` is its own fresh parameter ``theta_k``, shifts those, and
applies the chain rule with the Jacobian of the angle expressions:

    d f / d p_m = sum_k (d e_k / d p_m) * sum_r c_r f(theta + s_r * u_k),

Shift rules (``u_k``: unit vector of angle ``k``):

* two-term (Mitarai et al. 2018; Schuld et al. 2019), exact for ``exp(-i theta P / 2)`` with ``P`` a Pauli
  string (rx, ry, rz, rxx, ryy, rzz, rzx; p, cp, u1 up to a global phase; each angle of u/u2/u3):
  ``s = +-pi/2``, ``c = +-1/2``;
* four-term (Anselmetti et al. 2021, New J. Phys. 23 113010), for generators with eigenvalues
  ``{0, +-1/2}`` (crx, cry, crz): ``s = +-pi/2, +-3pi/2``, ``c = +-(sqrt(2)+1)/(4 sqrt(2)),
  -+(sqrt(2)-1)/(4 sqrt(2))``.

Other parametrised gates are replaced by their definitions until only these remain. All shifted bindings
of a batch form one array of shape ``(N, S, K)`` (``S`` shifted angle vectors per sample, ``K`` angles),
evaluated as one broadcast PUB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import sympy
from qiskit.circuit import Parameter, ParameterExpression, ParameterVector, QuantumCircuit

from qhep_contrast.exceptions import CircuitError

__all__ = ["ShiftRule", "TWO_TERM", "FOUR_TERM", "GATE_RULES", "ShiftPlan", "ShiftedBatch"]


@dataclass(frozen=True)
class ShiftRule:
    """``d f / d theta = sum_r coeffs[r] * f(theta + shifts[r])``."""

    shifts: tuple[float, ...]
    coeffs: tuple[float, ...]


TWO_TERM = ShiftRule((math.pi / 2, -math.pi / 2), (0.5, -0.5))
_DP = (math.sqrt(2) + 1) / (4 * math.sqrt(2))
_DM = (math.sqrt(2) - 1) / (4 * math.sqrt(2))
FOUR_TERM = ShiftRule((math.pi / 2, -math.pi / 2, 3 * math.pi / 2, -3 * math.pi / 2), (_DP, -_DP, -_DM, _DM))

#: gate name -> rule of each of its angles.
GATE_RULES: dict[str, tuple[ShiftRule, ...]] = {
    **{name: (TWO_TERM,) for name in ("rx", "ry", "rz", "p", "u1", "rxx", "ryy", "rzz", "rzx", "cp", "cu1", "mcphase")},
    "u": (TWO_TERM,) * 3,
    "u3": (TWO_TERM,) * 3,
    "u2": (TWO_TERM,) * 2,
    **{name: (FOUR_TERM,) for name in ("crx", "cry", "crz")},
}


def _is_symbolic(value: object) -> bool:
    return isinstance(value, ParameterExpression) and bool(value.parameters)


def _expand(circuit: QuantumCircuit, max_rounds: int = 8) -> QuantumCircuit:
    """Replace parametrised gates without a shift rule by their definitions (repeatedly)."""
    for _ in range(max_rounds):
        unknown = {inst.operation.name for inst in circuit.data
                   if inst.operation.name not in GATE_RULES and any(_is_symbolic(p) for p in inst.operation.params)}
        if not unknown:
            return circuit
        circuit = circuit.decompose(gates_to_decompose=sorted(unknown))
    raise CircuitError(f"parameter shift: gates {sorted(unknown)} keep parametrised angles after {max_rounds} "
                       "decompositions; use rotation gates (rx, ry, rz, rzz, crx, ...) for trainable angles.")


class _Expression:
    """One angle expression ``e(p)`` evaluated on value rows, with its partial derivatives."""

    def __init__(self, expr: ParameterExpression, column: dict[Parameter, int]) -> None:
        self.params = tuple(sorted(expr.parameters, key=lambda p: column[p]))
        self.columns = np.array([column[p] for p in self.params], dtype=np.int64)
        if isinstance(expr, Parameter):
            self._value = None
            self._derivs: list[float | Callable[..., Any]] = [1.0]
            return
        # Differentiate with sympy: qiskit 2.6's ParameterExpression.gradient(p).sympify() can return the wrong
        # expression (for x0*x1 the gradient w.r.t. x0 prints 'x[1]' but sympifies to 'x[0]').
        sym = expr.sympify()
        symbols = {str(s): s for s in sym.free_symbols}
        args = [symbols[p.name] for p in self.params]
        self._value = sympy.lambdify(args, sym, modules="numpy", dummify=True)
        self._derivs = []
        for arg in args:
            grad = sympy.diff(sym, arg)
            if grad.free_symbols:
                self._derivs.append(sympy.lambdify(args, grad, modules="numpy", dummify=True))
            else:
                self._derivs.append(float(sympy.re(grad)))

    def value(self, values: np.ndarray) -> np.ndarray:
        cols = [values[:, c] for c in self.columns]
        if self._value is None:
            return cols[0]
        return np.broadcast_to(np.real(self._value(*cols)), values.shape[:1])

    def derivatives(self, values: np.ndarray) -> np.ndarray:
        """``(N, len(params))``."""
        cols = [values[:, c] for c in self.columns]
        out = np.empty((values.shape[0], len(self.params)))
        for i, d in enumerate(self._derivs):
            out[:, i] = d if isinstance(d, float) else np.real(d(*cols))
        return out


@dataclass(frozen=True)
class ShiftedBatch:
    """Shifted bindings of one batch and what turns their evaluations into gradients.

    Attributes:
        values: ``(N, S, K)`` angle bindings for ``ShiftPlan.circuit`` (parameter order ``theta[0..K-1]``).
        coefficients: ``(S, Kw)`` shift-rule coefficients, ``Kw`` = the angles that depend on ``wrt``.
        jacobian: ``(N, Kw, R)`` derivatives of those angles w.r.t. the ``R`` requested parameters.
    """

    values: np.ndarray
    coefficients: np.ndarray
    jacobian: np.ndarray

    def gradient(self, evaluations: np.ndarray) -> np.ndarray:
        """``evaluations (..., N, S)`` of the shifted bindings -> gradients ``(..., N, R)``."""
        return np.einsum("...nk,nkr->...nr", evaluations @ self.coefficients, self.jacobian)


class ShiftPlan:
    """A circuit with one fresh parameter per gate angle, and the rules to shift each.

    Args:
        circuit: parametrised circuit (measurements allowed). Gate angles may be any expression of its
            parameters; the global phase is dropped (it does not change measured quantities).

    Attributes:
        parameters: the original circuit's parameters; value rows are in this order (``circuit.parameters``).
        circuit: the rewritten circuit; its parameters are ``theta[0..K-1]``, one per angle.
        num_angles: ``K``.
    """

    def __init__(self, circuit: QuantumCircuit) -> None:
        self.parameters: tuple[Parameter, ...] = tuple(circuit.parameters)
        expanded = _expand(circuit)
        column = {p: i for i, p in enumerate(self.parameters)}
        slots = [(i, j) for i, inst in enumerate(expanded.data)
                 for j, angle in enumerate(inst.operation.params) if _is_symbolic(angle)]
        theta = ParameterVector("_shift_theta", len(slots))
        self._exprs = [_Expression(expanded.data[i].operation.params[j], column) for i, j in slots]
        self._rules = [GATE_RULES[expanded.data[i].operation.name][j] for i, j in slots]
        fresh = {slot: theta[k] for k, slot in enumerate(slots)}
        out = expanded.copy_empty_like()
        out.global_phase = 0.0
        for i, inst in enumerate(expanded.data):
            params = [fresh.get((i, j), angle) for j, angle in enumerate(inst.operation.params)]
            op = inst.operation.copy() if params else inst.operation
            if params:
                op.params = params
            out.append(op, inst.qubits, inst.clbits)
        self.circuit = out
        self.num_angles = len(slots)
        self._depends = np.zeros((len(slots), len(self.parameters)), dtype=bool)
        for k, e in enumerate(self._exprs):
            self._depends[k, e.columns] = True

    def angles(self, values: np.ndarray) -> np.ndarray:
        """Angle values ``(N, K)`` for parameter rows ``values (N, len(parameters))``."""
        out = np.empty((values.shape[0], self.num_angles))
        for k, e in enumerate(self._exprs):
            out[:, k] = e.value(values)
        return out

    def shifted(self, values: np.ndarray, wrt: Sequence[int] | np.ndarray | None = None) -> ShiftedBatch:
        """All shifted bindings needed for the gradient w.r.t. parameter columns ``wrt`` (default: all).

        Args:
            values: ``(N, len(parameters))`` parameter rows.
            wrt: indices into :attr:`parameters`.
        """
        values = np.asarray(values, dtype=float).reshape(-1, len(self.parameters))
        wrt_cols = np.arange(len(self.parameters)) if wrt is None else np.asarray(wrt, dtype=np.int64)
        needed = (np.flatnonzero(self._depends[:, wrt_cols].any(axis=1)) if wrt_cols.size
                  else np.array([], dtype=np.int64))
        base = self.angles(values)
        rows = [(k, s, c) for k in needed for s, c in zip(self._rules[k].shifts, self._rules[k].coeffs)]
        slot = np.array([r[0] for r in rows], dtype=np.int64)
        shifted = np.repeat(base[:, None, :], len(rows), axis=1)
        shifted[:, np.arange(len(rows)), slot] += np.array([r[1] for r in rows])
        coefficients = np.zeros((len(rows), len(needed)))
        position = {k: i for i, k in enumerate(needed)}
        coefficients[np.arange(len(rows)), [position[k] for k in slot]] = [r[2] for r in rows]
        jacobian = np.zeros((values.shape[0], len(needed), wrt_cols.size))
        where = {int(m): i for i, m in enumerate(wrt_cols)}
        for i, k in enumerate(needed):
            derivs = self._exprs[k].derivatives(values)
            for j, col in enumerate(self._exprs[k].columns):
                if int(col) in where:
                    jacobian[:, i, where[int(col)]] += derivs[:, j]
        return ShiftedBatch(shifted, coefficients, jacobian)
