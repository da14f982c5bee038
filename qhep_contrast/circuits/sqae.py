"""The SQAE swap-test circuit: encoder, reference register and ancilla (Romero et al.; Ngairangbam et al.).

For an encoder on ``n`` data qubits with the last ``t`` of them as the trash register, :func:`sqae_swap_test`
adds a ``t``-qubit reference register prepared in the product state ``|r> = (x)_k RZ(rp_k) RY(rt_k)|0>`` and
one ancilla, and compares trash and reference with a swap test::

    data  0 .. n-t-1 (latent): ─U(x; w)─────────────────────
    data  n-t .. n-1 (trash):  ─U(x; w)──────X───────X──────   (one CSWAP per trash/reference pair)
    ref   n .. n+t-1:          ─RY(rt)─RZ(rp)─X───────X──────
    ancilla n+t:               ─H─────────────■─ ... ─■──H─── <Z>

``<Z_ancilla> = Tr(rho_trash |r><r|) = <r|rho_trash|r>``: the autoencoder's fidelity ``F`` (1 when the
encoder leaves the trash register exactly in ``|r>``). The exact engine reads the same number on the ``n``
data qubits alone (:func:`qhep_contrast.execution.trash_overlap.trash_fidelity`); this circuit is what runs
on Aer and IBM backends. The SQAE of the package: 9 data qubits, 4 latent, 5 trash: 15 qubits.

:func:`sqae_inverse_reference` measures the same ``F`` without reference register or ancilla: it undoes the
reference preparation on the trash qubits and reads the probability that they are all ``|0>``::

    data 0 .. n-t-1 (latent): ─U(x; w)────────────────────
    data n-t .. n-1 (trash):  ─U(x; w)─RZ(-rp)─RY(-rt)─ P(0...0)

``P(trash = 0...0) = |<0|RY(-rt) RZ(-rp)|.>|^2 = <r|rho_trash|r>``: ``n`` qubits and no controlled swaps (each
CSWAP costs at least 7 two-qubit gates on hardware), so far shallower and far cheaper to simulate with noise.
"""

from __future__ import annotations

import dataclasses

from qiskit.circuit import ClassicalRegister, ParameterVector, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.circuits._checks import check_bool, check_int
from qhep_contrast.circuits.patches import patch_reuploading_encoder
from qhep_contrast.circuits.spec import CircuitSpec, z_observables
from qhep_contrast.exceptions import CircuitError

__all__ = ["sqae_swap_test", "sqae_inverse_reference", "sqae_circuit", "trash_qubits", "zero_projector"]


def trash_qubits(num_qubits: int, num_latent: int) -> tuple[int, ...]:
    """The trash register of an ``num_qubits``-qubit encoder: qubits ``num_latent .. num_qubits - 1``.

    Raises:
        CircuitError: ``num_latent`` is not in ``[1, num_qubits - 1]``.
    """
    check_int("num_latent", num_latent, 1, num_qubits - 1)
    return tuple(range(num_latent, num_qubits))


def zero_projector(num_qubits: int, qubits: tuple[int, ...]) -> SparsePauliOp:
    """``|0...0><0...0|`` on ``qubits`` (identity elsewhere) as a sum of Z strings:
    ``prod_k (I + Z_k) / 2 = 2^-t sum_{S subset qubits} Z_S`` (``2^t`` terms, one qubit-wise commuting group)."""
    terms = [("Z" * bin(mask).count("1"), [q for k, q in enumerate(qubits) if mask >> k & 1], 0.5 ** len(qubits))
             for mask in range(2 ** len(qubits))]
    return SparsePauliOp.from_sparse_list(terms, num_qubits).simplify()


def _check_unitary(encoder: CircuitSpec, builder: str) -> None:
    """Raise :class:`CircuitError` when ``encoder`` measures."""
    if encoder.circuit.num_clbits:
        raise CircuitError(f"{builder}: the encoder {encoder.name!r} must be unitary (no classical bits); "
                           "build it without measurements.")


def sqae_swap_test(encoder: CircuitSpec, num_latent: int, *, measure: bool = False) -> CircuitSpec:
    """The swap-test autoencoder circuit around ``encoder`` (see the module docstring).

    Args:
        encoder: the data encoder ``U(x; w)`` on ``n`` qubits (unitary, no classical bits).
        num_latent: ``n - t``: qubits ``num_latent .. n-1`` are the trash register.
        measure: also measure the ancilla into a one-bit register ``"meas"`` (Sampler V2); the
            observable stays ``Z`` on the ancilla.

    Returns:
        A spec on ``n + t + 1`` qubits; inputs: the encoder's; weights: the encoder's, then ``rt`` (``t``
        reference RY angles) and ``rp`` (``t`` reference RZ angles); observable: ``Z`` on qubit ``n + t``.

    Raises:
        CircuitError: ``num_latent`` out of range, or ``encoder`` measures.
    """
    check_bool("measure", measure)
    n = encoder.num_qubits
    trash = trash_qubits(n, num_latent)
    _check_unitary(encoder, "sqae_swap_test")
    t = len(trash)
    ancilla = n + t
    rt, rp = ParameterVector("rt", t), ParameterVector("rp", t)
    circuit = QuantumCircuit(n + t + 1, name="sqae_swap_test")
    circuit.compose(encoder.circuit, qubits=list(range(n)), inplace=True)
    for k in range(t):
        circuit.ry(rt[k], n + k)
        circuit.rz(rp[k], n + k)
    circuit.h(ancilla)
    for k, qubit in enumerate(trash):
        circuit.cswap(ancilla, qubit, n + k)
    circuit.h(ancilla)
    if measure:
        circuit.add_register(ClassicalRegister(1, "meas"))
        circuit.measure(ancilla, 0)
    return CircuitSpec(
        circuit=circuit,
        inputs=encoder.inputs,
        weights=(*encoder.weights, *rt, *rp),
        observables=z_observables(n + t + 1, [ancilla]),
        name=f"sqae_swap_test_{n + t + 1}q",
        metadata={"builder": "sqae_swap_test", "encoder": encoder.metadata, "num_latent": num_latent,
                  "trash_qubits": list(trash), "reference_qubits": list(range(n, n + t)), "ancilla": ancilla,
                  "measure": measure},
    )


def sqae_inverse_reference(encoder: CircuitSpec, num_latent: int) -> CircuitSpec:
    """The encoder followed by the inverse of the reference preparation on the trash register (module docstring).

    Args:
        encoder: the data encoder ``U(x; w)`` on ``n`` qubits (unitary, no classical bits).
        num_latent: ``n - t``: qubits ``num_latent .. n-1`` are the trash register.

    Returns:
        A spec on ``n`` qubits with the inputs and weights of :func:`sqae_swap_test` (encoder weights, ``rt``,
        ``rp``; the same weight vector runs both) and one observable, :func:`zero_projector` on the trash
        qubits, whose expectation value is ``F = <r|rho_trash|r>``.

    Raises:
        CircuitError: ``num_latent`` out of range, or ``encoder`` measures.
    """
    n = encoder.num_qubits
    trash = trash_qubits(n, num_latent)
    _check_unitary(encoder, "sqae_inverse_reference")
    t = len(trash)
    rt, rp = ParameterVector("rt", t), ParameterVector("rp", t)
    circuit = QuantumCircuit(n, name="sqae_inverse_reference")
    circuit.compose(encoder.circuit, qubits=list(range(n)), inplace=True)
    for k, qubit in enumerate(trash):
        circuit.rz(-rp[k], qubit)
        circuit.ry(-rt[k], qubit)
    return CircuitSpec(
        circuit=circuit,
        inputs=encoder.inputs,
        weights=(*encoder.weights, *rt, *rp),
        observables=(zero_projector(n, trash),),
        name=f"sqae_inverse_reference_{n}q",
        metadata={"builder": "sqae_inverse_reference", "encoder": encoder.metadata, "num_latent": num_latent,
                  "trash_qubits": list(trash)},
    )


def sqae_circuit(num_latent: int = 4, num_layers: int = 2, *, measure: bool = False) -> CircuitSpec:
    """The package's SQAE: the 12 x 12, 4 x 4-patch encoder (9 qubits, ``num_layers`` DRCs) in the swap test.

    ``sqae_circuit()`` has 15 qubits, 144 inputs and ``576 + 2 * 5`` weights (encoder, then reference angles).
    """
    encoder = patch_reuploading_encoder(12, 4, 4, num_layers)
    spec = sqae_swap_test(encoder, num_latent, measure=measure)
    return dataclasses.replace(spec, name=f"sqae_{spec.num_qubits}q_{num_layers}drc",
                               metadata={**spec.metadata, "builder": "sqae_circuit", "num_layers": num_layers})
