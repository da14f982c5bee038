"""Quantum neural-network layers over any executor (exact engine, Aer, IBM Runtime), and fidelity estimators.

Primitive execution (``qnn.primitive_runner``) and the batched parameter-shift gradients (``qnn.gradients``,
``qnn.param_shift``) import qiskit-machine-learning and are loaded on first use.
"""

from qhep_contrast.qnn.fidelity import (
    ComputeUncomputeFidelity,
    ExactFidelity,
    FidelityResult,
    SwapTestFidelity,
)
from qhep_contrast.qnn.layer import INITS, QuantumLayer
from qhep_contrast.qnn.runners import OUTPUTS, ExactRunner, make_runner

__all__ = [
    "QuantumLayer",
    "INITS",
    "OUTPUTS",
    "ExactRunner",
    "make_runner",
    "FidelityResult",
    "ExactFidelity",
    "SwapTestFidelity",
    "ComputeUncomputeFidelity",
]
