"""Shared fixtures of the QNN tests: a small circuit with shared and composite angles, executors, call counting."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits import CircuitSpec, z_observables
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.qnn.param_shift import ShiftPlan

#: Shots of the sampled executors in the conformance suite (tolerances are derived from it).
SHOTS = 12_000

EXECUTORS: dict[str, ExecutionConfig] = {
    "exact": ExecutionConfig(),
    "aer": ExecutionConfig(kind="aer"),
    "aer-shots": ExecutionConfig(kind="aer", shots=SHOTS, seed=11),
    "ibm-local": ExecutionConfig(kind="ibm", backend="fake_manila", shots=SHOTS, seed=11, local_noise=False,
                                 optimization_level=1),
}


def toy_spec(n: int = 3) -> CircuitSpec:
    """Inputs and weights in several gates, products ``w*x``, sums ``w + x`` and a controlled rotation."""
    x = ParameterVector("x", n)
    w = ParameterVector("w", 2 * n)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
        qc.rx(w[i], i)
    qc.crx(w[0] * x[1], 0, n - 1)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    for i in range(n):
        qc.ry(w[n + i] * x[i] + w[0], i)
    qc.rz(x[0] + w[1], 1)
    return CircuitSpec(qc, list(x), list(w), z_observables(n), name="toy")


class CallCounter:
    """Wrap ``primitive.run`` (monkeypatched on the instance) and record each call's PUB count."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, primitive) -> None:
        self.pubs: list[int] = []
        original = primitive.run

        def run(pubs, *args, **kwargs):
            pubs = list(pubs)
            self.pubs.append(len(pubs))
            return original(pubs, *args, **kwargs)

        monkeypatch.setattr(primitive, "run", run)

    @property
    def calls(self) -> int:
        return len(self.pubs)


def shift_variance_factors(spec: CircuitSpec, x: torch.Tensor, w: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """``sum_s (sum_k C[s,k] J[b,k,m])**2`` for inputs ``(B, n_in)`` and weights ``(B, n_w)``.

    Multiplied by a per-binding variance bound (``W**2 / shots``) this bounds the variance of a parameter-shift
    gradient entry (each shifted binding is sampled independently).
    """
    plan = ShiftPlan(spec.circuit)
    column = {p: i for i, p in enumerate(plan.parameters)}
    values = np.zeros((x.shape[0], len(plan.parameters)))
    for i, p in enumerate(spec.inputs):
        values[:, column[p]] = x[:, i].detach().double().numpy()
    for j, p in enumerate(spec.weights):
        values[:, column[p]] = float(w[j])
    batch = plan.shifted(values)
    factor = np.square(np.einsum("sk,bkm->bsm", batch.coefficients, batch.jacobian)).sum(axis=1)
    return factor[:, [column[p] for p in spec.inputs]], factor[:, [column[p] for p in spec.weights]]
