"""ISA versions of the stored canonical circuits, under ``circuits/transpiled/<backend>/``.

Each canonical circuit of :func:`~qhep_contrast.circuits.store.canonical_entries` (except ``compose``, which is
``w1``, and the exponentially deep amplitude encoder) is transpiled for each backend at a fixed optimization level and ``seed_transpiler`` (recorded in the
manifest's ``[transpiled.<backend>.<name>]`` table with the source circuit's hash, the qubit layout and the
cost figures). :func:`check_transpiled` verifies the files, that each ISA file was made from the current
stored source circuit, and optionally that transpiling again reproduces it exactly (meaningful only with the
Qiskit and qiskit-ibm-runtime versions recorded in the manifest: calibration snapshots and passes change).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from qhep_contrast.circuits.fingerprint import circuit_fingerprint
from qhep_contrast.circuits.store import check_files, load_qpy, write_circuit
from qhep_contrast.execution.ibm import resolve_backend
from qhep_contrast.execution.isa import transpile
from qhep_contrast.hardware.isa_settings import ISA_BACKENDS, ISA_LEVEL, ISA_SEED
from qhep_contrast.hardware.metrics import circuit_metrics

__all__ = ["ISA_BACKENDS", "ISA_LEVEL", "ISA_SEED", "check_transpiled", "transpiled_entries"]

_SKIPPED_SOURCES = frozenset({"compose", "amplitude_encoder"})
"""``compose`` is ``w1``; the amplitude encoder is exponentially deep and meant for the exact and aer executors."""


def transpiled_entries(
    folder: Path,
    sources: Mapping[str, Mapping[str, Any]],
    backends: Sequence[str] = ISA_BACKENDS,
    optimization_level: int = ISA_LEVEL,
    seed: int = ISA_SEED,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Transpile the stored source circuits and write them; return the manifest's ``transpiled`` table.

    Args:
        folder: the store root (the sources' QPY files are read from it).
        sources: the manifest's ``circuits`` table (as returned by ``canonical_entries``).
        backends: backend names.
        optimization_level: preset pass manager level.
        seed: ``seed_transpiler``.

    Returns:
        ``{backend: {name: entry}}``; sources wider than a backend are left out for it.
    """
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for backend_name in backends:
        backend = resolve_backend(backend_name)
        table[backend_name] = {}
        for name, source in sources.items():
            if name in _SKIPPED_SOURCES or source["num_qubits"] > backend.num_qubits:
                continue
            isa = transpile(load_qpy(folder / source["qpy"]), backend, optimization_level, seed)
            metrics = circuit_metrics(isa, backend.target)
            table[backend_name][name] = {
                "source": name,
                "source_sha256": source["sha256"],
                "backend": backend_name,
                "optimization_level": optimization_level,
                "seed_transpiler": seed,
                "qiskit": version("qiskit"),
                "qiskit_ibm_runtime": version("qiskit-ibm-runtime"),
                **write_circuit(folder, f"transpiled/{backend_name}/{name}", isa),
                "initial_layout": list(metrics.initial_layout),
                "two_qubit_count": metrics.two_qubit_count,
                "depth": metrics.depth,
                "estimated_success_probability": round(metrics.success_probability, 6),
            }
    return table


def check_transpiled(folder: Path, manifest: Mapping[str, Any], retranspile: bool = False) -> list[str]:
    """Problems with the stored ISA circuits (empty list: all good).

    Args:
        folder: the store root.
        manifest: the parsed manifest.
        retranspile: also transpile each source again with the recorded settings and require the identical
            circuit; entries recorded with other Qiskit / qiskit-ibm-runtime versions are reported as such.
    """
    sources = manifest.get("circuits", {})
    problems = []
    for backend_name, entries in manifest.get("transpiled", {}).items():
        for name, entry in entries.items():
            label = f"transpiled/{backend_name}/{name}"
            source = sources.get(entry["source"])
            if source is None or source["sha256"] != entry["source_sha256"]:
                problems.append(f"{label}: made from a source circuit that is no longer the stored {entry['source']}.")
            isa, file_problems = check_files(folder, label, entry)
            problems += file_problems
            if retranspile and isa is not None and source is not None:
                problems += _retranspile_problems(folder, label, source, entry, isa)
    return problems


def _retranspile_problems(folder: Path, label: str, source: Mapping, entry: Mapping, isa) -> list[str]:
    recorded = (entry["qiskit"], entry["qiskit_ibm_runtime"])
    running = (version("qiskit"), version("qiskit-ibm-runtime"))
    if recorded != running:
        return [f"{label}: recorded with qiskit {recorded[0]} / qiskit-ibm-runtime {recorded[1]}, running "
                f"{running[0]} / {running[1]}: cannot reproduce; regenerate the store."]
    again = transpile(load_qpy(folder / source["qpy"]), resolve_backend(entry["backend"]),
                   entry["optimization_level"], entry["seed_transpiler"])
    if circuit_fingerprint(again) != circuit_fingerprint(isa):
        return [f"{label}: transpiling {entry['source']} again with the recorded settings gives another circuit."]
    return []
