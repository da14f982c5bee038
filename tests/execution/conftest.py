"""Shared helpers for the execution tests."""

from __future__ import annotations

import numpy as np
import torch
from qiskit.quantum_info import Statevector


def bind(inputs, weights, x_row, w_vec) -> dict:
    """Parameter binding dictionary for one sample."""
    return dict(zip(list(inputs) + list(weights), [float(v) for v in x_row] + [float(v) for v in w_vec]))


def reference_states(circuit, inputs, weights, x: torch.Tensor, w: torch.Tensor) -> np.ndarray:
    """Qiskit ``Statevector`` of the bound circuit for every sample, ``(B, 2**n)``."""
    return np.stack([
        Statevector(circuit.assign_parameters(bind(inputs, weights, x[b], w), strict=False)).data
        for b in range(x.shape[0])
    ])
