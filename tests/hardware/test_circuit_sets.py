"""Study circuit sets: sized builders agree with the registry's canonical specs; QPY files load."""

from __future__ import annotations

from pathlib import Path

import pytest
from qiskit import qpy
from qiskit.circuit import QuantumCircuit

from qhep_contrast.circuits import BUILDERS, circuit_fingerprint, compute_uncompute, default_specs
from qhep_contrast.exceptions import CheckpointError, CircuitError, CorruptFileError, DataFileNotFoundError
from qhep_contrast.hardware import (
    FAMILIES,
    HEADLINE_FAMILIES,
    build_at_size,
    canonical_size,
    circuit_set,
    default_circuit_set,
    load_circuits_from,
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
    assert len(names) == len(set(names)) == 21
    assert "sqae_circuit_15q" in names
    for family in HEADLINE_FAMILIES:
        assert {f"{family}_{n}q" for n in (4, 8, 12)} <= set(names)
    assert "compose_8q" not in names and "w2_8q" in names


def test_load_qpy(tmp_path) -> None:
    circuit = QuantumCircuit(2, name="model")
    circuit.cx(0, 1)
    path = tmp_path / "model.qpy"
    with path.open("wb") as handle:
        qpy.dump([circuit, circuit], handle)
    loaded = load_qpy_circuits(path)
    assert [c.name for c in loaded] == ["model_0", "model_1"]
    assert loaded[0].family == "qpy" and loaded[0].circuit == circuit
    with pytest.raises(DataFileNotFoundError, match="or a training run folder"):
        load_qpy_circuits(tmp_path)
    (tmp_path / "junk.qpy").write_bytes(b"not qpy")
    with pytest.raises(CorruptFileError, match="not a readable QPY file"):
        load_qpy_circuits(tmp_path / "junk.qpy")


def _run_folder(tmp_path, config_name: str):
    from qhep_contrast.experiment.config import load_config
    from qhep_contrast.experiment.run_dir import write_config

    folder = tmp_path / config_name / "20260101-000000"
    folder.mkdir(parents=True)
    write_config(folder, load_config(Path(__file__).resolve().parents[2] / "runs" / "configs" / f"{config_name}.toml"))
    return folder


def test_run_folder_with_a_fidelity_loss(tmp_path) -> None:
    from qhep_contrast.experiment.builders import build_circuit
    from qhep_contrast.experiment.config import load_config

    folder = _run_folder(tmp_path, "fidelity_infonce_jets")
    loaded = load_circuits_from(folder)
    name = "fidelity_infonce_jets_20260101-000000"
    assert [c.name for c in loaded] == [name, f"compute_uncompute_{name}", f"swap_test_{name}"]
    spec = build_circuit(load_config(folder / "config.toml").circuit)
    assert circuit_fingerprint(loaded[0].circuit) == circuit_fingerprint(spec.circuit)
    assert [c.circuit.num_qubits for c in loaded] == [6, 6, 13]
    assert circuit_fingerprint(loaded[1].circuit) == circuit_fingerprint(compute_uncompute(spec).circuit)


def test_run_folder_without_fidelity_and_a_non_run_folder(tmp_path) -> None:
    (only,) = load_circuits_from(_run_folder(tmp_path, "simclr_jets"))
    assert only.family == "run" and only.circuit.num_qubits == 8
    with pytest.raises(CheckpointError, match="not a run folder"):
        load_circuits_from(tmp_path)
