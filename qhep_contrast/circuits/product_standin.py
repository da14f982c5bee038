"""The product-state stand-in of a circuit: what it computes with no entanglement and no trainable gates.

A control for hybrid models: if a model whose circuit is replaced by this stand-in scores as well as the
trained circuit, the circuit's entanglers and trainable gates did not contribute. For the main job's
``angle_encoder("ry") + hardware_efficient`` circuit the stand-in is ``RY(x_i)`` on each qubit, so
``<Z_i> = cos(x_i)``.

Rules, instruction by instruction:

* an instruction on two or more qubits (CX, CZ, controlled rotations, ...) is removed: no entanglement;
* a gate whose parameters depend on weights only is removed: trainable gates become the identity;
* a gate whose parameters mix inputs and weights keeps its data dependence with neutral weights: in the
  expanded expression, weights that multiply an input become 1 and input-free terms vanish, so
  ``RY(ew * x + eb)`` becomes ``RY(x)``;
* single-qubit gates with input parameters only, or with no parameters (H, S, ...), stay.

The result has the circuit's inputs (an input whose every gate was removed is simply unused), no weights,
and the circuit's observables; it is a product state, so ``<Z_i>`` depends only on qubit ``i``'s gates.
"""

from __future__ import annotations

import sympy
from qiskit.circuit import Parameter, ParameterExpression, QuantumCircuit

from qhep_contrast.circuits.spec import CircuitSpec

__all__ = ["product_standin"]


def _neutral_weights(expression: ParameterExpression, inputs: set[Parameter],
                     weights: set[Parameter]) -> dict[Parameter, float]:
    """Weight values that make ``expression`` its data part: 1 for weights beside an input, else 0."""
    by_name = {p.name: p for p in expression.parameters}
    beside_input: set[Parameter] = set()
    for term in sympy.Add.make_args(sympy.expand(expression.sympify())):
        names = {str(s) for s in term.free_symbols}
        used = {by_name[n] for n in names if n in by_name}
        if used & inputs:
            beside_input |= used & weights
    return {w: (1.0 if w in beside_input else 0.0) for w in expression.parameters & weights}


def product_standin(spec: CircuitSpec) -> CircuitSpec:
    """The stand-in circuit of ``spec`` (see the module docstring): inputs as in ``spec``, no weights.

    Args:
        spec: the circuit to mirror.

    Returns:
        A :class:`CircuitSpec` named ``"<spec.name>_product"`` with ``spec``'s inputs and observables.
    """
    inputs, weights = set(spec.inputs), set(spec.weights)
    out = QuantumCircuit(*spec.circuit.qregs, name=f"{spec.name}_product")
    for instruction in spec.circuit.data:
        operation = instruction.operation
        if len(instruction.qubits) != 1 or operation.name in ("barrier", "measure", "reset"):
            continue
        params = [p for p in operation.params if isinstance(p, ParameterExpression)]
        used: set[Parameter] = set().union(*(p.parameters for p in params)) if params else set()
        if used & weights and not used & inputs:
            continue
        if used & weights:
            operation = operation.copy()
            operation.params = [p.bind(_neutral_weights(p, inputs, weights)) if isinstance(p, ParameterExpression)
                                and p.parameters & weights else p for p in operation.params]
        out.append(operation, instruction.qubits)
    return CircuitSpec(circuit=out, inputs=spec.inputs, weights=(), observables=spec.observables,
                       name=out.name, metadata={"builder": "product_standin", "of": spec.metadata})
