"""`MergedEstimator`: fold PUBs that differ only in their observable into one broadcast PUB.

qiskit-machine-learning's ``EstimatorQNN.forward`` submits one PUB per observable, each with the same
circuit and the same ``(B, P)`` parameter values. Simulators then run every binding once per observable,
and on hardware each PUB is a separate execution. Stacking the observables into an array of shape
``(k, 1)`` against parameters ``(B,)`` gives one PUB whose result ``(k, B)`` is split back, so the job
costs one execution of each binding.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from qiskit.primitives import BaseEstimatorV2, DataBin, PrimitiveResult, PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray

from qhep_contrast.execution.jobs import DerivedJob

__all__ = ["MergedEstimator"]


def _same_bindings(a: EstimatorPub, b: EstimatorPub) -> bool:
    if a.circuit is not b.circuit or a.precision != b.precision:
        return False
    params = a.circuit.parameters
    return a.parameter_values.shape == b.parameter_values.shape and np.array_equal(
        a.parameter_values.as_array(params), b.parameter_values.as_array(params))


class MergedEstimator(BaseEstimatorV2):
    """Estimator V2 that merges single-observable PUBs sharing circuit and parameter values.

    Args:
        estimator: the estimator that runs the merged PUBs (one ``run`` call per ``run`` call).
    """

    def __init__(self, estimator: BaseEstimatorV2) -> None:
        self.estimator = estimator

    def run(self, pubs: Iterable, *, precision: float | None = None):
        """Run ``pubs`` as merged PUBs in one inner job; results come back in the original order."""
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        groups: list[list[int]] = []
        for i, pub in enumerate(coerced):
            home = next((g for g in groups if pub.observables.shape == () and
                         coerced[g[0]].observables.shape == () and _same_bindings(coerced[g[0]], pub)), None)
            if home is None:
                groups.append([i])
            else:
                home.append(i)
        if len(groups) == len(coerced):
            return self.estimator.run(coerced, precision=precision)
        merged = [self._merge([coerced[i] for i in g]) if len(g) > 1 else coerced[g[0]] for g in groups]
        job = self.estimator.run(merged, precision=precision)
        return DerivedJob(job, lambda result: self._split(groups, result, len(coerced)))

    @staticmethod
    def _merge(pubs: list[EstimatorPub]) -> EstimatorPub:
        observables = np.empty((len(pubs),) + (1,) * pubs[0].parameter_values.ndim, dtype=object)
        for i, pub in enumerate(pubs):
            observables[(i,) + (0,) * pubs[0].parameter_values.ndim] = pub.observables.ravel()[0]
        return EstimatorPub(pubs[0].circuit, ObservablesArray(observables), pubs[0].parameter_values,
                            pubs[0].precision)

    @staticmethod
    def _split(groups: list[list[int]], result: PrimitiveResult, count: int) -> PrimitiveResult:
        out: list[PubResult | None] = [None] * count
        for group, pub_result in zip(groups, result):
            if len(group) == 1:
                out[group[0]] = pub_result
                continue
            evs, stds = pub_result.data.evs, pub_result.data.stds
            for row, i in enumerate(group):
                out[i] = PubResult(DataBin(evs=evs[row], stds=stds[row], shape=evs[row].shape),
                                   metadata=pub_result.metadata)
        return PrimitiveResult(out, metadata=result.metadata)
