"""What a training run costs on its executor before anything is submitted (``qhep train --dry-run``).

The model is built (circuits transpiled for the backend, primitives created) but never called. Per step a
primitive layer runs one forward job (every view of every sample of the batch: ``rows`` bindings) and one
backward job (``rows * S`` bindings, ``S`` the shifted angle vectors of the batched parameter shift);
validation and the final evaluation run forward jobs only. QPU time is estimated as

    seconds = bindings * shots * (duration of the measured ISA circuit + repetition delay),

with the circuit duration from the backend target (``QuantumCircuit.estimate_duration``) and the
repetition delay between shots (:func:`~qhep_contrast.execution.announce.shot_seconds`); it is an
estimate (no queueing, compilation or session overheads).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from qhep_contrast.execution.announce import shot_seconds, two_qubit_gates
from qhep_contrast.experiment.builders import build_data, build_model, build_objective
from qhep_contrast.experiment.config import RunConfig
from qhep_contrast.experiment.execution import training_execution
from qhep_contrast.qnn import QuantumLayer
from qhep_contrast.qnn.param_shift import ShiftPlan

__all__ = ["RunCost", "training_cost", "hardware_notice"]


@dataclass(frozen=True)
class RunCost:
    """Jobs, PUBs, bindings and shots of a training run (evaluation included), and an estimate of QPU time.

    Attributes:
        executor: ``exact``, ``aer`` or ``ibm``.
        backend: the IBM backend or Aer noise backend (None for ideal Aer and exact).
        jobs: primitive jobs (``run`` calls) of the whole run.
        pubs: PUBs submitted (one per quantum layer and job).
        circuits: circuit bindings executed (each sampled ``shots`` times).
        shots: shots per binding (None: exact values).
        two_qubit_gates: two-qubit gates of the submitted (transpiled) circuit of each quantum layer.
        qpu_seconds: estimated QPU time (None without a backend target).
    """

    executor: str
    backend: str | None
    jobs: int
    pubs: int
    circuits: int
    shots: int | None
    two_qubit_gates: tuple[int, ...]
    qpu_seconds: float | None

    def line(self) -> str:
        """One human-readable line."""
        where = self.executor + (f" on {self.backend}" if self.backend else "")
        shots = ("exact values" if self.shots is None
                 else f"{self.shots} shots each ({self.circuits * self.shots:,} in all)")
        qpu = "n/a" if self.qpu_seconds is None else f"~{self.qpu_seconds:,.1f} s"
        return (f"cost on {where}: {self.jobs} jobs, {self.pubs} PUBs, {self.circuits:,} circuits, {shots}; "
                f"two-qubit gates per circuit {list(self.two_qubit_gates)}; estimated QPU time {qpu}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {**asdict(self), "two_qubit_gates": list(self.two_qubit_gates)}


def _rows_per_sample(dataset: Any) -> int:
    """How many images one sample of an objective dataset feeds the model (views, pair or triplet members)."""
    item = dataset[0]
    return sum(1 for t in item if isinstance(t, torch.Tensor) and t.dim() >= 3) or 1


def _batches(n: int, size: int) -> list[int]:
    return [min(size, n - i) for i in range(0, n, size)]


def _layer_cost(layer: QuantumLayer) -> tuple[int, int, float | None]:
    """``(S, two-qubit gates, seconds per shot)`` of a primitive layer."""
    runner: Any = layer._runner
    program = runner.program
    circuit = program.circuit
    plan = ShiftPlan(circuit)
    shifts = plan.shifted(np.zeros((1, len(plan.parameters)))).values.shape[1]
    target = getattr(program.backend, "target", None)
    per_shot = None if target is None else shot_seconds(circuit, target)
    return shifts, two_qubit_gates(circuit), per_shot


def training_cost(config: RunConfig) -> RunCost:
    """The cost of training ``config`` (and evaluating it, with ``train.evaluate``); submits nothing."""
    execution = training_execution(config.execution, "dry-run", resume=False)
    if execution is not None:
        execution = execution.replace(mode="job", journal=None, resume=False) if execution.kind == "ibm" \
            else execution
    objective = build_objective(config)
    data = build_data(config, objective)
    model = build_model(config, data.image_shape, execution)
    layers = [m for m in model.modules() if isinstance(m, QuantumLayer) and m.execution is not None]
    rows = _rows_per_sample(data.train_set)
    train_set: Any = data.train_set
    val_set: Any = data.val_set
    train = [b * rows for b in _batches(len(train_set), config.data.batch_size)]
    val = [b * rows for b in _batches(len(val_set), config.data.eval_batch_size)]
    evaluation = ([*_batches(len(data.train), config.data.eval_batch_size),
                   *_batches(len(data.test), config.data.eval_batch_size)] if config.train.evaluate else [])
    epochs = config.train.epochs
    jobs = pubs = circuits = 0
    gates: list[int] = []
    seconds: float | None = 0.0
    shots = None if execution is None else execution.shots
    for layer in layers:
        shifts, two_qubit, per_shot = _layer_cost(layer)
        layer_jobs = epochs * (2 * len(train) + len(val)) + len(evaluation)
        layer_circuits = epochs * (sum(train) * (1 + shifts) + sum(val)) + sum(evaluation)
        jobs, pubs, circuits = jobs + layer_jobs, pubs + layer_jobs, circuits + layer_circuits
        gates.append(two_qubit)
        seconds = None if per_shot is None or seconds is None or shots is None else \
            seconds + layer_circuits * shots * per_shot
    backend = None if execution is None else (execution.backend or execution.noise)
    return RunCost(executor=config.execution.name, backend=backend, jobs=jobs, pubs=pubs, circuits=circuits,
                   shots=shots, two_qubit_gates=tuple(gates), qpu_seconds=seconds if layers else None)


def hardware_notice(config: RunConfig, execution: Any) -> str | None:
    """The cost line to show before a run submits to real hardware (None for simulators and local testing)."""
    if execution is None or execution.kind != "ibm" or execution.is_local:
        return None
    return "before submitting: " + training_cost(config).line()
