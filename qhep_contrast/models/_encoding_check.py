"""Detect circuits whose trainable gates all follow the data encoding (private).

For ``|psi(x)> = U(w) V(x)|0>`` every fidelity ``|<psi(x1)|psi(x2)>|^2 = |<V(x1)0|V(x2)0>|^2`` is
independent of ``w``: a fidelity loss gives those weights exactly zero gradient, so fidelity losses need
trainable gates inside the encoding.
"""

from __future__ import annotations

from qiskit.circuit import ParameterExpression

from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["weights_only_after_encoding"]


def weights_only_after_encoding(spec: CircuitSpec) -> bool:
    """True if the circuit has weights and every weight-dependent instruction comes after every
    input-dependent one in instruction order, i.e. the circuit is ``U(w) V(x)``.

    A gate whose angle mixes inputs and weights (``w * x``) counts as both, so re-uploading circuits,
    trainable encodings and trainable gates before the encoding all return False. The check is
    structural: gates that commute past the encoding are not detected, so False does not prove that
    every weight affects fidelities.
    """
    inputs, weights = set(spec.inputs), set(spec.weights)
    last_input, first_weight = -1, None
    for position, instruction in enumerate(spec.circuit.data):
        used: set = set()
        for param in instruction.operation.params:
            if isinstance(param, ParameterExpression):
                used |= set(param.parameters)
        if used & inputs:
            last_input = position
        if used & weights and first_weight is None:
            first_weight = position
    return first_weight is not None and first_weight > last_input
