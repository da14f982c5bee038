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

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "DEFAULT_FAMILIES": "qhep_contrast.hardware.circuit_sets",
    "FAMILIES": "qhep_contrast.hardware.circuit_sets",
    "HEADLINE_FAMILIES": "qhep_contrast.hardware.circuit_sets",
    "StudyCircuit": "qhep_contrast.hardware.circuit_sets",
    "build_at_size": "qhep_contrast.hardware.circuit_sets",
    "canonical_size": "qhep_contrast.hardware.circuit_sets",
    "circuit_set": "qhep_contrast.hardware.circuit_sets",
    "default_circuit_set": "qhep_contrast.hardware.circuit_sets",
    "load_circuits_from": "qhep_contrast.hardware.circuit_sets",
    "load_qpy_circuits": "qhep_contrast.hardware.circuit_sets",
    "load_run_circuits": "qhep_contrast.hardware.circuit_sets",
    "LayoutCandidate": "qhep_contrast.hardware.layout_search",
    "rank_layouts": "qhep_contrast.hardware.layout_search",
    "CircuitMetrics": "qhep_contrast.hardware.metrics",
    "circuit_metrics": "qhep_contrast.hardware.metrics",
    "is_two_qubit_gate": "qhep_contrast.hardware.metrics",
    "LAYOUTS": "qhep_contrast.hardware.study",
    "StudyResult": "qhep_contrast.hardware.study",
    "TranspileRecord": "qhep_contrast.hardware.study",
    "run_study": "qhep_contrast.hardware.study",
    "transpile_both_layouts": "qhep_contrast.hardware.study",
    "ErrorBudget": "qhep_contrast.hardware.success",
    "error_budget": "qhep_contrast.hardware.success",
    "estimated_success_probability": "qhep_contrast.hardware.success",
    "instruction_error": "qhep_contrast.hardware.success",
}
"""Public name -> module. Loaded on first access (qiskit is heavy; ``qhep --help`` must not pay for it)."""


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qhep_contrast.hardware' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
