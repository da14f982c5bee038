"""Runners: how a :class:`~qhep_contrast.qnn.QuantumLayer` evaluates its circuit on one executor.

A runner is a callable ``runner(x (B, n_in), weight (n_w,)) -> Tensor`` that is differentiable with respect
to both arguments. :func:`make_runner` picks one from an execution configuration; the exact runner is
defined here, the primitive runners (``aer``, ``ibm``) live in their own modules and are imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import torch
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.exact import compile as compile_exact

__all__ = ["Output", "Runner", "ExactRunner", "make_runner", "OUTPUTS"]

Output = Literal["expectation", "probabilities", "state"]
OUTPUTS: tuple[str, ...] = ("expectation", "probabilities", "state")
Runner = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class ExactRunner:
    """Evaluate with the compiled torch statevector engine (CPU or CUDA, by the tensors' device).

    Args:
        spec: the circuit and its parameter roles.
        observables: observables for ``output="expectation"``.
        output: ``"expectation"`` ``(B, n_obs)``, ``"probabilities"`` ``(B, 2**n)`` or ``"state"``
            ``(B, 2**n)`` complex.
    """

    def __init__(self, spec: CircuitSpec, observables: Sequence[SparsePauliOp], output: Output) -> None:
        self.circuit = compile_exact(spec.circuit, spec.inputs, spec.weights)
        self.observables = tuple(observables)
        self.output = output
        # compiled once here, so that no call looks the observables up again
        self._program = self.circuit.observable_program(self.observables) if output == "expectation" else None

    def __call__(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        if self.output == "expectation":
            return self.circuit.expectation(x, weight, self._program)
        if self.output == "probabilities":
            return self.circuit.probabilities(x, weight)
        return self.circuit.statevector(x, weight)


def make_runner(spec: CircuitSpec, observables: Sequence[SparsePauliOp], output: Output, execution) -> Runner:
    """Build the runner for ``execution`` (None or kind ``"exact"`` -> :class:`ExactRunner`).

    Raises:
        ConfigError: for an unknown output, or an executor that cannot produce it.
    """
    if output not in OUTPUTS:
        raise ConfigError(f"output must be one of {OUTPUTS}, got {output!r}.")
    kind = "exact" if execution is None else getattr(execution, "kind", None)
    if kind == "exact":
        return ExactRunner(spec, observables, output)
    if kind in ("aer", "ibm"):
        if output == "state":
            raise ConfigError(
                f"output='state' needs the exact executor; {kind!r} returns measured quantities only. "
                "Use output='expectation' or 'probabilities', or estimate fidelities with "
                "qhep_contrast.qnn.fidelity estimators (swap test, compute-uncompute)."
            )
        from qhep_contrast.qnn.primitive_runner import PrimitiveRunner  # lazy: pulls in the primitive stacks

        return PrimitiveRunner(spec, observables, output, execution)
    raise ConfigError(
        f"execution must be None or an ExecutionConfig with kind 'exact', 'aer' or 'ibm'; got {execution!r}."
    )
