"""Data encoders: circuits that load a classical feature vector ``x`` into a quantum state.

Each builder returns a :class:`~qhep_contrast.circuits.spec.CircuitSpec` whose inputs are the
``ParameterVector`` ``"x"``; trainable encoder parameters are named ``"ew"`` (input weights), ``"eb"``
(biases) and ``"et"`` (trainable rotations), so they never collide with an ansatz's ``"w"``.
Qubit 0 is the least significant bit of a basis index (Qiskit's convention).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits._checks import check_bool, check_choice, check_choices, check_int
from qhep_contrast.circuits._layers import (
    ENTANGLEMENTS,
    ENTANGLERS,
    ROTATIONS,
    apply_entangler,
    apply_rotation,
    entangling_pairs,
)
from qhep_contrast.circuits._multiplexor import append_uniformly_controlled_ry
from qhep_contrast.circuits.spec import CircuitSpec, z_observables

__all__ = ["angle_encoder", "token_loader", "reuploading_encoder", "amplitude_encoder", "REUPLOAD_MODES"]

REUPLOAD_MODES = ("repeat", "patches")
MAX_AMPLITUDE_QUBITS = 16


def angle_encoder(num_qubits: int = 8, rotation: str = "ry") -> CircuitSpec:
    """Angle encoding: one feature per qubit, ``R(x_i)`` on qubit ``i``.

    ::

        q0: ─R(x0)─
        q1: ─R(x1)─
        ...
        q(n-1): ─R(x(n-1))─

    The state is the product ``(x)_i R(x_i)|0>``; for ``RY`` the amplitudes are products of
    ``cos(x_i/2)`` and ``sin(x_i/2)``.

    Parameters: ``n`` inputs, 0 weights. Observables: ``Z_i`` on every qubit.

    Args:
        num_qubits: number of qubits ``n`` (= number of features), at least 1.
        rotation: ``"rx"``, ``"ry"`` or ``"rz"`` (``"rz"`` alone only adds phases to ``|0>``; useful after
            a Hadamard layer of your own).

    Returns:
        The encoder; benchmark W1's encoding is ``angle_encoder(8, "ry")``.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_qubits", num_qubits, 1)
    check_choice("rotation", rotation, ROTATIONS)
    spec = _one_rotation_per_qubit("angle_encoder", num_qubits, rotation, hadamard=False)
    return dataclasses.replace(
        spec, name=f"angle_{rotation}_{num_qubits}q", metadata={**spec.metadata, "rotation": rotation}
    )


def token_loader(num_qubits: int = 4) -> CircuitSpec:
    """Hadamard + RX token loader of quantum vision transformers: ``RX(x_i) H`` on qubit ``i``.

    ::

        q0: ─H─RX(x0)─
        q1: ─H─RX(x1)─
        ...

    ``H|0> = |+>`` is an eigenstate of X, so ``RX`` alone would only add a phase; the Hadamard turns it into
    the product state ``(x)_i RX(x_i)|+>`` (Li et al. 2023, QSANN/QViT token encoding; used in the QViT of
    Comajoan Cara et al., Axioms 13, 323 (2024)).

    Parameters: ``n`` inputs, 0 weights. Observables: ``Z_i`` on every qubit.

    Args:
        num_qubits: token dimension ``d`` = number of qubits, at least 1 (default 4, as in Comajoan Cara
            et al.).

    Raises:
        CircuitError: ``num_qubits`` is out of range.
    """
    check_int("num_qubits", num_qubits, 1)
    return _one_rotation_per_qubit("token_loader", num_qubits, "rx", hadamard=True)


def _one_rotation_per_qubit(builder: str, num_qubits: int, rotation: str, hadamard: bool) -> CircuitSpec:
    """``R(x_i)`` on qubit ``i``, preceded by ``H`` when ``hadamard``; named ``<builder>_<n>q``."""
    x = ParameterVector("x", num_qubits)
    circuit = QuantumCircuit(num_qubits, name=builder)
    for qubit in range(num_qubits):
        if hadamard:
            circuit.h(qubit)
        apply_rotation(circuit, rotation, x[qubit], qubit)
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(x),
        weights=(),
        observables=z_observables(num_qubits),
        name=f"{builder}_{num_qubits}q",
        metadata={"builder": builder, "num_qubits": num_qubits},
    )


def reuploading_encoder(
    num_qubits: int = 8,
    num_layers: int = 3,
    features_per_layer: int | None = None,
    *,
    reupload: str = "repeat",
    input_weights: bool = True,
    data_rotations: Sequence[str] = ("ry", "rz"),
    trainable_rotations: Sequence[str] = (),
    entanglement: str = "ring",
    entangler: str = "cz",
) -> CircuitSpec:
    """Data re-uploading encoder with trainable input weights and biases.

    Each of the ``L`` layers loads ``f`` features, applies optional trainable rotations, then an
    entangling layer::

        layer l:  q_i: ─R_s(ew[k]*x[m] + eb[k]) ─ ... ─RY(et)─RZ(et)─ ... ─■─
                                                                         entangler (ring of CZ by default)

    Feature slot ``j = 0 .. f-1`` of a layer goes to qubit ``j % n`` as that qubit's ``s = j // n``-th data
    rotation, about the axis ``data_rotations[s % len(data_rotations)]`` (default: RY, then RZ, RY, ...).
    With ``f = n`` (the default) this is one RY per qubit per layer; ``f = 2n`` loads two features per
    qubit (RY then RZ), and so on. The angle is ``ew[k] * x[m] + eb[k]`` with ``k = l*f + j`` (every layer
    has its own weights and biases), or plain ``x[m]`` when ``input_weights=False``. The input index ``m``
    depends on ``reupload``:

    - ``"repeat"``: the same ``f`` features in every layer, ``m = j`` (Perez-Salinas et al. 2020).
    - ``"patches"``: successive chunks, ``m = l*f + j``; feed an image as ``L`` patches of ``f`` pixels
      (the patch-wise HEP variant of T. Magorsch).

    After the data rotations each qubit gets the trainable rotations ``trainable_rotations`` (angles
    ``et[(l*R + r)*n + i]``), then the entangler acts on the pairs of ``entanglement`` (see
    :func:`~qhep_contrast.circuits.ansatze.hardware_efficient`). Because trainable gates sit between
    encodings, fidelity-based losses give them non-zero gradients (a single encoding followed by an
    ansatz would cancel in ``<psi(x1)|psi(x2)>``).

    Parameter counts (``n`` qubits, ``L`` layers, ``f`` features per layer, ``R`` trainable rotations):
    inputs ``f`` (repeat) or ``L*f`` (patches); weights ``2*L*f`` (``ew`` then ``eb``, when
    ``input_weights``) plus ``L*R*n`` (``et``). Weight order: all ``ew``, all ``eb``, all ``et``.
    Benchmark W2 is ``reuploading_encoder(8, 3, input_weights=False, trainable_rotations=("ry", "rz"),
    entangler="cx")`` (8 inputs, 48 weights).

    Reference: A. Perez-Salinas, A. Cervera-Lierta, E. Gil-Fuster, J. I. Latorre, "Data re-uploading for a
    universal quantum classifier", Quantum 4, 226 (2020).

    Args:
        num_qubits: number of qubits ``n``, at least 1.
        num_layers: number of layers ``L``, at least 1.
        features_per_layer: ``f``, at least 1; ``None`` means ``n``.
        reupload: ``"repeat"`` or ``"patches"`` (see above).
        input_weights: use ``ew*x + eb`` (True) or ``x`` (False) as the data angle.
        data_rotations: axes cycled through by the data rotations, names from ``rx``, ``ry``, ``rz``.
        trainable_rotations: trainable rotation axes applied to every qubit after the data (may be empty).
        entanglement: ``"ring"``, ``"linear"`` or ``"full"``.
        entangler: ``"cz"`` or ``"cx"``.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("num_qubits", num_qubits, 1)
    check_int("num_layers", num_layers, 1)
    features = num_qubits if features_per_layer is None else check_int("features_per_layer", features_per_layer, 1)
    check_choice("reupload", reupload, REUPLOAD_MODES)
    axes = check_choices("data_rotations", data_rotations, ROTATIONS)
    trainable = check_choices("trainable_rotations", trainable_rotations, ROTATIONS, empty_ok=True)
    check_choice("entanglement", entanglement, ENTANGLEMENTS)
    check_choice("entangler", entangler, ENTANGLERS)
    check_bool("input_weights", input_weights)

    x = ParameterVector("x", features * (num_layers if reupload == "patches" else 1))
    ew = ParameterVector("ew", num_layers * features if input_weights else 0)
    eb = ParameterVector("eb", num_layers * features if input_weights else 0)
    et = ParameterVector("et", num_layers * len(trainable) * num_qubits)
    pairs = entangling_pairs(num_qubits, entanglement)
    circuit = QuantumCircuit(num_qubits, name="reuploading_encoder")
    for layer in range(num_layers):
        for slot in range(features):
            k = layer * features + slot
            value = x[k if reupload == "patches" else slot]
            angle = ew[k] * value + eb[k] if input_weights else value
            apply_rotation(circuit, axes[(slot // num_qubits) % len(axes)], angle, slot % num_qubits)
        for r, rotation in enumerate(trainable):
            for qubit in range(num_qubits):
                apply_rotation(circuit, rotation, et[(layer * len(trainable) + r) * num_qubits + qubit], qubit)
        apply_entangler(circuit, entangler, pairs)
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(x),
        weights=(*ew, *eb, *et),
        observables=z_observables(num_qubits),
        name=f"reuploading_{num_qubits}q_{num_layers}l_{reupload}",
        metadata={
            "builder": "reuploading_encoder",
            "num_qubits": num_qubits,
            "num_layers": num_layers,
            "features_per_layer": features,
            "reupload": reupload,
            "input_weights": input_weights,
            "data_rotations": list(axes),
            "trainable_rotations": list(trainable),
            "entanglement": entanglement,
            "entangler": entangler,
        },
    )


def amplitude_encoder(num_qubits: int = 8) -> CircuitSpec:
    """Real amplitude encoding ``|psi> = sum_i v_i |i>`` by a Mottonen RY tree with ``2**n - 1`` input angles.

    Level ``k = 0 .. n-1`` rotates qubit ``t = n-1-k`` by a uniformly controlled RY whose controls are the
    ``k`` more significant qubits ``t+1 .. n-1`` (Mottonen et al. 2004). It is decomposed into ``2**k`` RY
    and ``2**k`` CX gates (Gray-code construction); the inputs are exactly the angles of those RY gates, in
    gate order: level ``k`` uses ``x[2**k - 1 .. 2**(k+1) - 2]``. Every gate angle is a single parameter,
    so binding is cheap on every executor. For ``n = 2``::

        q1: ─RY(x0)─────────■─────────■─
        q0: ───────RY(x1)───X──RY(x2)─X─

    Convert real vectors (any sign) into these inputs with
    :func:`~qhep_contrast.circuits.amplitude.amplitude_angles`; binding them reproduces the normalised
    vector exactly, negative entries included.

    Parameters: ``2**n - 1`` inputs, 0 weights. Gates: ``2**n - 1`` RY and ``2**n - 2`` CX.
    Observables: ``Z_i`` on every qubit.

    The circuit is deep (exponential in ``n``): use it with the ``exact`` and ``aer`` executors, not on
    hardware.

    Reference: M. Mottonen, J. J. Vartiainen, V. Bergholm, M. M. Salomaa, "Transformation of quantum states
    using uniformly controlled rotations", Quantum Inf. Comput. 5, 467 (2005).

    Args:
        num_qubits: ``n`` in ``[1, 16]``; encodes vectors of length ``2**n`` (default 8: a 16x16 image).

    Raises:
        CircuitError: ``num_qubits`` is out of range.
    """
    check_int("num_qubits", num_qubits, 1, MAX_AMPLITUDE_QUBITS)
    x = ParameterVector("x", 2**num_qubits - 1)
    circuit = QuantumCircuit(num_qubits, name="amplitude_encoder")
    for level in range(num_qubits):
        target = num_qubits - 1 - level
        rotations = x[2**level - 1 : 2 ** (level + 1) - 1]
        append_uniformly_controlled_ry(circuit, rotations, list(range(target + 1, num_qubits)), target)
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(x),
        weights=(),
        observables=z_observables(num_qubits),
        name=f"amplitude_{num_qubits}q",
        metadata={"builder": "amplitude_encoder", "num_qubits": num_qubits, "executors": ["exact", "aer"]},
    )
