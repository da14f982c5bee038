"""Fixtures for model tests: tiny circuits and the quantum layer (the real one when it is importable).

Until ``qhep_contrast.qnn.QuantumLayer`` exists, ``quantum_layer_cls`` falls back to ``_DenseQuantumLayer``,
a test double with the same constructor and outputs that simulates ``ry``/``rz``/``cx`` circuits with dense
``2**n x 2**n`` matrices in torch (checked against ``qiskit.quantum_info.Statevector`` in test_test_double).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from qiskit.circuit import Parameter, ParameterVector, QuantumCircuit
from torch import Tensor, nn

from qhep_contrast.circuits.spec import CircuitSpec, z_observables


def tiny_encoder_then_ansatz(num_qubits: int = 3) -> CircuitSpec:
    """``RY(x_i)`` on every qubit, then ``RY(w_i)`` and a CX chain: ``U(w) V(x)`` (weights after encoding)."""
    x, w = ParameterVector("x", num_qubits), ParameterVector("w", num_qubits)
    qc = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        qc.ry(x[q], q)
    for q in range(num_qubits):
        qc.ry(w[q], q)
    for q in range(num_qubits - 1):
        qc.cx(q, q + 1)
    return CircuitSpec(qc, tuple(x), tuple(w), z_observables(num_qubits), name="tiny_u_after_v")


def tiny_reuploading(num_qubits: int = 3, num_layers: int = 2) -> CircuitSpec:
    """``num_layers`` x [``RY(x_i)``, ``RY(w)``, ``RZ(w)``, CX chain]: trainable gates between encodings."""
    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", 2 * num_qubits * num_layers)
    qc = QuantumCircuit(num_qubits)
    k = 0
    for _ in range(num_layers):
        for q in range(num_qubits):
            qc.ry(x[q], q)
        for q in range(num_qubits):
            qc.ry(w[k], q)
            qc.rz(w[k + 1], q)
            k += 2
        for q in range(num_qubits - 1):
            qc.cx(q, q + 1)
    return CircuitSpec(qc, tuple(x), tuple(w), z_observables(num_qubits), name="tiny_reuploading")


def _kron(mats: list[Tensor]) -> Tensor:
    """Batched Kronecker product of ``(B, 2, 2)`` matrices, first factor most significant."""
    out = mats[0]
    for m in mats[1:]:
        b, r, c = out.shape
        out = torch.einsum("bij,bkl->bikjl", out, m).reshape(b, r * 2, c * 2)
    return out


def _single(name: str, theta: Tensor) -> Tensor:
    c, s = torch.cos(theta / 2).to(torch.complex64), torch.sin(theta / 2).to(torch.complex64)
    if name == "ry":
        return torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)
    phase = torch.exp(-0.5j * theta.to(torch.complex64))
    zero = torch.zeros_like(phase)
    return torch.stack([torch.stack([phase, zero], -1), torch.stack([zero, phase.conj()], -1)], -2)


def _cx(control: int, target: int, n: int) -> Tensor:
    dim = 2**n
    perm = torch.zeros(dim, dim, dtype=torch.complex64)
    for col in range(dim):
        row = col ^ (1 << target) if (col >> control) & 1 else col
        perm[row, col] = 1
    return perm


class _DenseQuantumLayer(nn.Module):
    """Test double of ``QuantumLayer`` (same constructor and outputs) for ry/rz/cx circuits."""

    def __init__(self, spec: CircuitSpec, observables: tuple | None = None, *, output: str = "expectation",
                 execution: object = None, init: str = "uniform", seed: int | None = None) -> None:
        super().__init__()
        self.spec, self.output = spec, output
        self.observables = tuple(observables) if observables is not None else spec.observables
        self.num_weights = spec.num_weights
        gen = torch.Generator().manual_seed(0 if seed is None else seed)
        self.weight = nn.Parameter((torch.rand(spec.num_weights, generator=gen) * 2 - 1) * math.pi)
        self._index = {p: ("x", i) for i, p in enumerate(spec.inputs)}
        self._index |= {p: ("w", i) for i, p in enumerate(spec.weights)}
        self._matrices = [torch.tensor(o.to_matrix(), dtype=torch.complex64) for o in self.observables]

    def _angle(self, param: object, inputs: Tensor) -> Tensor:
        if not isinstance(param, Parameter):
            return torch.full((inputs.shape[0],), float(param))
        kind, i = self._index[param]
        return inputs[:, i] if kind == "x" else self.weight[i].expand(inputs.shape[0])

    def states(self, inputs: Tensor) -> Tensor:
        n, batch = self.spec.num_qubits, inputs.shape[0]
        state = torch.zeros(batch, 2**n, dtype=torch.complex64)
        state[:, 0] = 1
        eye = torch.eye(2, dtype=torch.complex64).expand(batch, 2, 2)
        for inst in self.spec.circuit.data:
            qubits = [self.spec.circuit.find_bit(q).index for q in inst.qubits]
            name = inst.operation.name
            if name == "cx":
                state = state @ _cx(qubits[0], qubits[1], n).T
                continue
            gate = _single(name, self._angle(inst.operation.params[0], inputs))
            factors = [gate if q == qubits[0] else eye for q in reversed(range(n))]
            state = torch.einsum("bij,bj->bi", _kron(factors), state)
        return state

    def forward(self, inputs: Tensor) -> Tensor:
        state = self.states(inputs.float())
        if self.output == "state":
            return state
        if self.output == "probabilities":
            return state.abs().square()
        values = [torch.einsum("bi,ij,bj->b", state.conj(), m, state).real for m in self._matrices]
        return torch.stack(values, dim=1)


def _layer_cls() -> type[nn.Module]:
    try:
        from qhep_contrast.qnn import QuantumLayer
    except ImportError:
        return _DenseQuantumLayer
    return QuantumLayer


@pytest.fixture
def quantum_layer_cls() -> type[nn.Module]:
    """The real ``QuantumLayer`` when importable, else the dense test double."""
    return _layer_cls()


@pytest.fixture
def dense_test_double() -> type[nn.Module]:
    """The dense test double itself (for its own correctness test)."""
    return _DenseQuantumLayer


@pytest.fixture
def circuits() -> dict[str, Callable[..., CircuitSpec]]:
    """Tiny circuit builders: ``"u_after_v"`` (weights after encoding) and ``"reuploading"``."""
    return {"u_after_v": tiny_encoder_then_ansatz, "reuploading": tiny_reuploading}
