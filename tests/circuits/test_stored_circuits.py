"""The repository's circuits/ folder: every file is intact and every builder still produces its stored circuit.

When a builder changes on purpose, regenerate the store with ``qhep circuits export``
(``python -m qhep_contrast.cli circuits export`` from the repository root) and commit ``circuits/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from qiskit import qasm3
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import Operator

from qhep_contrast.circuits import default_specs
from qhep_contrast.circuits.store import EXPORT_COMMAND, check_canonical, load_qpy, read_manifest
from qhep_contrast.hardware.isa_store import check_transpiled

STORE = Path(__file__).resolve().parents[2] / "circuits"
MANIFEST = read_manifest(STORE)
SPECS = default_specs()
SMALL = [name for name, spec in SPECS.items() if spec.num_qubits <= 8]
_REGENERATE = (
    f"If the change is intended, run `{EXPORT_COMMAND}` (python -m qhep_contrast.cli circuits export) from the "
    "repository root and commit circuits/."
)


def test_builders_match_the_stored_circuits() -> None:
    problems = check_canonical(STORE, MANIFEST)
    assert not problems, "stored circuits are out of date:\n" + "\n".join(problems) + "\n" + _REGENERATE


def test_transpiled_files_match_their_sources() -> None:
    problems = check_transpiled(STORE, MANIFEST)
    assert not problems, "stored ISA circuits are out of date:\n" + "\n".join(problems) + "\n" + _REGENERATE


def test_manifest_records_the_builders() -> None:
    for name, spec in SPECS.items():
        entry = MANIFEST["circuits"][name]
        assert entry["builder"] == spec.metadata["builder"]
        assert (entry["num_qubits"], entry["num_inputs"], entry["num_weights"]) == (
            spec.num_qubits, spec.num_inputs, spec.num_weights)
    assert MANIFEST["generator"]["qiskit"]
    assert set(MANIFEST["transpiled"]) == {"fake_torino", "fake_sherbrooke"}
    seeds = {e["seed_transpiler"] for t in MANIFEST["transpiled"].values() for e in t.values()}
    assert seeds == {1234}


def _unitary_part(circuit: QuantumCircuit) -> QuantumCircuit:
    return circuit.remove_final_measurements(inplace=False)


def _random_values(circuit: QuantumCircuit, seed: int) -> dict[str, float]:
    """Random angle per parameter name."""
    rng = np.random.default_rng(seed)
    return {p.name: float(v) for p, v in zip(circuit.parameters, rng.uniform(-np.pi, np.pi, circuit.num_parameters))}


def _bind_by_name(circuit: QuantumCircuit, values: dict[str, float], rename=lambda n: n) -> QuantumCircuit:
    by_name = {p.name: p for p in circuit.parameters}
    return circuit.assign_parameters({by_name[rename(name)]: value for name, value in values.items()})


def _qasm3_name(name: str) -> str:
    """The OpenQASM 3 exporter's identifier for a parameter name: ``w[0]`` -> ``_w_0_``."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


@pytest.mark.parametrize("name", SMALL)
def test_qpy_equals_builder_as_operator(name: str) -> None:
    stored = load_qpy(STORE / MANIFEST["circuits"][name]["qpy"])
    built = SPECS[name].circuit
    values = _random_values(built, seed=len(name))
    expected = Operator(_bind_by_name(_unitary_part(built), values))
    assert Operator(_bind_by_name(_unitary_part(stored), values)).equiv(expected)


@pytest.mark.parametrize("name", SMALL)
def test_qasm3_import_binds_by_name_and_equals_builder(name: str) -> None:
    text = (STORE / MANIFEST["circuits"][name]["qasm3"]).read_text(encoding="utf-8")
    imported = qasm3.loads(text)
    built = SPECS[name].circuit
    assert imported.num_qubits == built.num_qubits and imported.num_parameters == built.num_parameters
    values = _random_values(built, seed=len(name) + 1)
    expected = Operator(_bind_by_name(_unitary_part(built), values))
    actual = Operator(_bind_by_name(_unitary_part(imported), values, _qasm3_name))
    assert actual.equiv(expected)
