"""The exact engine against qiskit.quantum_info.Statevector and the loop-based reference simulator."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.execution.exact import clear_cache, compile
from tests.execution.conftest import bind, reference_states
from tests.execution.random_circuits import GATES, random_circuit
from tests.reference.loop_simulator import simulate

N_RANDOM = 220


def _inputs(seed: int, circuit_inputs, circuit_weights, batch: int, dtype):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(batch, len(circuit_inputs), generator=g, dtype=torch.float64) * 2 - 1) * np.pi
    w = (torch.rand(len(circuit_weights), generator=g, dtype=torch.float64) * 2 - 1) * np.pi
    return x.to(dtype), w.to(dtype)


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random_circuit_matches_statevector(seed: int) -> None:
    qc, inputs, weights = random_circuit(seed)
    ec = compile(qc, inputs, weights)
    x, w = _inputs(seed, inputs, weights, batch=3, dtype=torch.float64)
    ref = reference_states(qc, inputs, weights, x, w)
    psi128 = ec.statevector(x, w)
    assert psi128.dtype == torch.complex128
    np.testing.assert_allclose(psi128.numpy(), ref, atol=1e-10, rtol=0)
    psi64 = ec.statevector(x.float(), w.float())
    assert psi64.dtype == torch.complex64
    np.testing.assert_allclose(psi64.numpy(), ref, atol=1e-5, rtol=0)


def test_random_circuits_cover_every_gate_and_width() -> None:
    seen_gates, widths = set(), set()
    for seed in range(N_RANDOM):
        qc, _, _ = random_circuit(seed)
        widths.add(qc.num_qubits)
        seen_gates |= {inst.operation.name for inst in qc.data}
    assert seen_gates == set(GATES)
    assert widths == set(range(1, 11))


@pytest.mark.parametrize("seed", range(25))
def test_random_circuit_matches_loop_reference(seed: int) -> None:
    qc, inputs, weights = random_circuit(1000 + seed, num_qubits=int(1 + seed % 5))
    ec = compile(qc, inputs, weights)
    x, w = _inputs(seed, inputs, weights, batch=2, dtype=torch.float64)
    psi = ec.statevector(x, w).numpy()
    for b in range(2):
        bound = qc.assign_parameters(bind(inputs, weights, x[b], w), strict=False)
        gates = [(i.operation.name, [bound.find_bit(q).index for q in i.qubits], [float(p) for p in i.operation.params])
                 for i in bound.data if i.operation.name != "barrier"]
        ref = simulate(qc.num_qubits, gates, float(bound.global_phase))
        np.testing.assert_allclose(psi[b], ref, atol=1e-10, rtol=0)


def test_no_inputs_batch_of_zero_columns() -> None:
    w = ParameterVector("w", 2)
    qc = QuantumCircuit(2)
    qc.ry(w[0], 0)
    qc.cx(0, 1)
    qc.rz(w[1], 1)
    ec = compile(qc, [], list(w))
    x = torch.zeros(4, 0, dtype=torch.float64)
    wv = torch.tensor([0.3, -1.2], dtype=torch.float64)
    psi = ec.statevector(x, wv)
    assert psi.shape == (4, 4)
    np.testing.assert_allclose(psi.numpy(), reference_states(qc, [], list(w), x, wv), atol=1e-12)


def test_shared_structure_is_exact_for_w1_and_reuploading() -> None:
    """The two benchmark circuits (product-prefix + CX ring, re-uploading with factored rotations)."""
    n = 4
    for reupload in (False, True):
        x = ParameterVector("x", n)
        w = ParameterVector("w", 2 * n * 3)
        qc = QuantumCircuit(n)
        for layer in range(3):
            if reupload or layer == 0:
                for i in range(n):
                    qc.ry(x[i], i)
            for i in range(n):
                qc.ry(w[2 * n * layer + i], i)
            for i in range(n):
                qc.rz(w[2 * n * layer + n + i], i)
            for i in range(n):
                qc.cx(i, (i + 1) % n)
        ec = compile(qc, list(x), list(w))
        xs, ws = _inputs(7, list(x), list(w), batch=5, dtype=torch.float64)
        np.testing.assert_allclose(ec.statevector(xs, ws).numpy(), reference_states(qc, list(x), list(w), xs, ws),
                                   atol=1e-12)


def test_compile_cache_reuses_and_detects_mutation() -> None:
    clear_cache()
    x = ParameterVector("x", 1)
    qc = QuantumCircuit(1)
    qc.rx(x[0], 0)
    first = compile(qc, list(x), [])
    assert compile(qc, list(x), []) is first
    qc.h(0)
    second = compile(qc, list(x), [])
    assert second is not first
    xs = torch.tensor([[0.4]], dtype=torch.float64)
    np.testing.assert_allclose(second.statevector(xs, torch.zeros(0, dtype=torch.float64)).numpy(),
                               reference_states(qc, list(x), [], xs, torch.zeros(0)), atol=1e-12)


def test_definitions_are_expanded() -> None:
    """Gates outside the native table (here a custom composite gate and mcx) run through their definitions."""
    x = ParameterVector("x", 2)
    sub = QuantumCircuit(2, name="block")
    sub.ry(x[0], 0)
    sub.crz(x[1], 0, 1)
    qc = QuantumCircuit(4)
    qc.h(range(4))
    qc.append(sub.to_gate(), [1, 3])
    qc.mcx([0, 1, 2], 3)
    ec = compile(qc, list(x), [])
    xs = torch.tensor([[0.3, 1.1], [-2.0, 0.5]], dtype=torch.float64)
    np.testing.assert_allclose(ec.statevector(xs, torch.zeros(0, dtype=torch.float64)).numpy(),
                               reference_states(qc, list(x), [], xs, torch.zeros(0)), atol=1e-10)


@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    qc, inputs, weights = random_circuit(3, num_qubits=6)
    ec = compile(qc, inputs, weights)
    x, w = _inputs(3, inputs, weights, batch=8, dtype=torch.float32)
    cpu = ec.statevector(x, w)
    gpu = ec.statevector(x.cuda(), w.cuda())
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(gpu.cpu().numpy(), cpu.numpy(), atol=1e-5)


def test_random_set_exercises_every_stage_kind() -> None:
    """The random circuits reach every runtime path: prefix, shared/per-sample Kron, diagonal, gather, dense."""
    kinds = set()
    for seed in range(N_RANDOM):
        qc, inputs, weights = random_circuit(seed)
        for stage in compile(qc, inputs, weights)._program.stages:
            name = type(stage).__name__
            if name == "KronLayer":
                name += "/per-sample" if stage.per_sample else "/shared"
                if stage.constant:
                    kinds.add("KronLayer/constant")
            if name == "General":
                name += "/const" if stage.constm is not None else "/trig"
            if name == "Diagonal":
                name += "/per-sample" if stage.per_sample else "/shared"
                kinds.add("Diagonal/" + ("factored" if stage.per_qubit is not None else "general"))
            kinds.add(name)
    assert kinds >= {"KronLayer/shared", "KronLayer/per-sample", "Diagonal/per-sample", "Diagonal/shared",
                     "Monomial", "General/const", "General/trig", "GlobalPhase", "Diagonal/factored", "KronLayer/constant",
                     "Diagonal/general"}


@pytest.mark.parametrize("gate", ["ry", "rx", "u"])
def test_small_angles_keep_relative_precision_in_complex64(gate: str) -> None:
    """sin(theta/2) of a tiny angle must be exact to float32 relative precision, not to an absolute ulp of pi/2.

    (Writing sin as cos(theta/2 - pi/2) loses it: float32 rounds pi/2 + 5e-5 to ~1e-7 absolute.)
    """
    w = ParameterVector("w", 1)
    qc = QuantumCircuit(1)
    if gate == "u":
        qc.u(w[0], 0.3, 0.2, 0)
    else:
        getattr(qc, gate)(w[0], 0)
    ec = compile(qc, [], list(w))
    for theta in (1e-4, 1e-6):
        psi = ec.statevector(torch.zeros(1, 0), torch.tensor([theta], dtype=torch.float32))
        amp = abs(complex(psi[0, 1]))
        assert amp == pytest.approx(np.sin(theta / 2), rel=1e-5)
