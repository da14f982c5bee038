"""A naive gate-by-gate batched torch statevector simulator: the in-run reference for the engine's speed.

Each gate is one pass over the whole batch of states (``einsum`` on the gate's qubit axes), as a
straightforward torch implementation would do; no fusion, no product prefix, no gather tricks.
"""

from __future__ import annotations

import torch
from qiskit.circuit import ParameterExpression, QuantumCircuit

__all__ = ["naive_expectations"]


def _ry(t: torch.Tensor) -> torch.Tensor:
    c, s = torch.cos(t / 2), torch.sin(t / 2)
    return torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2).to(torch.complex64)


def _rz(t: torch.Tensor) -> torch.Tensor:
    e = torch.polar(torch.ones_like(t), -t / 2)
    z = torch.zeros_like(e)
    return torch.stack([torch.stack([e, z], -1), torch.stack([z, e.conj()], -1)], -2)


_CX = torch.tensor([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=torch.complex64)


def naive_expectations(circuit: QuantumCircuit, inputs, weights, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """<Z_i> for every qubit of an RY/RZ/CX circuit, gate by gate. ``x (B, n_in)``, ``w (n_w,)``."""
    n = circuit.num_qubits
    b = x.shape[0]
    index = {p: ("x", i) for i, p in enumerate(inputs)} | {p: ("w", i) for i, p in enumerate(weights)}
    psi = torch.zeros((b,) + (2,) * n, dtype=torch.complex64)
    psi.view(b, -1)[:, 0] = 1
    for inst in circuit.data:
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        axes = [n - q for q in qubits]  # tensor axis of qubit q (axis 0 is the batch)
        name = inst.operation.name
        if name == "cx":
            gate = _CX.reshape(2, 2, 2, 2)  # (t_out, c_out, t_in, c_in) in little-endian local order
            psi = torch.einsum("abcd,zdc...->zba...", gate, psi.movedim(axes, [1, 2])).movedim([1, 2], axes)
            continue
        (param,) = inst.operation.params
        kind, i = index[param] if isinstance(param, ParameterExpression) else (None, None)
        t = x[:, i] if kind == "x" else w[i].expand(b)
        m = (_ry if name == "ry" else _rz)(t)  # (B, 2, 2)
        psi = torch.einsum("zab,zb...->za...", m, psi.movedim(axes[0], 1)).movedim(1, axes[0])
    probs = psi.reshape(b, -1).abs().square()
    k = torch.arange(2**n)
    signs = torch.stack([1 - 2 * ((k >> q) & 1) for q in range(n)], -1).to(probs.dtype)
    return probs @ signs
