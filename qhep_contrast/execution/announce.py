"""One cost line before every submission to a real IBM device.

:class:`AnnouncedPrimitive` wraps a Runtime primitive on a real backend (never local testing mode) and
writes, before each ``run``, the PUBs, circuit bindings, shots, two-qubit gates and an estimate of the QPU
time of the job:

    seconds = sum over PUBs of bindings * shots * (duration of the measured circuit + repetition delay),

with the circuit duration from the backend target (``QuantumCircuit.estimate_duration``) and
:data:`REP_DELAY_S` between shots (an estimate: no queueing, compilation or mitigation overheads).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

__all__ = ["AnnouncedPrimitive", "REP_DELAY_S", "shot_seconds", "two_qubit_gates"]

REP_DELAY_S = 250e-6
"""Default repetition delay between shots on IBM devices, in seconds."""


def two_qubit_gates(circuit: QuantumCircuit) -> int:
    """Two-qubit gates of ``circuit`` (barriers and measurements excluded)."""
    return sum(1 for inst in circuit.data if inst.operation.num_qubits == 2
               and inst.operation.name not in ("barrier", "measure"))


def shot_seconds(circuit: QuantumCircuit, target: Any) -> float:
    """Estimated QPU seconds of one shot of ``circuit`` (measured on its active qubits if it has no clbits)."""
    measured = circuit if circuit.num_clbits else circuit.measure_active(inplace=False)
    return float(measured.estimate_duration(target, unit="s")) + REP_DELAY_S


class AnnouncedPrimitive:
    """A Runtime estimator/sampler that announces each job's cost before submitting it.

    Args:
        primitive: the Runtime primitive (its ``run`` submits).
        backend: the real backend (its ``name`` and ``target``).
        shots: shots per binding.
        kind: ``"estimator"`` or ``"sampler"`` (how PUBs are read).
        write: where the line goes (default: standard error).
    """

    def __init__(self, primitive: Any, backend: Any, shots: int, kind: str,
                 write: Callable[[str], Any] | None = None) -> None:
        self.primitive = primitive
        self._coerce = EstimatorPub.coerce if kind == "estimator" else SamplerPub.coerce
        self.backend = backend
        self.shots = shots
        self._write = write or (lambda line: print(line, file=sys.stderr, flush=True))
        self._seconds: dict[int, tuple[QuantumCircuit, int, float]] = {}

    def _circuit(self, circuit: QuantumCircuit) -> tuple[int, float]:
        entry = self._seconds.get(id(circuit))
        if entry is None or entry[0] is not circuit:
            entry = (circuit, two_qubit_gates(circuit), shot_seconds(circuit, self.backend.target))
            self._seconds[id(circuit)] = entry
        return entry[1], entry[2]

    def line(self, pubs: list) -> str:
        """The announcement for coerced ``pubs`` (bindings: the size of each PUB's parameter-value array)."""
        bindings, gates, seconds = 0, [], 0.0
        for pub in pubs:
            n = int(np.prod(pub.parameter_values.shape))
            two_qubit, per_shot = self._circuit(pub.circuit)
            bindings += n
            gates.append(two_qubit)
            seconds += n * self.shots * per_shot
        return (f"submitting to {self.backend.name}: 1 job, {len(pubs)} PUBs, {bindings:,} circuits x "
                f"{self.shots} shots, two-qubit gates per circuit {gates}, estimated QPU time ~{seconds:,.1f} s")

    def run(self, pubs: Iterable, **options: Any) -> Any:
        """Announce, then submit."""
        coerced = [self._coerce(pub) for pub in pubs]
        self._write(self.line(coerced))
        return self.primitive.run(coerced, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.primitive, name)
