"""Study circuit sets: sized builders agree with the registry's canonical specs; QPY files load."""

from __future__ import annotations

import pytest
from qiskit import qpy
from qiskit.circuit import QuantumCircuit

from qhep_contrast.circuits import BUILDERS, circuit_fingerprint, default_specs
from qhep_contrast.exceptions import CircuitError, CorruptFileError, DataFileNotFoundError
from qhep_contrast.hardware import (
    FAMILIES,
    HEADLINE_FAMILIES,
    build_at_size,
    canonical_size,
    circuit_set,
    default_circuit_set,
    load_qpy_circuits,
)

SPECS = default_specs()


@pytest.mark.parametrize("family", list(SPECS))
def test_canonical_size_rebuilds_the_registry_spec(family: str) -> None:
    built = build_at_size(family, canonical_size(family))
    assert circuit_fingerprint(built.circuit) == circuit_fingerprint(SPECS[family].circuit)


def test_families_cover_the_registry() -> None:
    assert set(BUILDERS) | {"w1", "w2"} <= set(FAMILIES)
    assert set(HEADLINE_FAMILIES) <= set(FAMILIES)


def test_sizes_and_names() -> None:
    circuits = circuit_set(["w1", "swap_test", "quantum_autoencoder"], [3, 5])
    assert [c.name for c in circuits] == ["w1_3q", "w1_5q", "swap_test_3q", "swap_test_5q",
                                          "quantum_autoencoder_3q", "quantum_autoencoder_5q"]
    assert [c.circuit.num_qubits for c in circuits] == [3, 5, 7, 11, 3, 5]
    with pytest.raises(CircuitError, match="unknown circuit family 'w9'"):
        circuit_set(["w9"])


def test_default_set() -> None:
    circuits = default_circuit_set()
    names = [c.name for c in circuits]
    assert len(names) == len(set(names)) == 26
    for family in HEADLINE_FAMILIES:
        assert {f"{family}_{n}q" for n in (4, 8, 12)} <= set(names)
    assert "compose_8q" not in names and "swap_test_w2_12q" in names


def test_load_qpy(tmp_path) -> None:
    circuit = QuantumCircuit(2, name="model")
    circuit.cx(0, 1)
    path = tmp_path / "model.qpy"
    with path.open("wb") as handle:
        qpy.dump([circuit, circuit], handle)
    loaded = load_qpy_circuits(path)
    assert [c.name for c in loaded] == ["model_0", "model_1"]
    assert loaded[0].family == "qpy" and loaded[0].circuit == circuit
    with pytest.raises(DataFileNotFoundError, match="Run folders cannot be read yet"):
        load_qpy_circuits(tmp_path)
    (tmp_path / "junk.qpy").write_bytes(b"not qpy")
    with pytest.raises(CorruptFileError, match="not a readable QPY file"):
        load_qpy_circuits(tmp_path / "junk.qpy")
