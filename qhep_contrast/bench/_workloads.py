"""Engine workloads shared by the benchmarks: one W1 or W2 training step, checked before it is timed.

A step is forward + backward with respect to inputs and weights; on a CUDA device it ends with
``torch.cuda.synchronize()`` so that a host clock around it measures the device work.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.bench._naive import naive_expectations
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import QHEPError
from qhep_contrast.execution.exact import compile as compile_exact
from qhep_contrast.execution.exact import fidelity

__all__ = ["check_against_statevector", "w1_step", "w2_step", "synchronize"]


def synchronize(device: str) -> None:
    """Wait for the device's queued work (a no-op on the CPU)."""
    if device != "cpu":
        torch.cuda.synchronize()


def _statevector(spec: CircuitSpec, x_row: torch.Tensor, w: torch.Tensor) -> Statevector:
    bind = dict(zip(spec.inputs + spec.weights, [*x_row.tolist(), *w.tolist()]))
    return Statevector(spec.circuit.assign_parameters(bind))


def check_against_statevector(name: str, spec: CircuitSpec, got: np.ndarray, x: torch.Tensor,
                              w: torch.Tensor) -> None:
    """Refuse to time an implementation whose <O_k> differ from Statevector on the first two samples.

    Args:
        name: implementation name, for the message.
        spec: the circuit and its observables.
        got: ``(B, n_obs)`` expectation values of the implementation.
        x: ``(B, n_in)`` inputs (CPU); w: ``(n_w,)`` weights (CPU).

    Raises:
        QHEPError: a difference above 1e-4.
    """
    for b in range(min(2, x.shape[0])):
        sv = _statevector(spec, x[b], w)
        ref = np.array([sv.expectation_value(o).real for o in spec.observables])
        if not np.allclose(got[b], ref, atol=1e-4):
            raise QHEPError(f"{name}: output differs from Statevector by {np.abs(got[b] - ref).max():.2e}; "
                            "not timing a wrong implementation.")


def check_fidelities_against_statevector(name: str, spec: CircuitSpec, got: np.ndarray, x1: torch.Tensor,
                                         x2: torch.Tensor, w: torch.Tensor) -> None:
    """Refuse to time a W2 implementation whose fidelities differ from Statevector on the first two pairs.

    Raises:
        QHEPError: a difference above 1e-4.
    """
    for b in range(min(2, x1.shape[0])):
        ref = abs(_statevector(spec, x1[b], w).inner(_statevector(spec, x2[b], w))) ** 2
        if not np.isclose(got[b], ref, atol=1e-4):
            raise QHEPError(f"{name}: fidelity differs from Statevector by {abs(got[b] - ref):.2e}; "
                            "not timing a wrong implementation.")


def w1_step(spec: CircuitSpec, batch: int, device: str, impl: str = "engine",
            check: bool = True) -> Callable[[], None]:
    """One W1-style step: ``<O_k>`` of ``batch`` samples, then backward of their sum.

    Args:
        spec: the circuit (W1 at any width) with its observables.
        batch: samples per step; inputs and weights are drawn from seed 0.
        device: ``"cpu"`` or ``"cuda"``.
        impl: ``"engine"`` (compiled exact engine) or ``"naive"`` (gate-by-gate torch baseline).
        check: compare the first two samples with Statevector first (skip it where Statevector is too
            large to build, beyond ~24 qubits).
    """
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, spec.num_inputs, generator=gen).to(device).requires_grad_(True)
    w = torch.rand(spec.num_weights, generator=gen).to(device).requires_grad_(True)
    ec = compile_exact(spec.circuit, spec.inputs, spec.weights)
    observables = ec.observable_program(spec.observables)  # compiled once, outside the timed step

    def forward() -> torch.Tensor:
        if impl == "naive":
            return naive_expectations(spec.circuit, spec.inputs, spec.weights, x, w)
        return ec.expectation(x, w, observables)

    if check:
        check_against_statevector(impl, spec, forward().detach().cpu().numpy(), x.detach().cpu(),
                                  w.detach().cpu())

    def step() -> None:
        x.grad = w.grad = None
        forward().sum().backward()
        synchronize(device)

    return step


def w2_step(spec: CircuitSpec, batch: int, device: str, check: bool = True) -> Callable[[], None]:
    """One W2 step: ``F = |<psi(x1)|psi(x2)>|^2`` of ``batch`` pairs, then backward of ``F.sum()``.

    Inputs ``(2 * batch, n_in)`` and weights are drawn from seed 1; the first ``batch`` rows are ``x1``.
    With ``check``, the first two pairs' fidelities are compared with Statevector first (1e-4).
    """
    ec = compile_exact(spec.circuit, spec.inputs, spec.weights)
    gen = torch.Generator().manual_seed(1)
    x12 = torch.rand(2 * batch, spec.num_inputs, generator=gen).to(device).requires_grad_(True)
    w = torch.rand(spec.num_weights, generator=gen).to(device).requires_grad_(True)

    def forward() -> torch.Tensor:
        psi = ec.statevector(x12, w)
        return fidelity(psi[:batch], psi[batch:])

    if check:
        check_fidelities_against_statevector("qhep exact", spec, forward().detach().cpu().numpy(),
                                             x12[:batch].detach().cpu(), x12[batch:].detach().cpu(),
                                             w.detach().cpu())

    def step() -> None:
        x12.grad = w.grad = None
        forward().sum().backward()
        synchronize(device)

    return step
