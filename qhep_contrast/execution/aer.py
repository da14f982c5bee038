"""Aer primitives for the ``aer`` executor (imported lazily; install hints on failure).

* ``shots=None``: Aer ``EstimatorV2`` with ``default_precision=0.0`` -- exact expectation values (with a
  noise model: exact density-matrix values when ``method="automatic"``).
* ``shots=n``: Aer ``SamplerV2`` with ``n`` shots; expectation values come from counts
  (:class:`~qhep_contrast.execution.counts_estimator.CountsEstimator`). Aer's ``EstimatorV2`` is never used
  for shots: its ``precision`` only adds Gaussian noise to exact values.

Every simulator runs with ``runtime_parameter_bind_enable=True``: the circuit is compiled once and bound per
parameter set inside Aer (3-4x faster for thousands of bindings, measured on W1 gradients).

GPU: ``device="GPU"`` needs the ``qiskit-aer-gpu`` build (``pip install "qhep-contrast[aer-gpu]"`` after
``pip uninstall qiskit-aer``; both ship the module ``qiskit_aer``: never install both). It needs an NVIDIA
GPU of compute capability 7.0-9.0 and a CUDA 12 runtime (installed from pip with the wheel; use
``qiskit-aer-gpu-cu11`` for CUDA 11). The GPU build still lists ``GPU`` on machines without a GPU and fails
only when a circuit runs, so :func:`check_gpu` runs a 1-qubit circuit before anything is trusted to it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from qhep_contrast.exceptions import BackendError
from qhep_contrast.execution._imports import require
from qhep_contrast.execution.config import ExecutionConfig

__all__ = ["aer_backend_options", "aer_estimator", "aer_sampler", "check_gpu", "GPU_INSTALL_HINT"]

_AER_INSTALL = "pip install qiskit-aer"
GPU_INSTALL_HINT = ('pip uninstall -y qiskit-aer && pip install "qhep-contrast[aer-gpu]" (qiskit-aer-gpu: '
                    "NVIDIA GPU with compute capability 7.0-9.0, CUDA 12 runtime from pip; qiskit-aer-gpu-cu11 "
                    "for CUDA 11)")


def _aer() -> Any:
    return require("qiskit_aer", "the 'aer' executor", _AER_INSTALL)


@lru_cache(maxsize=None)
def check_gpu() -> None:
    """Run a 1-qubit circuit on Aer's GPU device once per process.

    Raises:
        BackendError: the installed qiskit-aer has no usable GPU device (message: how to install it).
    """
    from qiskit import QuantumCircuit

    aer = _aer()
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    try:
        result = aer.AerSimulator(device="GPU").run(circuit, shots=1).result()
        ok = result.success and result.get_counts() == {"1": 1}
    except Exception as exc:  # noqa: BLE001 - any failure means "no usable GPU"
        raise BackendError(
            f"Aer device 'GPU' is not usable here ({type(exc).__name__}: {exc}); available devices: "
            f"{aer.AerSimulator().available_devices()}. Install the GPU build with {GPU_INSTALL_HINT}, "
            "or set device='CPU'."
        ) from exc
    if not ok:
        raise BackendError(f"Aer device 'GPU' returned a wrong result for a 1-qubit probe; use device='CPU' "
                           f"or reinstall the GPU build ({GPU_INSTALL_HINT}).")


def aer_backend_options(config: ExecutionConfig, noise_model: Any = None) -> dict[str, Any]:
    """``AerSimulator`` options for ``config`` (device, method, noise model, runtime parameter binding)."""
    if config.device == "GPU":
        check_gpu()
    method = config.method
    if noise_model is not None and config.shots is None and method == "automatic":
        method = "density_matrix"  # exact noisy expectation values, not averaged trajectories
    options: dict[str, Any] = {"device": config.device, "method": method, "runtime_parameter_bind_enable": True}
    if noise_model is not None:
        options["noise_model"] = noise_model
    return options


def aer_estimator(config: ExecutionConfig, noise_model: Any = None) -> Any:
    """Exact Aer ``EstimatorV2`` (``default_precision=0.0``; :class:`AerExactEstimator`, vectorised read-out)."""
    require("qiskit_aer.primitives", "the 'aer' executor", _AER_INSTALL)
    from qhep_contrast.execution.aer_estimator import AerExactEstimator

    run_options = {} if config.seed is None else {"seed_simulator": config.seed}
    return AerExactEstimator(options={"default_precision": 0.0,
                                           "backend_options": aer_backend_options(config, noise_model),
                                           "run_options": run_options})


def aer_sampler(config: ExecutionConfig, noise_model: Any = None) -> Any:
    """Aer ``SamplerV2`` with ``config.shots`` shots (1024 when ``shots`` is None) and ``config.seed``."""
    primitives = require("qiskit_aer.primitives", "the 'aer' executor", _AER_INSTALL)
    return primitives.SamplerV2(default_shots=config.shots or 1024, seed=config.seed,
                                options={"backend_options": aer_backend_options(config, noise_model)})
