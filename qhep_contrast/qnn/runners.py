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
from qhep_contrast.execution.marginals import check_readout_qubits, marginal_probabilities

__all__ = ["Output", "Runner", "ExactRunner", "make_runner", "OUTPUTS", "READOUTS"]

Output = Literal["expectation", "probabilities", "state", "marginals"]
OUTPUTS: tuple[str, ...] = ("expectation", "probabilities", "state")
"""Outputs over the whole register (the ``output`` choices of the generic model kinds)."""
READOUTS: tuple[str, ...] = (*OUTPUTS, "marginals")
"""Every output of :func:`make_runner`: :data:`OUTPUTS` and ``"marginals"`` of selected qubits."""
Runner = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class ExactRunner:
    """Evaluate with the compiled torch statevector engine (CPU or CUDA, by the tensors' device).

    Args:
        spec: the circuit and its parameter roles.
        observables: observables for ``output="expectation"``.
        output: ``"expectation"`` ``(B, n_obs)``, ``"probabilities"`` ``(B, 2**n)``, ``"state"``
            ``(B, 2**n)`` complex, or ``"marginals"`` ``(B, 2**k)``: the distribution of ``readout_qubits``.
        readout_qubits: the ``k`` qubits of ``output="marginals"``.
    """

    def __init__(self, spec: CircuitSpec, observables: Sequence[SparsePauliOp], output: Output,
                 readout_qubits: Sequence[int] = ()) -> None:
        self.circuit = compile_exact(spec.circuit, spec.inputs, spec.weights)
        self.observables = tuple(observables)
        self.output = output
        # compiled once here, so that no call looks the observables up again
        self._program = self.circuit.observable_program(self.observables) if output == "expectation" else None
        self.num_qubits = spec.num_qubits
        self.readout_qubits = tuple(readout_qubits)

    def __call__(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        if self.output == "expectation":
            assert self._program is not None
            return self.circuit.expectation(x, weight, self._program)
        if self.output == "probabilities":
            return self.circuit.probabilities(x, weight)
        if self.output == "marginals":
            return marginal_probabilities(self.circuit.probabilities(x, weight), self.readout_qubits,
                                          self.num_qubits)
        return self.circuit.statevector(x, weight)


def make_runner(spec: CircuitSpec, observables: Sequence[SparsePauliOp], output: Output, execution,
                readout_qubits: Sequence[int] = ()) -> Runner:
    """Build the runner for ``execution`` (None or kind ``"exact"`` -> :class:`ExactRunner`).

    Raises:
        ConfigError: for an unknown output, an executor that cannot produce it, or invalid
            ``readout_qubits`` for ``output="marginals"``.
    """
    if output not in READOUTS:
        raise ConfigError(f"output must be one of {READOUTS}, got {output!r}.")
    qubits = check_readout_qubits(readout_qubits, spec.num_qubits) if output == "marginals" else ()
    kind = "exact" if execution is None else getattr(execution, "kind", None)
    if kind == "exact":
        return ExactRunner(spec, observables, output, qubits)
    if kind in ("aer", "ibm"):
        if output == "state":
            raise ConfigError(
                f"output='state' needs the exact executor; {kind!r} returns measured quantities only. "
                "Use output='expectation' or 'probabilities', or estimate fidelities with "
                "qhep_contrast.qnn.fidelity estimators (swap test, compute-uncompute)."
            )
        from qhep_contrast.qnn.primitive_runner import PrimitiveRunner  # lazy: pulls in the primitive stacks

        return PrimitiveRunner(spec, observables, output, execution, qubits)
    raise ConfigError(
        f"execution must be None or an ExecutionConfig with kind 'exact', 'aer' or 'ibm'; got {execution!r}."
    )
