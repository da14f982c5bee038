"""The exact executor: a compiled, batched, differentiable torch statevector engine.

It runs the very same Qiskit circuits as the primitive executors, thousands of times faster for training:

>>> from qhep_contrast.execution.exact import compile
>>> ec = compile(spec.circuit, spec.inputs, spec.weights)            # doctest: +SKIP
>>> psi = ec.statevector(x, w)          # (B, 2**n) complex64, Qiskit ordering   # doctest: +SKIP
>>> z = ec.expectation(x, w, spec.observables)   # (B, n_obs) real               # doctest: +SKIP

Speed comes from structure (see ``_compile``): leading single-qubit gates become a product state, later
single-qubit gates are fused per qubit and applied in windows of up to ``WINDOW`` qubits, constant
permutation gates (CX rings) fuse into one gather, parametrised diagonals into one phase multiplication,
and Z-type observables are read from probabilities with one matmul.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import torch
from qiskit.circuit import Parameter, ParameterExpression, QuantumCircuit
from qiskit.circuit.library import UnitaryGate

from qhep_contrast.exceptions import ShapeError
from qhep_contrast.execution.exact._autograd import overlap as _overlap
from qhep_contrast.execution.exact._gates import SKIP as _SKIP_NAMES
from qhep_contrast.execution.exact._gates import SUPPORTED_GATES
from qhep_contrast.execution.exact.circuit import MAX_QUBITS, ExactCircuit

__all__ = ["compile", "ExactCircuit", "fidelity", "fidelity_matrix", "overlap", "SUPPORTED_GATES", "MAX_QUBITS", "clear_cache"]

_CACHE: OrderedDict[str, ExactCircuit] = OrderedDict()
_CACHE_SIZE = 64


def _hash_value(h: "hashlib._Hash", value: object) -> None:
    """Feed one instruction parameter into ``h`` exactly (no digits hidden by printing)."""
    if isinstance(value, ParameterExpression):
        h.update(b"e" + str(value).encode() + b";")
    elif isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        h.update(f"a{arr.dtype.str}{arr.shape}".encode() + arr.tobytes() + b";")
    elif isinstance(value, (bool, int, float, complex, np.number)):
        z = complex(value)
        h.update(f"n{z.real.hex()},{z.imag.hex()};".encode())
    else:
        h.update(f"o{type(value).__qualname__}:{value!r};".encode())


def _hash_circuit(h: "hashlib._Hash", circuit: QuantumCircuit) -> None:
    """Feed ``circuit`` into ``h``: every gate by class, name, qubits and exact parameters; gates that are not
    standard gates (custom gates, controlled custom gates, ...) also by their recursive definition."""
    h.update(f"c{circuit.num_qubits}|".encode())
    _hash_value(h, circuit.global_phase)
    for inst in circuit.data:
        op = inst.operation
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        clbits = [circuit.find_bit(c).index for c in inst.clbits]
        h.update(f"g{type(op).__module__}.{type(op).__qualname__}:{op.name}{qubits}{clbits}(".encode())
        for p in op.params:
            _hash_value(h, p)
        h.update(b")")
        standard = getattr(op, "_standard_gate", None) is not None
        if not standard and not isinstance(op, UnitaryGate) and op.name not in _SKIP_NAMES:
            definition = getattr(op, "definition", None)
            if definition is not None:
                h.update(b"{")
                _hash_circuit(h, definition)
                h.update(b"}")


def _fingerprint(circuit: QuantumCircuit, inputs: Sequence[Parameter], weights: Sequence[Parameter]) -> str:
    """Cache key of a compilation: the circuit's exact content (see :func:`_hash_circuit`) and parameter roles."""
    h = hashlib.sha256()
    _hash_circuit(h, circuit)
    h.update(("|".join(p.name for p in inputs) + "#" + "|".join(p.name for p in weights)).encode())
    return h.hexdigest()


def compile(  # noqa: A001 - the public name shadows the builtin on purpose
    circuit: QuantumCircuit, input_params: Sequence[Parameter], weight_params: Sequence[Parameter]
) -> ExactCircuit:
    """Compile ``circuit`` for the exact engine (cached by the circuit's exact content).

    The cache key covers every gate's class, name, qubits and parameters exactly (matrices of
    ``UnitaryGate`` by their bytes, floats by their binary value) and, for gates that are not Qiskit standard
    gates, their definitions recursively: two custom gates that share a name but not a definition, or two
    matrices that print alike, compile separately.

    Args:
        circuit: a circuit of standard gates (see ``SUPPORTED_GATES``; others are expanded through their
            Qiskit definitions); angles may be any ``ParameterExpression`` of inputs and weights.
        input_params: per-sample parameters, in the column order of ``x``.
        weight_params: trainable parameters, in the order of ``w``.

    Returns:
        The compiled :class:`ExactCircuit`; an identical circuit compiled again returns the cached object.

    Raises:
        UnsupportedInstructionError: for measurements, resets, control flow (use the ``aer`` executor).
        UnboundParameterError: when a circuit parameter is neither an input nor a weight.
    """
    key = _fingerprint(circuit, input_params, weight_params)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    compiled = ExactCircuit(circuit, input_params, weight_params)
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def clear_cache() -> None:
    """Forget every compiled circuit."""
    _CACHE.clear()


def overlap(psi1: torch.Tensor, psi2: torch.Tensor) -> torch.Tensor:
    """Row-wise inner products ``<psi1_b|psi2_b>``, shape ``(B,)`` complex."""
    if psi1.shape != psi2.shape or psi1.dim() != 2:
        raise ShapeError(
            f"overlap needs two batches of states of equal shape (B, 2**n); got {tuple(psi1.shape)} and "
            f"{tuple(psi2.shape)}."
        )
    return _overlap(psi1, psi2)


def fidelity(psi1: torch.Tensor, psi2: torch.Tensor) -> torch.Tensor:
    """State fidelities ``F_b = |<psi1_b|psi2_b>|^2`` of two batches of pure states, shape ``(B,)`` real.

    Complex states go through the engine's overlap (hand-written adjoint); real-valued states (e.g. a
    classical stand-in's normalised vectors) through a plain dot product.

    Raises:
        ShapeError: the batches are not two ``(B, d)`` tensors of equal shape.
    """
    if not (psi1.is_complex() or psi2.is_complex()):
        if psi1.shape != psi2.shape or psi1.dim() != 2:
            raise ShapeError(f"fidelity needs two batches of states of equal shape (B, d); got {tuple(psi1.shape)} "
                             f"and {tuple(psi2.shape)}.")
        return (psi1 * psi2).sum(dim=1).square()
    ov = overlap(psi1, psi2)
    return ov.real.square() + ov.imag.square()


def fidelity_matrix(rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """All-pairs fidelities ``F[i, k] = |<rows_i|cols_k>|^2`` of ``(N, d)`` and ``(M, d)`` states, ``(N, M)`` real.

    ``|z|^2`` is taken as ``re^2 + im^2``, which is smooth at ``z = 0`` (unlike ``abs``).
    """
    overlaps = rows.conj() @ cols.transpose(0, 1)
    if overlaps.is_complex():
        return overlaps.real.square() + overlaps.imag.square()
    return overlaps.square()
