"""Every builder refuses bad arguments with a CircuitError that names the argument and the value."""

from __future__ import annotations

import pytest

from qhep_contrast.circuits import (
    amplitude_encoder,
    angle_encoder,
    hardware_efficient,
    qcnn,
    quantum_autoencoder,
    qvit_query_key,
    qvit_value,
    reuploading_encoder,
    token_loader,
)
from qhep_contrast.exceptions import CircuitError

CASES = [
    (angle_encoder, {"num_qubits": 0}, "num_qubits must be an integer in \\[1, inf\\); got 0"),
    (angle_encoder, {"num_qubits": 2.0}, "num_qubits .* got 2.0 of type float"),
    (angle_encoder, {"num_qubits": True}, "num_qubits .* got True of type bool"),
    (angle_encoder, {"rotation": "ryy"}, "rotation must be one of \\['rx', 'ry', 'rz'\\]; got 'ryy'"),
    (token_loader, {"num_qubits": -1}, "num_qubits"),
    (reuploading_encoder, {"num_layers": 0}, "num_layers .* got 0"),
    (reuploading_encoder, {"features_per_layer": 0}, "features_per_layer .* got 0"),
    (reuploading_encoder, {"reupload": "tile"}, "reupload must be one of \\['patches', 'repeat'\\]"),
    (reuploading_encoder, {"input_weights": 1}, "input_weights must be True or False"),
    (reuploading_encoder, {"data_rotations": "ry"}, "data_rotations must be a sequence"),
    (reuploading_encoder, {"data_rotations": ()}, "data_rotations must name at least one"),
    (reuploading_encoder, {"trainable_rotations": ("ry", "u")}, "each entry of trainable_rotations .* got 'u'"),
    (reuploading_encoder, {"entanglement": "star"}, "entanglement must be one of"),
    (reuploading_encoder, {"entangler": "swap"}, "entangler must be one of \\['cx', 'cz'\\]"),
    (amplitude_encoder, {"num_qubits": 17}, "num_qubits must be an integer in \\[1, 16\\]; got 17"),
    (hardware_efficient, {"num_layers": 0}, "num_layers"),
    (hardware_efficient, {"rotations": ("ry", "rzz")}, "each entry of rotations .* got 'rzz'"),
    (hardware_efficient, {"entanglement": "circular"}, "entanglement must be one of \\['full', 'linear', 'ring'\\]"),
    (hardware_efficient, {"entangler": "ecr"}, "entangler"),
    (hardware_efficient, {"final_rotations": None}, "final_rotations must be True or False"),
    (qcnn, {"num_qubits": 1}, "num_qubits must be an integer in \\[2, inf\\); got 1"),
    (qcnn, {"num_qubits": 4, "num_remaining": 4}, "num_remaining must be an integer in \\[1, 3\\]; got 4"),
    (qcnn, {"conv": "su2"}, "conv must be one of \\['ry_cx', 'su4'\\]"),
    (qcnn, {"share_weights": "no"}, "share_weights must be True or False"),
    (qvit_query_key, {"d": 0}, "d must be an integer in \\[1, inf\\); got 0"),
    (qvit_value, {"d": "4"}, "d must be an integer .* got '4' of type str"),
    (quantum_autoencoder, {"num_latent": 0}, "num_latent"),
    (quantum_autoencoder, {"num_trash": 0}, "num_trash"),
    (quantum_autoencoder, {"num_layers": 0}, "num_layers"),
    (quantum_autoencoder, {"entanglement": "ladder"}, "entanglement"),
]


@pytest.mark.parametrize(("builder", "kwargs", "message"), CASES, ids=[f"{b.__name__}-{k}" for b, k, _ in CASES])
def test_bad_argument(builder, kwargs: dict, message: str) -> None:
    with pytest.raises(CircuitError, match=message):
        builder(**kwargs)


def test_circuit_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        angle_encoder(0)
