"""`ExecutionConfig`: where and how a circuit runs (exact engine, Aer, IBM Runtime), validated once.

One frozen dataclass names every execution choice of a run. It is written to and read from the
``[execution]`` table of a TOML run config with :meth:`ExecutionConfig.to_dict` /
:meth:`ExecutionConfig.from_dict`. It never holds credentials: an IBM Quantum token lives only in the
account file written by ``QiskitRuntimeService.save_account`` or in the ``QISKIT_IBM_TOKEN`` environment
variable, and a ``token`` key in a config is refused.

Fields by kind (a non-default value of a field that does not apply to the kind is an error):

====================  ======  =====  =====  =========================================================
field                 exact   aer    ibm    meaning
====================  ======  =====  =====  =========================================================
shots                         x      x      None: exact expectation values (Aer only); else shots
seed                          x      x      simulator / sampling seed
device, method                x             Aer simulator device (CPU, GPU) and method
noise                         x             noise source: a fake backend (``fake_torino``) or a real
                                            backend name whose calibration is used (needs an account)
backend                                x    ``fake_*`` (local testing mode) or a real device name
optimization_level            x      x      preset pass manager level (ISA transpilation), 0..3
seed_transpiler               x      x      transpiler seed, fixed and recorded
local_noise                          x      local testing mode: simulate the fake backend's noise
mode                                 x      ``job``, ``batch`` or ``session``
resilience_level                     x      Runtime estimator error mitigation, 0..2 (real devices)
twirling, dynamical_decoupling       x      Runtime switches (real devices)
max_execution_time                   x      seconds of QPU time per job, 1..10800 (real devices)
channel, instance                    x      account selection (else environment / saved default)
journal, resume                      x      job journal file (JSON lines) and resume from it
====================  ======  =====  =====  =========================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from qhep_contrast._checks import check_int
from qhep_contrast.exceptions import ConfigError

__all__ = [
    "ExecutionConfig",
    "KINDS",
    "AER_DEVICES",
    "AER_METHODS",
    "MODES",
    "CHANNELS",
    "MAX_SHOTS",
    "MAX_EXECUTION_TIME",
    "APPLIES",
    "reject_credentials",
]

KINDS: tuple[str, ...] = ("exact", "aer", "ibm")
AER_DEVICES: tuple[str, ...] = ("CPU", "GPU")
AER_METHODS: tuple[str, ...] = ("automatic", "statevector", "density_matrix", "matrix_product_state",
                                "tensor_network")
_GPU_METHODS: tuple[str, ...] = ("automatic", "statevector", "density_matrix", "tensor_network")
MODES: tuple[str, ...] = ("job", "batch", "session")
CHANNELS: tuple[str, ...] = ("ibm_quantum_platform", "ibm_cloud")
MAX_SHOTS = 10_000_000
#: IBM Runtime's service limit on one job's QPU time (three hours), in seconds.
MAX_EXECUTION_TIME = 10_800

APPLIES: dict[str, tuple[str, ...]] = {
    "shots": ("aer", "ibm"),
    "seed": ("aer", "ibm"),
    "device": ("aer",),
    "method": ("aer",),
    "noise": ("aer",),
    "backend": ("ibm",),
    "optimization_level": ("aer", "ibm"),
    "seed_transpiler": ("aer", "ibm"),
    "local_noise": ("ibm",),
    "mode": ("ibm",),
    "resilience_level": ("ibm",),
    "twirling": ("ibm",),
    "dynamical_decoupling": ("ibm",),
    "max_execution_time": ("ibm",),
    "channel": ("ibm",),
    "instance": ("ibm",),
    "journal": ("ibm",),
    "resume": ("ibm",),
}
_REMOTE_ONLY: tuple[str, ...] = ("resilience_level", "twirling", "dynamical_decoupling", "max_execution_time")
"""Runtime options that only a real device applies (local testing mode would ignore them)."""
_SECRET_WORDS = ("token", "apikey", "api_key", "password", "secret")


@dataclass(frozen=True)
class ExecutionConfig:
    """Where and how circuits run. Every field is checked at construction (:class:`ConfigError`).

    Attributes:
        kind: ``"exact"`` (torch statevector engine), ``"aer"`` (Aer primitives) or ``"ibm"`` (Runtime).
        shots: None for exact expectation values (``aer`` only), else shots per circuit, 1..10,000,000.
            Aer with shots samples with ``SamplerV2`` and computes expectation values from counts (Aer's
            ``EstimatorV2`` has no shot noise: its ``precision`` only adds Gaussian noise).
        seed: simulator/sampling seed, 0..2**32-1; None draws fresh randomness.
        device: Aer device, ``"CPU"`` or ``"GPU"`` (needs the ``aer-gpu`` extra).
        method: Aer simulation method (one of :data:`AER_METHODS`).
        noise: Aer noise source: a fake backend name (``"fake_torino"``) or a real backend whose current
            calibration is used (needs a saved account); None for ideal simulation.
        backend: ``ibm`` target: ``"fake_<name>"`` runs in local testing mode, any other name is a real
            device reached through the saved ``QiskitRuntimeService`` account.
        optimization_level: preset pass-manager level 0..3 for ISA transpilation (``ibm``, ``aer`` + noise).
        seed_transpiler: transpiler seed (results depend on it; it is recorded).
        local_noise: in local testing mode, simulate the fake backend's noise model (False: ideal).
        mode: ``"job"``, ``"batch"`` or ``"session"`` (Runtime execution mode).
        resilience_level: Runtime estimator mitigation level 0..2 (ignored in local testing mode).
        twirling: Pauli twirling of gates and measurements (Runtime).
        dynamical_decoupling: dynamical decoupling (Runtime).
        max_execution_time: QPU seconds per job, 1..10800, or None for the service default.
        channel: ``"ibm_quantum_platform"`` or ``"ibm_cloud"``; None: ``QISKIT_IBM_CHANNEL`` or default.
        instance: IBM Quantum instance (CRN or name); None: ``QISKIT_IBM_INSTANCE`` or the saved default.
        journal: path of the job journal (JSON lines); every submitted job id is appended before waiting.
        resume: fetch the results of journaled jobs instead of resubmitting them (needs ``journal``).
    """

    kind: str = "exact"
    shots: int | None = None
    seed: int | None = None
    device: str = "CPU"
    method: str = "automatic"
    noise: str | None = None
    backend: str | None = None
    optimization_level: int = 2
    seed_transpiler: int = 0
    local_noise: bool = True
    mode: str = "job"
    resilience_level: int = 1
    twirling: bool = False
    dynamical_decoupling: bool = False
    max_execution_time: int | None = None
    channel: str | None = None
    instance: str | None = None
    journal: str | None = None
    resume: bool = False

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, KINDS)
        self._check_values()
        self._check_kind()

    def _check_values(self) -> None:
        owner = "ExecutionConfig"
        if self.shots is not None:
            check_int(owner, "shots", self.shots, low=1, high=MAX_SHOTS)
        if self.seed is not None:
            check_int(owner, "seed", self.seed, low=0, high=2**32 - 1)
        _check_choice("device", self.device, AER_DEVICES)
        _check_choice("method", self.method, AER_METHODS)
        if self.device == "GPU" and self.method not in _GPU_METHODS:
            raise ConfigError(f"ExecutionConfig: method={self.method!r} does not run on device='GPU'; "
                              f"GPU methods are {_GPU_METHODS}. Pick one of them or use device='CPU'.")
        for name in ("noise", "backend", "instance", "journal"):
            _check_text(name, getattr(self, name))
        check_int(owner, "optimization_level", self.optimization_level, low=0, high=3)
        check_int(owner, "seed_transpiler", self.seed_transpiler, low=0, high=2**32 - 1)
        _check_choice("mode", self.mode, MODES)
        check_int(owner, "resilience_level", self.resilience_level, low=0, high=2)
        for name in ("local_noise", "twirling", "dynamical_decoupling", "resume"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"ExecutionConfig: {name} must be true or false, got {getattr(self, name)!r}.")
        if self.max_execution_time is not None:
            check_int(owner, "max_execution_time", self.max_execution_time, low=1, high=MAX_EXECUTION_TIME)
        if self.channel is not None:
            _check_choice("channel", self.channel, CHANNELS)

    def _check_kind(self) -> None:
        defaults = ExecutionConfig.__dataclass_fields__
        for name, kinds in APPLIES.items():
            if self.kind not in kinds and getattr(self, name) != defaults[name].default:
                raise ConfigError(
                    f"ExecutionConfig: {name}={getattr(self, name)!r} applies to kind {' or '.join(kinds)} only, "
                    f"and kind={self.kind!r}; remove {name} or change kind."
                )
        if self.kind == "ibm":
            if self.backend is None:
                raise ConfigError("ExecutionConfig: kind='ibm' needs backend=..., e.g. 'fake_manila' (local testing "
                                  "mode) or a device name such as 'ibm_torino'.")
            if self.shots is None:
                raise ConfigError("ExecutionConfig: kind='ibm' estimates from measurements, so shots must be an "
                                  f"integer in [1, {MAX_SHOTS}], got None; set shots (e.g. 4096).")
        if self.is_local:
            self._check_local_options()
        if self.resume and self.journal is None:
            raise ConfigError("ExecutionConfig: resume=True needs journal=<path of the run's job journal>.")

    def _check_local_options(self) -> None:
        """Runtime's local testing mode does not apply mitigation or time limits: refuse them, not ignore them."""
        defaults = ExecutionConfig.__dataclass_fields__
        ignored = [name for name in _REMOTE_ONLY if getattr(self, name) != defaults[name].default]
        if ignored:
            settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in ignored)
            raise ConfigError(f"ExecutionConfig: backend={self.backend!r} runs in Runtime's local testing mode, which "
                              f"does not apply {settings}; remove them, or use a real device name (e.g. "
                              "'ibm_torino') for mitigation options.")

    @property
    def is_local(self) -> bool:
        """True for ``ibm`` on a ``fake_*`` backend (Runtime local testing mode)."""
        return self.kind == "ibm" and str(self.backend).startswith("fake_")

    def replace(self, **changes: Any) -> ExecutionConfig:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Every field that is not None, as plain TOML-compatible values (never any credential)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def section_dict(self) -> dict[str, Any]:
        """``kind`` and the fields that apply to it (not None): the ``[execution]`` table of a run config."""
        keys = [name for name, kinds in APPLIES.items() if self.kind in kinds]
        return {"kind": self.kind, **{k: getattr(self, k) for k in keys if getattr(self, k) is not None}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExecutionConfig:
        """Build from a mapping such as the ``[execution]`` table of a TOML run config.

        Raises:
            ConfigError: ``data`` is not a mapping, has unknown keys, holds a credential, or has bad values.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"ExecutionConfig.from_dict needs a mapping (a TOML table), got {type(data).__name__}.")
        reject_credentials(data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"ExecutionConfig: unknown key(s) {unknown}; allowed keys are {sorted(known)}.")
        return cls(**dict(data))


def reject_credentials(keys: Iterable[Any]) -> None:
    """Refuse configuration keys that look like credentials (``token``, ``api_key``, ``password``, ...).

    Raises:
        ConfigError: naming the key and where credentials belong instead.
    """
    secret = [k for k in keys if any(w in str(k).lower().replace("-", "_") for w in _SECRET_WORDS)]
    if secret:
        raise ConfigError(
            f"ExecutionConfig: key {secret[0]!r} looks like a credential; credentials never go in run configs. "
            "Save the account once with QiskitRuntimeService.save_account(token=..., instance=..., "
            "channel='ibm_quantum_platform') or set QISKIT_IBM_TOKEN in the environment."
        )


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"ExecutionConfig: {name} must be one of {allowed}, got {value!r}.")


def _check_text(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"ExecutionConfig: {name} must be a non-empty string or None, got {value!r}.")
