"""`CountsEstimator`: an Estimator V2 that measures with a Sampler V2 (real shot noise).

Aer's ``EstimatorV2`` computes exact expectation values; its ``precision`` only adds Gaussian noise. To get
genuine shot statistics (and, with a noise model, readout errors) we sample: the Pauli terms of all
observables of a PUB are grouped into qubit-wise commuting sets, each set gets one measurement circuit
(basis rotations ``X: rz(pi/2) sx``, ``Y: sx`` -- native IBM gates, so device noise applies to them --
then measurements), and

    <O> = sum_t c_t * mean_shots (-1)^(parity of the measured bits in the support of P_t),

with standard error ``sqrt(sum_groups Var_shots(sum_{t in group} c_t s_t) / shots)``. All measurement
circuits of all PUBs go to the sampler in **one** ``run`` call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import ClassicalRegister, QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2, DataBin, PrimitiveResult, PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import PauliList

from qhep_contrast.exceptions import CircuitError, ConfigError
from qhep_contrast.execution.counts import outcomes, z_signs
from qhep_contrast.execution.jobs import DerivedJob

__all__ = ["CountsEstimator"]

_ROWS_PER_CHUNK = 256


@dataclass(frozen=True)
class _Group:
    """One measurement setting: circuit with basis rotations, masks of its terms, coefficients per observable."""

    circuit: QuantumCircuit
    masks: np.ndarray  # (T,) uint64
    coeffs: np.ndarray  # (T, U) float64


@dataclass(frozen=True)
class _PubPlan:
    groups: tuple[_Group, ...]
    constant: np.ndarray  # (U,) identity contributions
    obs_index: np.ndarray  # observables shape -> index into the U unique observables
    param_shape: tuple[int, ...]
    shots: int


def _measurement_circuit(circuit: QuantumCircuit, group: PauliList) -> tuple[QuantumCircuit, list[int]]:
    """Append basis changes for ``group`` and measure its support into register ``obs``."""
    support = sorted({q for p in group for q in range(p.num_qubits) if p.x[q] or p.z[q]})
    out = circuit.copy()
    out.add_register(ClassicalRegister(len(support), "obs"))
    for q in support:
        letters = {("X" if p.x[q] and not p.z[q] else "Y" if p.x[q] else "Z") for p in group if p.x[q] or p.z[q]}
        (letter,) = letters  # qubit-wise commuting: one letter per qubit
        if letter == "X":
            out.rz(math.pi / 2, q)
        if letter in "XY":
            out.sx(q)
    out.measure(support, range(len(support)))
    return out, support


class CountsEstimator(BaseEstimatorV2):
    """Estimator V2 on top of a Sampler V2: one sampler ``run`` per estimator ``run``.

    Args:
        sampler: any Sampler V2 (Aer, Runtime, reference).
        shots: shots per measurement setting when a PUB gives no precision (a PUB precision ``p`` means
            ``ceil(1 / p**2)`` shots).

    Attributes:
        sampler: the wrapped sampler (count its ``run`` calls to count primitive jobs).
    """

    def __init__(self, sampler: BaseSamplerV2, shots: int) -> None:
        if not isinstance(shots, int) or shots < 1:
            raise ConfigError(f"CountsEstimator: shots must be an integer >= 1, got {shots!r}.")
        self.sampler = sampler
        self.shots = shots

    def run(self, pubs: Iterable, *, precision: float | None = None) -> DerivedJob:
        """Submit every PUB's measurement circuits as one sampler job; returns the (derived) job."""
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        plans, sampler_pubs = [], []
        for pub in coerced:
            plan = self._plan(pub)
            plans.append(plan)
            sampler_pubs += [(g.circuit, pub.parameter_values, plan.shots) for g in plan.groups]
        job = self.sampler.run(sampler_pubs)
        return DerivedJob(job, lambda result: self._results(plans, result))

    def _plan(self, pub: EstimatorPub) -> _PubPlan:
        if pub.circuit.num_clbits:
            raise CircuitError("CountsEstimator: the circuit already measures; pass the unmeasured circuit, "
                               "the estimator adds the measurements its observables need.")
        if pub.precision is not None and pub.precision <= 0:
            raise ConfigError(f"CountsEstimator samples, so precision must be > 0 or None, got {pub.precision}; "
                              "use an exact estimator (Aer EstimatorV2) for exact values.")
        shots = self.shots if pub.precision is None else math.ceil(1.0 / pub.precision**2)
        flat = list(pub.observables.ravel())
        keys = [tuple(sorted(obs.items())) for obs in flat]
        unique = list(dict.fromkeys(keys))
        obs_index = np.array([unique.index(k) for k in keys], dtype=np.int64).reshape(pub.observables.shape)
        labels = sorted({label for key in unique for label, _ in key if set(label) != {"I"}})
        constant = np.array([sum(c.real for label, c in key if set(label) == {"I"}) for key in unique], dtype=float)
        groups = []
        if labels:
            for group in PauliList(labels).group_qubit_wise_commuting():
                circuit, support = _measurement_circuit(pub.circuit, group)
                bit = {q: j for j, q in enumerate(support)}
                masks = np.array([sum(1 << bit[q] for q in range(p.num_qubits) if p.x[q] or p.z[q])
                                  for p in group], dtype=np.uint64)
                names = [p.to_label() for p in group]
                coeffs = np.array([[dict(key).get(n, 0.0).real for key in unique] for n in names])
                groups.append(_Group(circuit, masks, coeffs))
        return _PubPlan(tuple(groups), constant, obs_index, pub.parameter_values.shape, shots)

    def _results(self, plans: list[_PubPlan], sampled: PrimitiveResult) -> PrimitiveResult:
        pub_results, k = [], 0
        for plan in plans:
            rows = int(np.prod(plan.param_shape, dtype=np.int64))
            means = np.broadcast_to(plan.constant, (rows, plan.constant.size)).copy()
            variances = np.zeros_like(means)
            for group in plan.groups:
                values = outcomes(sampled[k].data.obs).reshape(rows, -1)
                ddof = 1 if values.shape[1] > 1 else 0
                k += 1
                for start in range(0, rows, _ROWS_PER_CHUNK):
                    per_shot = z_signs(values[start:start + _ROWS_PER_CHUNK], group.masks) @ group.coeffs
                    means[start:start + _ROWS_PER_CHUNK] += per_shot.mean(axis=1)
                    variances[start:start + _ROWS_PER_CHUNK] += per_shot.var(axis=1, ddof=ddof) / values.shape[1]
            pub_results.append(self._gather(plan, rows, means, variances))
        return PrimitiveResult(pub_results, metadata={"version": 2, "sampler_runs": 1})

    @staticmethod
    def _gather(plan: _PubPlan, rows: int, means: np.ndarray, variances: np.ndarray) -> PubResult:
        param_index = np.arange(rows).reshape(plan.param_shape)
        p_idx, o_idx = np.broadcast_arrays(param_index, plan.obs_index)
        evs, stds = means[p_idx, o_idx], np.sqrt(variances[p_idx, o_idx])
        return PubResult(DataBin(evs=evs, stds=stds, shape=evs.shape),
                         metadata={"shots": plan.shots, "target_precision": 1 / math.sqrt(plan.shots)})
