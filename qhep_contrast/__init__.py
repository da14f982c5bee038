"""qhep-contrast: quantum representations of HEP data with contrastive and self-supervised learning.

One Qiskit circuit definition, three ways to run it: ``exact`` (a compiled, batched, differentiable
torch statevector engine), ``aer`` (qiskit-aer primitives, shots and noise) and ``ibm``
(qiskit-ibm-runtime primitives on hardware or fake backends).
"""

from __future__ import annotations

from qhep_contrast.exceptions import QHEPError

__all__ = ["QHEPError", "__version__"]

__version__ = "0.1.0"
