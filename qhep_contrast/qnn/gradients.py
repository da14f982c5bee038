"""Batched parameter-shift gradients for qiskit-machine-learning: one primitive job per backward pass.

qiskit-machine-learning's ``ParamShiftEstimatorGradient`` submits one PUB per sample x observable x shifted
parameter set (8,192 PUBs for 16 samples, 8 observables, 32 weights). These subclasses of its gradient base
classes compute the same gradients with **one** broadcast PUB per circuit and one ``run`` call per
backward pass (see :mod:`qhep_contrast.qnn.param_shift` for the rules):

* estimator: parameter values ``(N, S, K)`` (unique rows x shifted angle vectors x angles) against
  observables ``(n_obs, 1, 1)``, result ``(n_obs, N, S)``;
* sampler: parameter values ``(N, S, K)``, outcome frequencies ``(N, S, 2**c)``.

They plug into ``EstimatorQNN(gradient=...)`` / ``SamplerQNN(gradient=...)`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.providers import Options
from qiskit_machine_learning.gradients import (
    BaseEstimatorGradient,
    BaseSamplerGradient,
    EstimatorGradientResult,
    SamplerGradientResult,
)

from qhep_contrast.execution.counts import frequencies, outcomes
from qhep_contrast.qnn.param_shift import ShiftedBatch, ShiftPlan

__all__ = ["BatchedParamShiftEstimatorGradient", "BatchedParamShiftSamplerGradient"]


class _Plans:
    """Shift plans cached per circuit object (kept alive with the plan)."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[QuantumCircuit, ShiftPlan]] = {}

    def __call__(self, circuit: QuantumCircuit) -> ShiftPlan:
        entry = self._plans.get(id(circuit))
        if entry is None or entry[0] is not circuit:
            entry = (circuit, ShiftPlan(circuit))
            self._plans[id(circuit)] = entry
        return entry[1]


def _group(circuits: Sequence[QuantumCircuit]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, circuit in enumerate(circuits):
        groups.setdefault(id(circuit), []).append(i)
    return groups


def _batch(plan: ShiftPlan, values: np.ndarray, parameters: Sequence[Sequence[Parameter]],
           entries: list[int]) -> tuple[ShiftedBatch, np.ndarray, np.ndarray]:
    """Unique value rows of ``entries``, the union of their requested parameters, and the shifted batch.

    Returns:
        ``(batch, row_of_entry, wrt)``.
    """
    column = {p: i for i, p in enumerate(plan.parameters)}
    wrt = np.array(sorted({column[p] for i in entries for p in parameters[i]}), dtype=np.int64)
    rows, row_of_entry = np.unique(values[entries], axis=0, return_inverse=True)
    return plan.shifted(rows, wrt), row_of_entry.reshape(-1), wrt


def _pick(gradient_row: np.ndarray, wrt: np.ndarray, plan: ShiftPlan, params: Sequence[Parameter]) -> np.ndarray:
    """Entries of ``gradient_row`` (over ``wrt``, leading axis) for the requested ``params``, in their order."""
    column = {p: i for i, p in enumerate(plan.parameters)}
    position = {int(m): j for j, m in enumerate(wrt)}
    return gradient_row[[position[column[p]] for p in params]]


class BatchedParamShiftEstimatorGradient(BaseEstimatorGradient):
    """Exact parameter-shift gradients of expectation values, one estimator ``run`` per call.

    Args:
        estimator: Estimator V2 that evaluates the shifted bindings.
        precision: passed to ``estimator.run`` (None: the estimator's default; 0.0 for exact Aer).
    """

    def __init__(self, estimator, precision: float | None = None) -> None:
        super().__init__(estimator)
        self.precision = precision
        self._plan = _Plans()

    def _run(self, circuits: Sequence[QuantumCircuit], observables: Sequence, parameter_values,
             parameters: Sequence[Sequence[Parameter]], **options) -> EstimatorGradientResult:
        values = np.asarray(parameter_values, dtype=float)
        pubs, work = [], []
        for indices in _group(circuits).values():
            plan = self._plan(circuits[indices[0]])
            batch, row_of_entry, wrt = _batch(plan, values, parameters, indices)
            obs_ids = list(dict.fromkeys(id(observables[i]) for i in indices))
            by_id = {id(observables[i]): observables[i] for i in indices}
            obs = np.empty((len(obs_ids), 1, 1), dtype=object)
            for j, oid in enumerate(obs_ids):
                obs[j, 0, 0] = by_id[oid]
            work.append((indices, plan, batch, row_of_entry, wrt, {oid: j for j, oid in enumerate(obs_ids)}))
            if batch.values.shape[1]:
                pubs.append((plan.circuit, obs, batch.values))
        results = iter(self._estimator.run(pubs, precision=self.precision).result()) if pubs else iter(())
        gradients: list[np.ndarray] = [np.zeros(0)] * len(circuits)
        for indices, plan, batch, row_of_entry, wrt, obs_pos in work:
            shape = (len(obs_pos), batch.values.shape[0], wrt.size)
            grads = batch.gradient(next(results).data.evs) if batch.values.shape[1] else np.zeros(shape)
            for e, i in enumerate(indices):
                g = grads[obs_pos[id(observables[i])], row_of_entry[e]]
                gradients[i] = _pick(g, wrt, plan, parameters[i])
        metadata = [{"parameters": list(p)} for p in parameters]
        return EstimatorGradientResult(gradients=gradients, metadata=metadata, options=Options())


class BatchedParamShiftSamplerGradient(BaseSamplerGradient):
    """Exact parameter-shift gradients of outcome probabilities, one sampler ``run`` per call.

    The probabilities are those of the outcomes of all classical bits of the circuit (``join_data``).

    Args:
        sampler: Sampler V2 that samples the shifted bindings (its shots set the gradient's noise).
    """

    def __init__(self, sampler) -> None:
        super().__init__(sampler)
        self._plan = _Plans()

    def _run(self, circuits: Sequence[QuantumCircuit], parameter_values, parameters: Sequence[Sequence[Parameter]],
             **options) -> SamplerGradientResult:
        values = np.asarray(parameter_values, dtype=float)
        pubs, work = [], []
        for indices in _group(circuits).values():
            plan = self._plan(circuits[indices[0]])
            batch, row_of_entry, wrt = _batch(plan, values, parameters, indices)
            work.append((indices, plan, batch, row_of_entry, wrt))
            if batch.values.shape[1]:
                pubs.append((plan.circuit, batch.values))
        results = iter(self._sampler.run(pubs).result()) if pubs else iter(())
        gradients: list[list[dict[int, float]]] = [[] for _ in circuits]
        for indices, plan, batch, row_of_entry, wrt in work:
            num_bits = plan.circuit.num_clbits
            if batch.values.shape[1]:
                probs = frequencies(outcomes(next(results).join_data()), num_bits)  # (N, S, 2**c)
                grads = np.moveaxis(batch.gradient(np.moveaxis(probs, -1, 0)), 0, -1)  # (N, R, 2**c)
            else:
                grads = np.zeros((batch.values.shape[0], wrt.size, 1 << num_bits))
            for e, i in enumerate(indices):
                picked = _pick(grads[row_of_entry[e]], wrt, plan, parameters[i])
                gradients[i] = [{int(k): float(row[k]) for k in np.flatnonzero(row)} for row in picked]
        metadata = [{"parameters": list(p)} for p in parameters]
        return SamplerGradientResult(gradients=gradients, metadata=metadata, options=Options())
