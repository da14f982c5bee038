"""Every circuit builder by name, and the canonical circuits built at their default sizes.

:data:`BUILDERS` maps a builder's name (as recorded in ``CircuitSpec.metadata["builder"]``) to the function.
:func:`default_specs` builds the canonical set that the exporters store and the tests sweep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from qhep_contrast.circuits.ansatze import hardware_efficient, qcnn, quantum_autoencoder, qvit_query_key, qvit_value
from qhep_contrast.circuits.classifiers import qssl_classifier
from qhep_contrast.circuits.compose import compose
from qhep_contrast.circuits.encoders import amplitude_encoder, angle_encoder, reuploading_encoder, token_loader
from qhep_contrast.circuits.fidelity import compute_uncompute, destructive_swap_test, swap_test
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.circuits.sqae import sqae_circuit

__all__ = ["BUILDERS", "default_specs", "w1_spec", "w2_spec"]

BUILDERS: dict[str, Callable[..., CircuitSpec]] = {
    "angle_encoder": angle_encoder,
    "token_loader": token_loader,
    "reuploading_encoder": reuploading_encoder,
    "amplitude_encoder": amplitude_encoder,
    "hardware_efficient": hardware_efficient,
    "qcnn": qcnn,
    "qvit_query_key": qvit_query_key,
    "qvit_value": qvit_value,
    "quantum_autoencoder": quantum_autoencoder,
    "qssl_classifier": qssl_classifier,
    "compose": compose,
    "swap_test": swap_test,
    "compute_uncompute": compute_uncompute,
    "destructive_swap_test": destructive_swap_test,
    "sqae_circuit": sqae_circuit,
}
"""Builder name -> builder. ``compose`` and the fidelity builders take ``CircuitSpec`` arguments."""

_FIDELITY_BUILDERS = ("swap_test", "compute_uncompute", "destructive_swap_test")


def w1_spec(num_qubits: int = 8, num_layers: int = 3) -> CircuitSpec:
    """Benchmark W1: ``angle_encoder(n, "ry")`` then ``hardware_efficient(n, L)`` (8 inputs, 48 weights)."""
    return compose(angle_encoder(num_qubits, "ry"), hardware_efficient(num_qubits, num_layers), name="w1")


def w2_spec(num_qubits: int = 8, num_layers: int = 3) -> CircuitSpec:
    """Benchmark W2: ``L`` re-uploading layers of ``RY(x_i)``, ``RY(w)``, ``RZ(w)``, CX ring (48 weights)."""
    spec = reuploading_encoder(
        num_qubits, num_layers, input_weights=False, trainable_rotations=("ry", "rz"), entangler="cx"
    )
    return dataclasses.replace(spec, name="w2")


def default_specs() -> dict[str, CircuitSpec]:
    """Every builder at its default (canonical) size, keyed by builder name, plus ``"w1"`` and ``"w2"``.

    Builders that take specs use W1: ``"compose"`` is W1 itself, and ``"swap_test"``, ``"compute_uncompute"``
    and ``"destructive_swap_test"`` are built over W1 with their default ``measure=True``. Note that a fidelity
    over W1 does not depend on the ansatz weights (they cancel in the overlap); it is the hardware-cost
    reference. Train fidelity losses with a re-uploading encoder such as ``"w2"``.

    Returns:
        Name -> spec; the keys are ``BUILDERS``' keys followed by ``"w1"`` and ``"w2"``.
    """
    w1 = w1_spec()
    specs = {}
    for name, builder in BUILDERS.items():
        if name == "compose":
            specs[name] = w1
        elif name in _FIDELITY_BUILDERS:
            specs[name] = builder(w1)
        else:
            specs[name] = builder()
    return {**specs, "w1": w1, "w2": w2_spec()}
