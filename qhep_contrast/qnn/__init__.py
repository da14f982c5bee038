"""Quantum neural-network layers over any executor (exact engine, Aer, IBM Runtime)."""

from qhep_contrast.qnn.layer import INITS, QuantumLayer
from qhep_contrast.qnn.runners import OUTPUTS, ExactRunner, make_runner

__all__ = ["QuantumLayer", "INITS", "OUTPUTS", "ExactRunner", "make_runner"]
