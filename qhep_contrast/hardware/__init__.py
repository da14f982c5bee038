"""qhep_contrast.hardware: what circuits cost on IBM devices, and where to put them.

Backends are resolved with :func:`qhep_contrast.execution.ibm.resolve_backend` (``fake_torino`` ->
``FakeTorino()``, real names through a saved Runtime account) and transpiled with
:func:`qhep_contrast.execution.isa.transpile`.

- :func:`circuit_metrics` / :class:`CircuitMetrics`: depths, gate counts, duration, layout, and
  :func:`estimated_success_probability` (product of ``1 - error`` over the Target's calibrated errors).
- :func:`rank_layouts`: error-aware layout search (mapomatic-style VF2 mappings scored by success estimate).
- :func:`run_study`: circuits x backends x levels x seeds, default and best-error layouts (``qhep transpile``).
- :mod:`~qhep_contrast.hardware.isa_store`: ISA versions of the stored circuits (``qhep circuits export``).
"""

from __future__ import annotations

from qhep_contrast.hardware.circuit_sets import (
    DEFAULT_FAMILIES,
    FAMILIES,
    HEADLINE_FAMILIES,
    StudyCircuit,
    build_at_size,
    canonical_size,
    circuit_set,
    default_circuit_set,
    load_circuits_from,
    load_qpy_circuits,
    load_run_circuits,
)
from qhep_contrast.hardware.layout_search import LayoutCandidate, rank_layouts
from qhep_contrast.hardware.metrics import CircuitMetrics, circuit_metrics, is_two_qubit_gate
from qhep_contrast.hardware.study import LAYOUTS, StudyResult, TranspileRecord, run_study, transpile_both_layouts
from qhep_contrast.hardware.success import (
    ErrorBudget,
    error_budget,
    estimated_success_probability,
    instruction_error,
)

__all__ = [
    "FAMILIES",
    "DEFAULT_FAMILIES",
    "HEADLINE_FAMILIES",
    "StudyCircuit",
    "build_at_size",
    "canonical_size",
    "circuit_set",
    "default_circuit_set",
    "load_qpy_circuits",
    "load_run_circuits",
    "load_circuits_from",
    "LayoutCandidate",
    "rank_layouts",
    "CircuitMetrics",
    "circuit_metrics",
    "is_two_qubit_gate",
    "LAYOUTS",
    "StudyResult",
    "TranspileRecord",
    "run_study",
    "transpile_both_layouts",
    "ErrorBudget",
    "error_budget",
    "estimated_success_probability",
    "instruction_error",
]
