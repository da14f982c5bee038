"""Shared helpers for the execution tests."""

from __future__ import annotations

import numpy as np
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import compute_uncompute, default_specs, destructive_swap_test, swap_test
from qhep_contrast.circuits.spec import CircuitSpec

_UNMEASURED = {"swap_test": swap_test, "compute_uncompute": compute_uncompute,
               "destructive_swap_test": destructive_swap_test}


def bind(inputs, weights, x_row, w_vec) -> dict:
    """Parameter binding dictionary for one sample."""
    return dict(zip(list(inputs) + list(weights), [float(v) for v in x_row] + [float(v) for v in w_vec]))


def reference_states(circuit, inputs, weights, x: torch.Tensor, w: torch.Tensor) -> np.ndarray:
    """Qiskit ``Statevector`` of the bound circuit for every sample, ``(B, 2**n)``."""
    return np.stack([
        Statevector(circuit.assign_parameters(bind(inputs, weights, x[b], w), strict=False)).data
        for b in range(x.shape[0])
    ])


def engine_specs(fidelity_base: CircuitSpec | None = None) -> dict[str, CircuitSpec]:
    """``default_specs()`` with the fidelity builders rebuilt without measurements (the engine runs those).

    ``fidelity_base`` replaces W1 as the encoder under the fidelity circuits (None keeps W1: 17 qubits).
    """
    specs = default_specs()
    for name, builder in _UNMEASURED.items():
        specs[name] = builder(fidelity_base or specs["w1"], measure=False)
    return specs
