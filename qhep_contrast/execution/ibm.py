"""IBM Runtime for the ``ibm`` executor: accounts, backends, execution modes and primitives (lazy imports).

* ``backend="fake_<name>"``: Runtime's local testing mode on a fake backend (no account, no network);
  ``local_noise=False`` simulates it without noise.
* any other name: a real device through ``QiskitRuntimeService`` with the saved account (or the
  ``QISKIT_IBM_TOKEN`` / ``QISKIT_IBM_INSTANCE`` / ``QISKIT_IBM_CHANNEL`` environment). Without one, a
  :class:`~qhep_contrast.exceptions.CredentialsError` says how to save it.

We use Runtime's ``EstimatorV2`` / ``SamplerV2`` (deprecated since 0.50 in favour of the client-side
executor primitives, which measure every device qubit and exhaust memory locally on 127-156-qubit fakes).
In local testing mode Runtime ignores resilience, twirling and dynamical decoupling (and warns), so they are
only set for real devices. Tokens never appear in messages, logs or records: errors name the exception
type only, never the text of an exception raised while a token was in use.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from qhep_contrast.exceptions import BackendError, CredentialsError
from qhep_contrast.execution._imports import require
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.execution.fake_backends import fake_backend, is_fake_name

__all__ = ["runtime_service", "resolve_backend", "runtime_mode", "runtime_estimator", "runtime_sampler",
           "job_fetcher", "SAVE_ACCOUNT_HINT"]

_log = logging.getLogger(__name__)
_INSTALL = "pip install qiskit-ibm-runtime"
SAVE_ACCOUNT_HINT = (
    "save an account once with `from qiskit_ibm_runtime import QiskitRuntimeService; "
    "QiskitRuntimeService.save_account(token=<API key>, instance=<CRN or name>, channel='ibm_quantum_platform', "
    "set_as_default=True)` (or set QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE in the environment); never put "
    "the key in a run config. For local testing use a fake backend such as backend='fake_manila'"
)
#: Recent jobs submitted in local testing mode with a journal, by id (local jobs cannot be fetched from a
#: service; only the most recent ones are kept, which is what a resume after an interruption needs).
_LOCAL_JOBS: OrderedDict[str, Any] = OrderedDict()
_LOCAL_JOBS_KEPT = 64


def _runtime() -> Any:
    return require("qiskit_ibm_runtime", "the 'ibm' executor", _INSTALL)


def runtime_service(channel: str | None = None, instance: str | None = None, filename: str | None = None) -> Any:
    """``QiskitRuntimeService`` for the saved account (or the environment), with clear credential errors.

    Args:
        channel: ``"ibm_quantum_platform"`` or ``"ibm_cloud"``; None: environment or saved default.
        instance: instance CRN or name; None: environment or saved default.
        filename: account file (default ``~/.qiskit/qiskit-ibm.json``).

    Raises:
        CredentialsError: no account, or the account cannot be used (offline, invalid, expired). The message
            names the cause's exception type only, so no token can leak through it.
    """
    runtime = _runtime()
    accounts = require("qiskit_ibm_runtime.accounts", "the 'ibm' executor", _INSTALL)
    kwargs = {k: v for k, v in {"channel": channel, "instance": instance, "filename": filename}.items() if v}
    try:
        return runtime.QiskitRuntimeService(**kwargs)
    except accounts.AccountNotFoundError:
        reason = "no saved IBM Quantum account was found"
    except accounts.InvalidAccountError as exc:
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else None
        reason = ("IBM Quantum could not be reached to check the account (" + cause + "); check the network"
                  if cause and "Connection" in cause else "the saved IBM Quantum account was rejected")
    except Exception as exc:  # noqa: BLE001 - translate, but never echo text that may hold a token
        reason = f"the IBM Quantum account could not be loaded ({type(exc).__name__})"
    raise CredentialsError(f"kind='ibm' on a real backend needs an IBM Quantum account, and {reason}; "
                           f"{SAVE_ACCOUNT_HINT}.") from None


def resolve_backend(name: str, channel: str | None = None, instance: str | None = None) -> Any:
    """A fake backend for ``fake_*`` names, else ``QiskitRuntimeService(...).backend(name)``."""
    if is_fake_name(name):
        return fake_backend(name)
    service = runtime_service(channel, instance)
    try:
        return service.backend(name)
    except Exception as exc:  # noqa: BLE001
        raise BackendError(f"IBM Runtime has no backend {name!r} for this account ({type(exc).__name__}); "
                           "list them with QiskitRuntimeService().backends().") from None


def _silence_fake(backend: Any) -> None:
    """Make a fake backend simulate without noise (its ``run`` then uses a plain ``AerSimulator``)."""
    aer = require("qiskit_aer", "local testing without noise", "pip install qiskit-aer")
    backend.sim = aer.AerSimulator()
    backend.set_options(noise_model=None)


def runtime_mode(backend: Any, config: ExecutionConfig) -> Any:
    """The ``mode=`` for Runtime primitives: the backend (job), a ``Batch`` or a ``Session``."""
    if config.is_local and not config.local_noise:
        _silence_fake(backend)
    if config.mode == "job":
        return backend
    runtime = _runtime()
    cls = runtime.Batch if config.mode == "batch" else runtime.Session
    return cls(backend=backend)  # max_execution_time limits each job (primitive option), not the session


def _common_options(options: Any, config: ExecutionConfig) -> None:
    options.default_shots = config.shots
    if config.is_local:
        if config.seed is not None:
            options.simulator.seed_simulator = config.seed
        _log.info("local testing mode: resilience, twirling and dynamical decoupling are not applied")
        return
    if config.max_execution_time is not None:
        options.max_execution_time = config.max_execution_time
    options.dynamical_decoupling.enable = config.dynamical_decoupling
    options.twirling.enable_gates = config.twirling
    options.twirling.enable_measure = config.twirling


def runtime_estimator(mode: Any, config: ExecutionConfig) -> Any:
    """Runtime ``EstimatorV2`` with the config's shots, seed and (real devices) mitigation options."""
    estimator = _runtime().EstimatorV2(mode=mode)
    _common_options(estimator.options, config)
    if not config.is_local:
        estimator.options.resilience_level = config.resilience_level
    return _track_local(estimator, config)


def runtime_sampler(mode: Any, config: ExecutionConfig) -> Any:
    """Runtime ``SamplerV2`` with the config's shots, seed and (real devices) twirling/DD options."""
    sampler = _runtime().SamplerV2(mode=mode)
    _common_options(sampler.options, config)
    return _track_local(sampler, config)


def _track_local(primitive: Any, config: ExecutionConfig) -> Any:
    """In local testing mode with a journal, remember recent jobs by id so that a resume can fetch them."""
    if not config.is_local or config.journal is None:
        return primitive
    run = primitive.run

    def tracked_run(*args: Any, **kwargs: Any) -> Any:
        job = run(*args, **kwargs)
        _LOCAL_JOBS[str(job.job_id())] = job
        while len(_LOCAL_JOBS) > _LOCAL_JOBS_KEPT:
            _LOCAL_JOBS.popitem(last=False)
        return job

    primitive.run = tracked_run
    return primitive


def job_fetcher(config: ExecutionConfig) -> Any:
    """``fetch(job_id) -> job`` for journaled jobs: the service (real devices) or this process (local mode)."""
    if config.is_local:
        def fetch_local(job_id: str) -> Any:
            if job_id not in _LOCAL_JOBS:
                raise BackendError(f"job {job_id!r} from the journal ran in local testing mode in another process; "
                                   "local jobs cannot be fetched again. Resume without the journal entry "
                                   "(or without resume=True) to recompute it.")
            return _LOCAL_JOBS[job_id]
        return fetch_local
    service = runtime_service(config.channel, config.instance)
    return service.job
