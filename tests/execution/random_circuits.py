"""Seeded random parametrised circuits over every gate the exact engine supports natively."""

from __future__ import annotations

import numpy as np
from qiskit.circuit import ParameterVector, QuantumCircuit

__all__ = ["GATES", "random_circuit"]

#: name -> (number of qubits, number of angles)
GATES: dict[str, tuple[int, int]] = {
    "id": (1, 0), "x": (1, 0), "y": (1, 0), "z": (1, 0), "h": (1, 0), "s": (1, 0), "sdg": (1, 0),
    "t": (1, 0), "tdg": (1, 0), "sx": (1, 0), "rx": (1, 1), "ry": (1, 1), "rz": (1, 1), "p": (1, 1),
    "u": (1, 3), "cx": (2, 0), "cy": (2, 0), "cz": (2, 0), "ch": (2, 0), "swap": (2, 0), "cp": (2, 1),
    "crx": (2, 1), "cry": (2, 1), "crz": (2, 1), "rxx": (2, 1), "ryy": (2, 1), "rzz": (2, 1),
    "rzx": (2, 1), "ccx": (3, 0), "cswap": (3, 0), "barrier": (1, 0),
}


def _angle(rng: np.random.Generator, x: ParameterVector, w: ParameterVector):
    """A random angle: constant, input, weight, or sums/products of them (w*x + b style)."""
    xi = x[int(rng.integers(len(x)))] if len(x) else None
    wj = w[int(rng.integers(len(w)))]
    wk = w[int(rng.integers(len(w)))]
    choice = int(rng.integers(8)) if xi is not None else int(rng.choice([0, 2, 6]))
    return [
        float(rng.uniform(-np.pi, np.pi)),
        xi,
        wj,
        wj * xi + wk if xi is not None else wj,
        2.0 * xi - wj if xi is not None else wj,
        xi * x[int(rng.integers(len(x)))] if xi is not None else wj,
        wj * wk + 0.3,
        xi + 0.5 if xi is not None else wj,
    ][choice]


def random_circuit(seed: int, num_qubits: int | None = None, num_gates: int | None = None,
                   gates: frozenset[str] | None = None):
    """Return ``(circuit, inputs, weights)`` drawn from ``seed``.

    Every gate of :data:`GATES` that fits the width can appear; angles mix constants, inputs, weights,
    sums and products; the global phase is sometimes parametrised. ``gates`` restricts the gate set.
    """
    rng = np.random.default_rng(seed)
    n = int(num_qubits or rng.integers(1, 11))
    x = ParameterVector("x", int(rng.integers(0, 5)) if n > 1 else 2)
    w = ParameterVector("w", int(rng.integers(1, 6)))
    qc = QuantumCircuit(n)
    names = [g for g, (k, _) in GATES.items() if k <= n and (gates is None or g in gates)]
    for _ in range(int(num_gates or rng.integers(4, 40))):
        name = names[int(rng.integers(len(names)))]
        k, a = GATES[name]
        qubits = [int(q) for q in rng.choice(n, size=k, replace=False)]
        angles = [_angle(rng, x, w) for _ in range(a)]
        if name == "barrier":
            qc.barrier()
        else:
            getattr(qc, name)(*angles, *qubits)
    if rng.random() < 0.3:
        qc.global_phase = _angle(rng, x, w)
    used = set(qc.parameters)
    inputs = [p for p in x if p in used] + ([x[0]] if len(x) and x[0] not in used else [])
    weights = [p for p in w if p in used]
    return qc, inputs, weights
