"""The registry: every canonical circuit keeps to the engine's gate set and has consistent bookkeeping."""

from __future__ import annotations

import json

import pytest
from qiskit.circuit import QuantumCircuit

from qhep_contrast import circuits
from qhep_contrast.circuits import BUILDERS, ENGINE_GATES, default_specs, unsupported_instructions

SPECS = default_specs()
MEASURED = {"swap_test", "compute_uncompute", "destructive_swap_test"}


def test_every_builder_has_a_default_spec() -> None:
    assert list(SPECS) == [*BUILDERS, "w1", "w2"]
    assert all(callable(builder) for builder in BUILDERS.values())
    assert set(BUILDERS) <= set(circuits.__all__)


@pytest.mark.parametrize("name", list(SPECS))
def test_only_engine_gates(name: str) -> None:
    allowed = ENGINE_GATES | {"measure"} if name in MEASURED else ENGINE_GATES
    assert unsupported_instructions(SPECS[name].circuit, allowed) == []


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_unmeasured_fidelity_variants_use_only_engine_gates(name: str) -> None:
    spec = BUILDERS[name](SPECS["w2"], measure=False)
    assert unsupported_instructions(spec.circuit) == []


@pytest.mark.parametrize("name", list(SPECS))
def test_bookkeeping(name: str) -> None:
    spec = SPECS[name]
    assert set(spec.circuit.parameters) == set(spec.inputs) | set(spec.weights)
    json.dumps(spec.metadata)  # exportable to the manifest
    builder = spec.metadata["builder"]
    assert builder in BUILDERS


def test_canonical_sizes() -> None:
    sizes = {name: (s.num_qubits, s.num_inputs, s.num_weights) for name, s in SPECS.items()}
    assert sizes["w1"] == sizes["compose"] == (8, 8, 48)
    assert sizes["w2"] == (8, 8, 48)
    assert sizes["hardware_efficient"] == (8, 0, 48)
    assert sizes["swap_test"] == (17, 16, 48)
    assert sizes["compute_uncompute"] == (8, 16, 48)
    assert sizes["destructive_swap_test"] == (16, 16, 48)
    assert sizes["amplitude_encoder"] == (8, 255, 0)
    assert sizes["sqae_circuit"] == (15, 144, 586)


def test_unique_names() -> None:
    names = [spec.name for spec in SPECS.values() if spec is not SPECS["compose"]]
    assert len(names) == len(set(names))


def test_unsupported_instructions_reports_names() -> None:
    circuit = QuantumCircuit(2)
    circuit.ecr(0, 1)
    circuit.h(0)
    circuit.sxdg(1)
    assert unsupported_instructions(circuit) == ["ecr", "sxdg"]
