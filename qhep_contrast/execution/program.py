"""`build_program`: turn an ``ExecutionConfig`` and a circuit into the primitive that runs it.

This is the one place that decides, per kind:

=============  ====================================================================================
aer            ideal: the circuit as is (parametrised controlled rotations replaced by their
               definitions, see :func:`aer_safe_circuit`); with ``noise``: ISA-transpiled for the noise
               backend, compacted to the qubits in use, with a noise model restricted to them.
               Estimator: exact Aer ``EstimatorV2`` (``shots=None``) or a ``CountsEstimator`` over Aer's
               ``SamplerV2`` (``shots=n``). Sampler: Aer ``SamplerV2`` (needs ``shots``).
ibm            ISA-transpiled for the backend (fixed ``seed_transpiler``), observables laid out; Runtime
               ``EstimatorV2``/``SamplerV2`` in the configured mode; jobs journaled when ``journal`` is set.
=============  ====================================================================================

Estimators are wrapped in :class:`~qhep_contrast.execution.pub_merge.MergedEstimator`, so a request with
one PUB per observable still runs each binding once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from qiskit.circuit import ControlledGate, ParameterExpression, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.exceptions import BackendError, ConfigError
from qhep_contrast.execution import aer, ibm
from qhep_contrast.execution.announce import AnnouncedPrimitive
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.execution.counts_estimator import CountsEstimator
from qhep_contrast.execution.fake_backends import fitting_fake_backends
from qhep_contrast.execution.isa import compact, to_isa
from qhep_contrast.execution.journal import JobJournal, JournaledEstimator, JournaledSampler
from qhep_contrast.execution.noise import restricted_noise_model
from qhep_contrast.execution.pub_merge import MergedEstimator

__all__ = ["PrimitiveProgram", "build_program", "aer_safe_circuit", "check_width"]

PrimitiveKind = Literal["estimator", "sampler"]


@dataclass
class PrimitiveProgram:
    """A circuit prepared for one executor and the primitive that runs it.

    Attributes:
        circuit: the circuit to submit (same parameters as the logical circuit; ISA/compacted when needed).
        observables: the observables on ``circuit``'s qubits (laid out / compacted).
        primitive: call ``run`` on this (estimator or sampler, wrappers included).
        backend_primitive: the innermost Aer or Runtime primitive; each of its ``run`` calls is one job.
        precision: what to pass as ``precision=`` to estimator runs (0.0 exact Aer, None otherwise).
        record: description for run records (kind, backend, shots, transpilation, noise qubits).
        mode: the Runtime ``Batch``/``Session`` (None otherwise); closed by :meth:`close`.
        backend: the IBM backend whose target ``circuit`` is transpiled for (None on Aer).
    """

    circuit: QuantumCircuit
    observables: tuple[SparsePauliOp, ...]
    primitive: Any
    backend_primitive: Any
    precision: float | None
    record: dict = field(default_factory=dict)
    mode: Any = None
    backend: Any = None

    def close(self) -> None:
        """Close the Runtime batch or session, if any."""
        if self.mode is not None and hasattr(self.mode, "close"):
            self.mode.close()


def aer_safe_circuit(circuit: QuantumCircuit) -> QuantumCircuit:
    """Replace parametrised controlled gates (crx, cry, crz, cp, cu, ...) by their definitions.

    qiskit-aer 0.18.2 drops such gates when their angles are bound per PUB (``parameter_binds``): they act
    as the identity (Qiskit/qiskit-aer issues 2323, 2391, 2403; verified here for crx, cry, crz and cp),
    while the same gates with numeric angles are simulated correctly.
    """
    names = sorted({inst.operation.name for inst in circuit.data if isinstance(inst.operation, ControlledGate)
                    and any(isinstance(p, ParameterExpression) and p.parameters for p in inst.operation.params)})
    return circuit.decompose(gates_to_decompose=names) if names else circuit


def check_width(circuit: QuantumCircuit, backend: Any, role: str) -> None:
    """Refuse a backend narrower than ``circuit``, naming the qubits needed and fake backends that fit.

    Raises:
        BackendError: ``backend.num_qubits < circuit.num_qubits``.
    """
    if backend.num_qubits >= circuit.num_qubits:
        return
    fits = ", ".join(fitting_fake_backends(circuit.num_qubits))
    raise BackendError(f"{role} {backend.name!r} has {backend.num_qubits} qubits, and the circuit needs "
                       f"{circuit.num_qubits}; pick a backend with at least {circuit.num_qubits} qubits, e.g. "
                       f"{fits or 'a larger device'}.")


def _aer_program(config: ExecutionConfig, circuit: QuantumCircuit, observables: Sequence[SparsePauliOp],
                 kind: PrimitiveKind) -> PrimitiveProgram:
    record: dict[str, Any] = {"kind": "aer", "shots": config.shots, "device": config.device, "method": config.method}
    noise_model = None
    if config.noise is not None:
        backend = ibm.resolve_backend(config.noise)
        check_width(circuit, backend, "noise backend")
        isa = to_isa(circuit, observables, backend, config.optimization_level, config.seed_transpiler)
        circuit, observables, qubits = compact(isa)
        noise_model = restricted_noise_model(backend, qubits)
        record.update(noise=config.noise, transpile=isa.record, simulated_qubits=qubits)
    else:
        circuit = aer_safe_circuit(circuit)
    if kind == "sampler" or config.shots is not None:
        if config.shots is None:
            raise ConfigError("sampling on kind='aer' needs shots (an integer >= 1), got None; set shots, or use "
                              "kind='exact' for exact probabilities and fidelities.")
        inner = aer.aer_sampler(config, noise_model)
        primitive = inner if kind == "sampler" else MergedEstimator(CountsEstimator(inner, config.shots))
        return PrimitiveProgram(circuit, tuple(observables), primitive, inner, None, record)
    inner = aer.aer_estimator(config, noise_model)
    return PrimitiveProgram(circuit, tuple(observables), MergedEstimator(inner), inner, 0.0, record)


def _ibm_program(config: ExecutionConfig, circuit: QuantumCircuit, observables: Sequence[SparsePauliOp],
                 kind: PrimitiveKind) -> PrimitiveProgram:
    backend = ibm.resolve_backend(cast(str, config.backend), config.channel, config.instance)
    check_width(circuit, backend, "backend")
    isa = to_isa(circuit, observables, backend, config.optimization_level, config.seed_transpiler)
    mode = ibm.runtime_mode(backend, config)
    inner = ibm.runtime_sampler(mode, config) if kind == "sampler" else ibm.runtime_estimator(mode, config)
    primitive = inner if config.is_local else AnnouncedPrimitive(inner, backend, config.shots or 0, kind)
    if config.journal is not None:
        cls = JournaledSampler if kind == "sampler" else JournaledEstimator
        primitive = cls(inner, JobJournal(config.journal), ibm.job_fetcher(config), config.resume, backend.name)
    if kind == "estimator":
        primitive = MergedEstimator(primitive)
    record = {"kind": "ibm", "backend": backend.name, "local": config.is_local, "shots": config.shots,
              "mode": config.mode, "transpile": isa.record}
    return PrimitiveProgram(isa.circuit, isa.observables, primitive, inner, None, record,
                            mode if mode is not backend else None, backend)


def build_program(config: ExecutionConfig, circuit: QuantumCircuit, observables: Sequence[SparsePauliOp] = (),
                  kind: PrimitiveKind = "estimator") -> PrimitiveProgram:
    """Prepare ``circuit`` (parametrised; measured for samplers) to run on ``config``'s executor.

    Args:
        config: an ``ExecutionConfig`` of kind ``"aer"`` or ``"ibm"``.
        circuit: the logical circuit.
        observables: logical observables (estimators).
        kind: ``"estimator"`` or ``"sampler"``.

    Raises:
        ConfigError: kind ``"exact"`` (no primitive), or sampling on Aer without shots.
        CredentialsError: a real backend without a usable account.
        BackendError: Aer GPU requested but unusable, unknown real backend, a backend narrower than the circuit.
    """
    if not isinstance(config, ExecutionConfig) or config.kind not in ("aer", "ibm"):
        raise ConfigError(f"build_program needs an ExecutionConfig of kind 'aer' or 'ibm', got {config!r}; "
                          "kind='exact' runs on the torch engine without primitives.")
    if kind not in ("estimator", "sampler"):
        raise ConfigError(f"build_program: kind must be 'estimator' or 'sampler', got {kind!r}.")
    build = _aer_program if config.kind == "aer" else _ibm_program
    return build(config, circuit, observables, kind)
