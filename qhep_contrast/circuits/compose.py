"""Join an encoder and an ansatz acting on the same qubits into one :class:`CircuitSpec`."""

from __future__ import annotations

from qiskit.circuit import Parameter

from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import CircuitError

__all__ = ["compose"]


def compose(encoder: CircuitSpec, ansatz: CircuitSpec, name: str | None = None) -> CircuitSpec:
    """The circuit ``ansatz . encoder``: the encoder's gates, then the ansatz's, on the same qubits.

    ::

        q_i: ─[ encoder U(x; ew, eb) ]─[ ansatz V(w) ]─

    Inputs are the encoder's inputs followed by the ansatz's inputs (if any); weights are the encoder's
    weights followed by the ansatz's. A parameter object used by both (a deliberately shared weight, or
    the same input re-uploaded in the ansatz) is listed once, at its first position. Observables are the
    ansatz's, or the encoder's when the ansatz has none. ``compose(angle_encoder(8), hardware_efficient())``
    is benchmark W1 (8 inputs, 48 weights).

    Args:
        encoder: the first block.
        ansatz: the second block; must have as many qubits as ``encoder``.
        name: name of the result; default ``"<encoder.name>+<ansatz.name>"``.

    Returns:
        The joined spec; its metadata records both parts.

    Raises:
        CircuitError: the qubit counts differ; two different parameters share a name (rename one, e.g.
            the encoder's weights ``"ew"`` and the ansatz's ``"w"``); or one parameter is an input in one
            part and a weight in the other.
    """
    if encoder.num_qubits != ansatz.num_qubits:
        raise CircuitError(
            f"compose: encoder {encoder.name!r} has {encoder.num_qubits} qubits but ansatz {ansatz.name!r} has "
            f"{ansatz.num_qubits}; build both with the same num_qubits."
        )
    _check_parameters(encoder, ansatz)
    circuit = encoder.circuit.compose(ansatz.circuit)
    circuit.name = name or f"{encoder.name}+{ansatz.name}"
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(dict.fromkeys((*encoder.inputs, *ansatz.inputs))),
        weights=tuple(dict.fromkeys((*encoder.weights, *ansatz.weights))),
        observables=ansatz.observables or encoder.observables,
        name=circuit.name,
        metadata={"builder": "compose", "encoder": encoder.metadata, "ansatz": ansatz.metadata},
    )


def _roles(spec: CircuitSpec) -> dict[Parameter, str]:
    """Map each declared parameter of ``spec`` to ``"input"`` or ``"weight"``."""
    return {**dict.fromkeys(spec.inputs, "input"), **dict.fromkeys(spec.weights, "weight")}


def _check_parameters(first: CircuitSpec, second: CircuitSpec) -> None:
    """Refuse same-name different parameters and parameters whose role differs between the two specs."""
    first_roles, second_roles = _roles(first), _roles(second)
    by_name = {parameter.name: parameter for parameter in first_roles}
    for parameter, role in second_roles.items():
        other = by_name.get(parameter.name)
        if other is None:
            continue
        if other != parameter:
            raise CircuitError(
                f"compose: {first.name!r} and {second.name!r} both have a parameter named {parameter.name!r} "
                "but they are different parameters; give one of them another ParameterVector name "
                "(encoders use 'x', 'ew', 'eb', 'et'; ansätze use 'w')."
            )
        if first_roles[other] != role:
            raise CircuitError(
                f"compose: parameter {parameter.name!r} is an {first_roles[other]} of {first.name!r} but a "
                f"{role} of {second.name!r}; a parameter must have one role."
            )
