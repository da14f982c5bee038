"""Aer specifics (GPU probe, controlled-rotation workaround) and IBM Runtime specifics (credentials, modes)."""

from __future__ import annotations

import logging
import traceback

import numpy as np
import pytest
import torch
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator

from qhep_contrast.circuits import CircuitSpec, z_observables
from qhep_contrast.exceptions import BackendError, ConfigError, CredentialsError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.aer import check_gpu
from qhep_contrast.execution.ibm import runtime_service
from qhep_contrast.execution.program import aer_safe_circuit, build_program
from qhep_contrast.qnn import QuantumLayer

_GPU = "GPU" in AerSimulator().available_devices()


@pytest.mark.skipif(_GPU, reason="a GPU build of qiskit-aer is installed")
def test_gpu_request_without_gpu_build_fails_clearly() -> None:
    with pytest.raises(BackendError, match=r"Aer device 'GPU' is not usable.*aer-gpu.*device='CPU'"):
        check_gpu()
    spec = CircuitSpec(QuantumCircuit(1), [], [], z_observables(1))
    with pytest.raises(BackendError, match="qiskit-aer-gpu"):
        QuantumLayer(spec, execution=ExecutionConfig(kind="aer", device="GPU"))


def test_parametrised_controlled_rotations_are_simulated_correctly_on_aer() -> None:
    """qiskit-aer 0.18.2 treats bound-per-PUB crx/cry/crz/cp as identity; the program replaces them."""
    t = ParameterVector("t", 4)
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.crx(t[0], 0, 1)
    qc.cry(t[1], 1, 0)
    qc.crz(t[2], 0, 1)
    qc.cp(t[3], 1, 0)
    qc.h(0)
    assert "cry" not in aer_safe_circuit(qc).count_ops()
    obs = [SparsePauliOp("ZI"), SparsePauliOp("IZ"), SparsePauliOp("XY")]
    values = np.random.default_rng(0).uniform(-3, 3, (5, 4))
    program = build_program(ExecutionConfig(kind="aer"), qc, obs)
    arr = np.empty((3, 1), dtype=object)
    for i, o in enumerate(program.observables):
        arr[i, 0] = o
    got = program.primitive.run([(program.circuit, arr, values)]).result()[0].data.evs
    ref = StatevectorEstimator().run([(qc, arr, values)]).result()[0].data.evs
    np.testing.assert_allclose(got, ref, atol=1e-10)


def test_sampled_outputs_on_aer_need_shots() -> None:
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(1)
    qc.ry(x[0], 0)
    spec = CircuitSpec(qc, [x[0]], [], z_observables(1))
    with pytest.raises(ConfigError, match="sampling on kind='aer' needs shots"):
        QuantumLayer(spec, output="probabilities", execution=ExecutionConfig(kind="aer"))
    with pytest.raises(ConfigError, match="output='state' needs the exact executor"):
        QuantumLayer(spec, output="state", execution=ExecutionConfig(kind="aer"))


def test_no_account_message_says_how_to_save_one(tmp_path, monkeypatch) -> None:
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(CredentialsError, match="no saved IBM Quantum account.*save_account") as info:
        runtime_service(filename=str(tmp_path / "none.json"))
    assert isinstance(info.value, PermissionError) and info.value.__cause__ is None


def test_a_token_is_never_written_anywhere(tmp_path, monkeypatch, caplog, capsys) -> None:
    """With a (fake) token in the environment: the error for a real backend, the logs, the journal of a local
    run and the written config all stay free of it."""
    token = "FAKE-TOKEN-0123456789-abcdef"
    monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "fake-instance")
    caplog.set_level(logging.DEBUG)
    spec = CircuitSpec(QuantumCircuit(1), [], [], z_observables(1))
    real = ExecutionConfig(kind="ibm", backend="ibm_torino", shots=100, journal=str(tmp_path / "jobs.jsonl"))
    with pytest.raises(CredentialsError) as info:  # offline: connection error; online: the key is rejected
        QuantumLayer(spec, execution=real)
    written = ["".join(traceback.format_exception(info.value)), repr(info.value)]
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(1)
    qc.ry(x[0], 0)
    local = real.replace(backend="fake_manila")
    layer = QuantumLayer(CircuitSpec(qc, [x[0]], [], z_observables(1)), execution=local)
    layer(torch.zeros(2, 1))
    (tmp_path / "config.toml").write_text("\n".join(f"{k} = {v!r}" for k, v in local.to_dict().items()))
    captured = capsys.readouterr()
    written += [captured.out, captured.err, caplog.text]
    written += [p.read_text() for p in tmp_path.iterdir()]
    assert (tmp_path / "jobs.jsonl").exists()
    for text in written:
        assert token not in text


@pytest.mark.parametrize("mode", ["batch", "session"])
def test_runtime_modes_in_local_testing(mode: str) -> None:
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(1)
    qc.ry(x[0], 0)
    cfg = ExecutionConfig(kind="ibm", backend="fake_manila", shots=2000, seed=1, mode=mode, local_noise=False)
    layer = QuantumLayer(CircuitSpec(qc, [x[0]], [], z_observables(1)), execution=cfg)
    out = layer(torch.tensor([[0.0], [np.pi]]))
    torch.testing.assert_close(out, torch.tensor([[1.0], [-1.0]]))
    assert layer._runner.program.mode is not None
    layer._runner.close()


def test_noisy_local_backend_stays_close() -> None:
    """Local testing mode with the fake device's noise: biased by readout/gate errors, loosely close."""
    x = ParameterVector("x", 2)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.ry(x[1], 1)
    qc.cx(0, 1)
    spec = CircuitSpec(qc, list(x), [], z_observables(2))
    cfg = ExecutionConfig(kind="ibm", backend="fake_manila", shots=4000, seed=2)
    xs = torch.tensor([[0.3, 1.2], [2.0, -0.4]], dtype=torch.float64)
    noisy = QuantumLayer(spec, execution=cfg).double()(xs)
    exact = QuantumLayer(spec).double()(xs)
    assert (noisy - exact).abs().max() < 0.25


@pytest.mark.parametrize("config", [ExecutionConfig(kind="aer", shots=64, noise="fake_manila"),
                                    ExecutionConfig(kind="ibm", backend="fake_manila", shots=64)])
def test_a_backend_narrower_than_the_circuit_names_backends_that_fit(config: ExecutionConfig) -> None:
    from qhep_contrast.execution.fake_backends import fake_backend_sizes

    circuit = QuantumCircuit(8)
    circuit.h(range(8))
    with pytest.raises(BackendError, match="has 5 qubits, and the circuit needs 8") as err:
        build_program(config, circuit.measure_all(inplace=False), kind="sampler")
    named = [w.strip(".,") for w in str(err.value).split() if w.startswith("fake_") and w.strip(".,") != "fake_manila"]
    assert named and all(fake_backend_sizes()[n] >= 8 for n in named)


def test_unknown_backend_names_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown fake backend 'fake_nowhere'"):
        build_program(ExecutionConfig(kind="aer", shots=8, noise="fake_nowhere"), QuantumCircuit(1), kind="estimator")


def test_real_device_jobs_are_announced_with_their_cost_before_submission(monkeypatch) -> None:
    """A 'real' device (a mocked service handing out a fake backend): one cost line per job, before submit."""
    import qiskit_ibm_runtime

    from qhep_contrast.execution import ibm
    from qhep_contrast.execution.announce import AnnouncedPrimitive
    from qhep_contrast.execution.fake_backends import fake_backend

    class Service:
        def backend(self, name: str):
            return fake_backend("fake_manila")

    events: list[str] = []
    monkeypatch.setattr(ibm, "runtime_service", lambda *a, **k: Service())
    monkeypatch.setattr(qiskit_ibm_runtime.SamplerV2, "run",
                        lambda self, pubs, **k: events.append("submitted") or (_ for _ in ()).throw(
                            RuntimeError("stop after submission")))
    x = ParameterVector("x", 2)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.cx(0, 1)
    qc.ry(x[1], 1)
    config = ExecutionConfig(kind="ibm", backend="ibm_manila", shots=1000, optimization_level=1)
    program = build_program(config, qc.measure_all(inplace=False), kind="sampler")
    announced = program.primitive
    assert isinstance(announced, AnnouncedPrimitive)
    announced._write = events.append
    with pytest.raises(RuntimeError, match="stop after submission"):
        program.primitive.run([(program.circuit, np.zeros((3, 2)))])
    line, submitted = events
    assert submitted == "submitted" and line.startswith("submitting to fake_manila: 1 job, 1 PUBs, 3 circuits x 1000")
    gates = announced._circuit(program.circuit)[0]
    assert gates >= 1 and f"two-qubit gates per circuit [{gates}]" in line
    seconds = float(line.rsplit("~", 1)[1].split()[0])
    assert 3 * 1000 * 250e-6 < seconds < 3 * 1000 * 1e-3  # rep delay plus a few-microsecond circuit
