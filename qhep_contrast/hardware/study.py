"""A transpilation study: every circuit x backend x optimization level x seed, with and without layout search.

For each job the parametrized circuit is transpiled with the pass manager's own layout (``layout="default"``)
and, optionally, again with the error-aware layouts of :func:`~qhep_contrast.hardware.layout_search.rank_layouts`
(``layout="best-error"``: the highest estimated success among the default and the candidates). Both rows are measured with
:func:`~qhep_contrast.hardware.metrics.circuit_metrics`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from qiskit.circuit import QuantumCircuit
from qiskit.providers import BackendV2
from tqdm.auto import tqdm

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.ibm import resolve_backend
from qhep_contrast.execution.isa import transpile
from qhep_contrast.hardware.circuit_sets import StudyCircuit
from qhep_contrast.hardware.layout_search import rank_layouts
from qhep_contrast.hardware.metrics import CircuitMetrics, circuit_metrics

__all__ = ["LAYOUTS", "StudyResult", "TranspileRecord", "run_study", "transpile_both_layouts"]

LAYOUTS: tuple[str, ...] = ("default", "best-error")
"""Values of :attr:`TranspileRecord.layout`."""

_Result = tuple[QuantumCircuit, CircuitMetrics, float]


@dataclass(frozen=True)
class TranspileRecord:
    """One row of the study table.

    Attributes:
        circuit: study circuit name (``w1_8q``).
        family: builder family (``w1``) or ``qpy``.
        size: builder size argument.
        backend: backend name as given (``fake_torino``).
        optimization_level: 0-3.
        seed: ``seed_transpiler``.
        layout: ``"default"`` or ``"best-error"``.
        metrics: the measured :class:`CircuitMetrics`.
        seconds: wall time of this row (transpilation, plus the layout search for ``best-error``).
    """

    circuit: str
    family: str
    size: int
    backend: str
    optimization_level: int
    seed: int
    layout: str
    metrics: CircuitMetrics
    seconds: float

    def as_row(self) -> dict:
        """Flat dict for tables: the fields above with ``metrics`` spread out (layouts as lists)."""
        row = {k: v for k, v in asdict(self).items() if k != "metrics"}
        metrics = asdict(self.metrics)
        metrics["initial_layout"] = list(self.metrics.initial_layout)
        metrics["final_layout"] = list(self.metrics.final_layout)
        return {**row, **metrics}


@dataclass(frozen=True)
class StudyResult:
    """Rows of a study and the (circuit, backend, reason) combinations that were skipped."""

    records: list[TranspileRecord]
    skipped: list[tuple[str, str, str]]


def transpile_both_layouts(
    circuit: QuantumCircuit, backend: BackendV2, optimization_level: int, seed: int, max_candidates: int = 3
) -> tuple[_Result, _Result | None]:
    """Transpile with the default layout, then with each error-aware candidate; keep the most successful.

    The best-error result is the highest estimated success among the default transpilation and the
    re-transpilations with ``initial_layout`` set to each of the ``max_candidates`` best layouts of
    :func:`~qhep_contrast.hardware.layout_search.rank_layouts` (same level and seed), so it is never worse
    than the default: Sabre routing from a candidate layout can come out worse than predicted, and at levels
    1-3 Qiskit's own ``VF2Layout``/``VF2PostLayout`` already score layouts by error rates.

    Args:
        circuit: the parametrized logical circuit.
        backend: target backend.
        optimization_level: 0-3.
        seed: ``seed_transpiler`` (the same for every candidate).
        max_candidates: candidate layouts to transpile; 0 skips the search.

    Returns:
        ``(default, best_error or None)``, each ``(isa, metrics, seconds)``; the best-error time includes the
        search and every candidate's transpilation.
    """
    target = backend.target
    start = time.perf_counter()
    default = transpile(circuit, backend, optimization_level, seed)
    default_result = (default, circuit_metrics(default, target), time.perf_counter() - start)
    if max_candidates <= 0:
        return default_result, None
    start = time.perf_counter()
    best = default_result[:2]
    for candidate in rank_layouts(default, target, max_candidates=max_candidates):
        isa = transpile(circuit, backend, optimization_level, seed, candidate.physical_qubits)
        metrics = circuit_metrics(isa, target)
        if metrics.success_probability > best[1].success_probability:
            best = (isa, metrics)
    return default_result, (*best, time.perf_counter() - start)


def _check_levels(levels: Sequence[int], seeds: Sequence[int]) -> None:
    bad = [level for level in levels if level not in (0, 1, 2, 3)]
    if bad or not levels:
        raise ConfigError(f"optimization levels must be a non-empty subset of 0, 1, 2, 3; got {list(levels)}.")
    if not seeds or any(not isinstance(seed, int) or seed < 0 for seed in seeds):
        raise ConfigError(f"transpiler seeds must be non-negative integers; got {list(seeds)}.")


def run_study(
    circuits: Sequence[StudyCircuit],
    backends: Sequence[str | BackendV2],
    optimization_levels: Sequence[int] = (0, 1, 2, 3),
    seeds: Sequence[int] = (0, 1, 2),
    best_error: bool = True,
    max_candidates: int = 3,
    progress: bool = True,
) -> StudyResult:
    """Transpile every circuit for every backend, level and seed, and measure each result.

    Args:
        circuits: the logical circuits (parametrized).
        backends: backend names (resolved with :func:`~qhep_contrast.execution.ibm.resolve_backend`) or
            backend objects.
        optimization_levels: preset pass manager levels.
        seeds: ``seed_transpiler`` values.
        best_error: also transpile with the error-aware layout search (``layout="best-error"`` rows).
        max_candidates: candidate layouts transpiled per job by the search.
        progress: show a tqdm bar over the jobs.

    Returns:
        A :class:`StudyResult`; a circuit wider than a backend is skipped for that backend, with the reason.

    Raises:
        ConfigError: bad levels or seeds.
        BackendError, CredentialsError: a backend name cannot be resolved.
    """
    _check_levels(optimization_levels, seeds)
    resolved = [(b, resolve_backend(b)) if isinstance(b, str) else (b.name, b) for b in backends]
    records: list[TranspileRecord] = []
    skipped: list[tuple[str, str, str]] = []
    jobs = [(name, backend, c) for name, backend in resolved for c in circuits]
    total = len(jobs) * len(optimization_levels) * len(seeds)
    with tqdm(total=total, desc="transpile", unit="job", disable=not progress) as bar:
        for backend_name, backend, study_circuit in jobs:
            if study_circuit.circuit.num_qubits > backend.num_qubits:
                skipped.append((study_circuit.name, backend_name, f"{study_circuit.circuit.num_qubits} qubits > "
                                f"{backend.num_qubits}"))
                bar.update(len(optimization_levels) * len(seeds))
                continue
            for level in optimization_levels:
                for seed in seeds:
                    bar.set_postfix_str(f"{study_circuit.name} {backend_name} O{level} s{seed}", refresh=False)
                    pair = transpile_both_layouts(
                        study_circuit.circuit, backend, level, seed, max_candidates if best_error else 0
                    )
                    for layout, result in zip(LAYOUTS, pair):
                        if result is not None:
                            _, metrics, seconds = result
                            records.append(TranspileRecord(
                                study_circuit.name, study_circuit.family, study_circuit.size, backend_name,
                                level, seed, layout, metrics, seconds,
                            ))  # fmt: skip
                    bar.update()
    return StudyResult(records, skipped)
