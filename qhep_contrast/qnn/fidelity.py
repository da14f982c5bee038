"""Fidelity estimators for batches of pairs of encoded states, ``F_b = |<psi(x1_b; w)|psi(x2_b; w)>|^2``.

Construct / run / post-process, each returning a frozen :class:`FidelityResult` (raw and clipped values,
shot-noise standard errors when sampled), in the style of qiskit-machine-learning's
``state_fidelities.ComputeUncompute``:

* :class:`ExactFidelity`: statevectors from the exact engine, ``F = |<psi1|psi2>|^2``; differentiable.
* :class:`SwapTestFidelity`: ``2n + 1`` qubits with CSWAPs, ``F = 2 P(ancilla = 0) - 1`` (unbiased, can fall
  outside ``[0, 1]`` with shots; standard error ``2 sqrt(P0 (1 - P0) / shots)``).
* :class:`ComputeUncomputeFidelity`: ``U(x2)^dagger U(x1)`` on ``n`` qubits, ``F = P(0...0)`` (standard error
  ``sqrt(F (1 - F) / shots)``); on hardware about a fifth of the swap test's two-qubit gates.

The swap test and compute-uncompute run on any executor: ``kind="exact"`` (or None) reads exact probabilities
from the engine (differentiable); ``aer``/``ibm`` sample all pairs as **one** broadcast PUB in one sampler job.
Circuits come from :mod:`qhep_contrast.circuits.fidelity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from qhep_contrast.circuits.fidelity import (
    compute_uncompute,
    compute_uncompute_fidelity,
    swap_test,
    swap_test_fidelity,
)
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.execution.counts import outcomes
from qhep_contrast.execution.exact import compile as compile_exact
from qhep_contrast.execution.exact import fidelity as exact_fidelity

__all__ = ["FidelityResult", "ExactFidelity", "SwapTestFidelity", "ComputeUncomputeFidelity"]


@dataclass(frozen=True)
class FidelityResult:
    """Fidelity estimates for ``B`` pairs.

    Attributes:
        raw: ``(B,)`` unclipped estimates (sampled swap tests can leave ``[0, 1]``).
        clipped: ``(B,)`` the estimates clamped to ``[0, 1]``.
        stderr: ``(B,)`` shot-noise standard errors, or None for exact values.
        method: ``"exact"``, ``"swap_test"`` or ``"compute_uncompute"``.
        shots: shots per pair, or None for exact values.
    """

    raw: torch.Tensor
    clipped: torch.Tensor
    stderr: torch.Tensor | None
    method: str
    shots: int | None


def _check_pairs(spec: CircuitSpec, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> None:
    n = spec.num_inputs
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != n:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ShapeError(f"fidelity of {spec.name!r}: {name} must have shape (B, {n}), got {got}.")
    if x1.shape != x2.shape:
        raise ShapeError(f"fidelity: x1 and x2 must hold the same number of pairs, got {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)}.")
    if not isinstance(weight, torch.Tensor) or weight.shape != (spec.num_weights,):
        got = tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ShapeError(f"fidelity of {spec.name!r}: weight must have shape ({spec.num_weights},), got {got}.")


class ExactFidelity:
    """Exact, differentiable fidelities from engine statevectors.

    Args:
        spec: the encoding ``|psi(x; w)> = U(x; w)|0>``.
    """

    method = "exact"

    def __init__(self, spec: CircuitSpec) -> None:
        self.spec = spec
        self._circuit = compile_exact(spec.circuit, spec.inputs, spec.weights)

    def __call__(self, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> FidelityResult:
        """Fidelities of the pairs ``(x1_b, x2_b)``: ``x1, x2 (B, n_in)``, ``weight (n_w,)``."""
        _check_pairs(self.spec, x1, x2, weight)
        f = exact_fidelity(self._circuit.statevector(x1, weight), self._circuit.statevector(x2, weight))
        return FidelityResult(f, f.clamp(0.0, 1.0), None, self.method, None)


class _CircuitFidelity:
    """Shared construct / run / post-process of the sampled fidelity circuits."""

    method = ""

    def __init__(self, spec: CircuitSpec, execution: ExecutionConfig | None = None) -> None:
        self.spec = spec
        self.execution = execution
        if execution is None or execution.kind == "exact":
            self._unitary = self._build(spec, measure=False)
            self._exact = compile_exact(self._unitary.circuit, self._unitary.inputs, self._unitary.weights)
            self.program = None
            return
        if execution.shots is None:
            raise ConfigError(f"{type(self).__name__} on kind={execution.kind!r} samples, so shots must be set "
                              "(an integer >= 1), got None; or use kind='exact' / ExactFidelity.")
        from qhep_contrast.execution.program import build_program

        measured = self._build(spec, measure=True)
        self.program = build_program(execution, measured.circuit, (), "sampler")
        order = {p: i for i, p in enumerate(measured.inputs + measured.weights)}
        self._columns = [order[p] for p in self.program.circuit.parameters]

    @staticmethod
    def _build(spec: CircuitSpec, measure: bool) -> CircuitSpec:
        raise NotImplementedError

    def _exact_values(self, probabilities: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _sampled_values(self, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def __call__(self, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> FidelityResult:
        """Fidelities of the pairs ``(x1_b, x2_b)``: ``x1, x2 (B, n_in)``, ``weight (n_w,)``."""
        _check_pairs(self.spec, x1, x2, weight)
        if self.program is None:
            f = self._exact_values(self._exact.probabilities(torch.cat([x1, x2], dim=1), weight))
            return FidelityResult(f, f.clamp(0.0, 1.0), None, self.method, None)
        values = torch.cat([x1, x2, weight.expand(x1.shape[0], -1)], dim=1).detach().to("cpu", torch.float64)
        pub = (self.program.circuit, values.numpy()[:, self._columns])
        result = self.program.primitive.run([pub]).result()
        raw, stderr = self._sampled_values(outcomes(result[0].data.meas))
        as_tensor = lambda a: torch.as_tensor(a, dtype=torch.float64, device=x1.device)  # noqa: E731
        return FidelityResult(as_tensor(raw), as_tensor(raw).clamp(0.0, 1.0), as_tensor(stderr), self.method,
                              cast(ExecutionConfig, self.execution).shots)


class SwapTestFidelity(_CircuitFidelity):
    """Swap test (Buhrman et al. 2001): ``F = 2 P(ancilla = 0) - 1``.

    Args:
        spec: the encoding.
        execution: None / kind ``"exact"`` (exact probabilities, differentiable) or an ``aer``/``ibm``
            config with ``shots`` (one sampler job per call).
    """

    method = "swap_test"

    @staticmethod
    def _build(spec: CircuitSpec, measure: bool) -> CircuitSpec:
        return swap_test(spec, measure=measure)

    def _exact_values(self, probabilities: torch.Tensor) -> torch.Tensor:
        return 2.0 * probabilities[:, 0::2].sum(dim=1) - 1.0  # ancilla = qubit 0 = lowest bit

    def _sampled_values(self, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p0 = ((outcome & 1) == 0).mean(axis=-1)
        return swap_test_fidelity(p0), 2.0 * np.sqrt(p0 * (1.0 - p0) / outcome.shape[-1])


class ComputeUncomputeFidelity(_CircuitFidelity):
    """Compute-uncompute (Havlicek et al. 2019): ``F = P(0...0)`` of ``U(x2)^dagger U(x1)|0>``.

    Args:
        spec: the encoding.
        execution: as :class:`SwapTestFidelity`.
    """

    method = "compute_uncompute"

    @staticmethod
    def _build(spec: CircuitSpec, measure: bool) -> CircuitSpec:
        return compute_uncompute(spec, measure=measure)

    def _exact_values(self, probabilities: torch.Tensor) -> torch.Tensor:
        return probabilities[:, 0]

    def _sampled_values(self, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f = compute_uncompute_fidelity((outcome == 0).mean(axis=-1))
        return f, np.sqrt(f * (1.0 - f) / outcome.shape[-1])
