"""Circuit builders: encoders, ansätze and fidelity circuits returning :class:`CircuitSpec`."""

from qhep_contrast.circuits.spec import CircuitSpec, z_observables

__all__ = ["CircuitSpec", "z_observables"]
