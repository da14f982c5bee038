"""The circuit fingerprint: same circuit, same hash, in any process; any change, another hash."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from qiskit import qpy
from qiskit.circuit import Parameter, QuantumCircuit

from qhep_contrast.circuits import canonical_text, circuit_fingerprint, default_specs


def _fingerprints() -> dict[str, str]:
    return {name: circuit_fingerprint(spec.circuit) for name, spec in default_specs().items()}


def test_stable_across_builds_and_processes() -> None:
    here = _fingerprints()
    assert here == _fingerprints()
    code = (
        "import json; from qhep_contrast.circuits import circuit_fingerprint, default_specs; "
        "print(json.dumps({n: circuit_fingerprint(s.circuit) for n, s in default_specs().items()}))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert json.loads(out.stdout) == here


def test_qpy_round_trip_keeps_it() -> None:
    for spec in default_specs().values():
        buffer = io.BytesIO()
        qpy.dump(spec.circuit, buffer)
        buffer.seek(0)
        assert circuit_fingerprint(qpy.load(buffer)[0]) == circuit_fingerprint(spec.circuit)


def test_changes_change_it() -> None:
    a = Parameter("a")

    def build(angle, qubits=(0, 1), name="c") -> QuantumCircuit:
        circuit = QuantumCircuit(2, name=name)
        circuit.ry(angle, 0)
        circuit.cx(*qubits)
        return circuit

    base = circuit_fingerprint(build(a))
    assert circuit_fingerprint(build(Parameter("a"))) == base  # parameters are identified by name
    assert circuit_fingerprint(build(a, name="other")) == base  # the circuit's name is not content
    assert circuit_fingerprint(build(2 * a)) != base
    assert circuit_fingerprint(build(Parameter("b"))) != base
    assert circuit_fingerprint(build(a, (1, 0))) != base
    assert circuit_fingerprint(build(0.5)) != circuit_fingerprint(build(0.5000001))
    assert canonical_text(build(a)).splitlines()[-2:] == ["ry a | q0", "cx | q0 q1"]
