"""Device noise models for Aer, restricted to the physical qubits a circuit uses.

``AerSimulator.from_backend(fake)`` builds and serialises the noise of every qubit of the device (127-156
qubits: seconds per call). :func:`restricted_noise_model` builds the same model (``NoiseModel.from_backend``:
depolarising gate errors + thermal relaxation from T1/T2 and gate durations + readout errors) for a
sub-target holding only the chosen qubits, relabelled ``0..k-1`` in the given order, so it matches a
circuit compacted with :func:`qhep_contrast.execution.isa.compact`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target

from qhep_contrast.execution._imports import require

__all__ = ["restricted_target", "restricted_noise_model"]


def restricted_target(target: Target, qubits: Sequence[int]) -> Target:
    """Sub-target on ``qubits`` (relabelled ``0..k-1``): instructions whose qubits all lie inside, qubit properties.

    Args:
        target: the device target.
        qubits: physical qubits to keep, in the order of the new labels.
    """
    index = {q: i for i, q in enumerate(qubits)}
    props = target.qubit_properties
    sub = Target(
        description=f"{target.description or 'target'} restricted to {len(qubits)} qubits",
        num_qubits=len(qubits),
        dt=target.dt,
        qubit_properties=[props[q] for q in qubits] if props else None,
    )
    for name in target.operation_names:
        operation = target.operation_from_name(name)
        if isinstance(operation, type):  # control flow, added globally by class
            sub.add_instruction(operation, name=name)
            continue
        kept: dict[tuple[int, ...] | None, Any] = {}
        for qargs, inst_props in (target[name] or {None: None}).items():
            if qargs is None:
                kept[None] = inst_props
            elif all(q in index for q in qargs):
                kept[tuple(index[q] for q in qargs)] = inst_props
        if kept:
            sub.add_instruction(operation, kept, name=name)
    return sub


class _TargetBackend(BackendV2):
    """The smallest ``BackendV2`` around a target, for ``NoiseModel.from_backend``."""

    def __init__(self, target: Target, name: str) -> None:
        super().__init__(name=name)
        self._target = target

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self) -> None:
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options()

    def run(self, run_input, **options):  # pragma: no cover - never run, only read by NoiseModel
        raise NotImplementedError("_TargetBackend only describes a target")


def restricted_noise_model(backend: BackendV2, qubits: Sequence[int]):
    """Aer ``NoiseModel`` of ``backend`` on ``qubits`` only, relabelled ``0..k-1``.

    Args:
        backend: device (fake or real) whose calibration data defines the noise.
        qubits: physical qubits in use (e.g. from :func:`~qhep_contrast.execution.isa.compact`).

    Returns:
        ``qiskit_aer.noise.NoiseModel`` with gate, thermal-relaxation and readout errors.
    """
    noise = require("qiskit_aer.noise", "a device noise model", "pip install qiskit-aer")
    sub = _TargetBackend(restricted_target(backend.target, qubits), f"{backend.name}[{len(qubits)}q]")
    return noise.NoiseModel.from_backend(sub)
