"""Encoders and ansätze selectable in a run config: ``[circuit.encoder]`` / ``[circuit.ansatz]`` by name.

Each entry's options are the builder's keyword arguments with their ranges, so a config is checked before
any circuit is built (and a layer count is bounded: a circuit that no executor could run is refused up
front). Factory convention: ``factory(options, num_qubits) -> CircuitSpec`` (``None`` for ansatz ``"none"``).
Builders defined elsewhere in :mod:`qhep_contrast.circuits` may register themselves here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.circuits._layers import ENTANGLEMENTS, ENTANGLERS, ROTATIONS
from qhep_contrast.circuits._qcnn_blocks import CONV_BLOCKS
from qhep_contrast.circuits.ansatze import hardware_efficient, qcnn
from qhep_contrast.circuits.encoders import angle_encoder, reuploading_encoder, token_loader
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.options import option
from qhep_contrast.registry import NoOptions, Registry

__all__ = ["ENCODERS", "ANSATZE", "MAX_LAYERS", "AngleEncoderOptions", "ReuploadingOptions", "HardwareEfficientOptions",
           "QCNNOptions"]

ENCODERS = Registry("circuit encoder", tag="name", section="circuit.encoder", package="qhep_contrast.circuits")
"""Encoders of ``[circuit.encoder]`` (``qhep list encoders``)."""

ANSATZE = Registry("circuit ansatz", tag="name", section="circuit.ansatz", package="qhep_contrast.circuits")
"""Ansätze of ``[circuit.ansatz]`` (``qhep list ansatze``)."""

MAX_LAYERS = 64
"""Most layers a configured encoder or ansatz may have."""


@dataclass(frozen=True)
class AngleEncoderOptions:
    """``[circuit.encoder] name = "angle_encoder"``."""

    rotation: str = option("ry", choices=ROTATIONS, help="R(x_i) on qubit i")


@dataclass(frozen=True)
class ReuploadingOptions:
    """``[circuit.encoder] name = "reuploading_encoder"``."""

    num_layers: int = option(3, low=1, high=MAX_LAYERS, help="encoding layers L")
    features_per_layer: int = option(0, low=0, high=4096, help="features loaded per layer (0: one per qubit)")
    reupload: str = option("repeat", choices=("repeat", "patches"), help="same features every layer, or chunks")
    input_weights: bool = option(True, help="angles ew*x + eb with trainable ew, eb (false: plain x)")
    data_rotations: list[str] = option(["ry", "rz"], choices=ROTATIONS, help="axes of the data rotations")
    trainable_rotations: list[str] = option([], choices=ROTATIONS, help="trainable rotations after each layer")
    entanglement: str = option("ring", choices=ENTANGLEMENTS)
    entangler: str = option("cz", choices=ENTANGLERS)


@dataclass(frozen=True)
class HardwareEfficientOptions:
    """``[circuit.ansatz] name = "hardware_efficient"``."""

    num_layers: int = option(3, low=1, high=MAX_LAYERS, help="layers of rotations + entangler")
    rotations: list[str] = option(["ry", "rz"], choices=ROTATIONS, help="trainable rotations of each layer")
    entanglement: str = option("ring", choices=ENTANGLEMENTS)
    entangler: str = option("cx", choices=ENTANGLERS)
    final_rotations: bool = option(False, help="one more rotation layer after the last entangler")
    mirrored: bool = option(False, help="append the inverse layers with their own weights (identity blocks with "
                                        "model.init = \"identity_blocks\")")


@dataclass(frozen=True)
class QCNNOptions:
    """``[circuit.ansatz] name = "qcnn"``."""

    num_remaining: int = option(1, low=1, high=64, help="qubits left (and read out) after pooling")
    conv: str = option("su4", choices=tuple(CONV_BLOCKS), help="convolution block")
    share_weights: bool = option(True, help="one set of weights per layer")


@ENCODERS.register("angle_encoder", options=AngleEncoderOptions, help="one feature per qubit, R(x_i) on qubit i")
def _angle(options: AngleEncoderOptions, num_qubits: int) -> CircuitSpec:
    return angle_encoder(num_qubits, options.rotation)


@ENCODERS.register("reuploading_encoder", options=ReuploadingOptions,
                   help="data re-uploading layers with trainable input weights (trainable gates inside the encoding)")
def _reuploading(options: ReuploadingOptions, num_qubits: int) -> CircuitSpec:
    o = options
    return reuploading_encoder(num_qubits, o.num_layers, o.features_per_layer or None, reupload=o.reupload,
                               input_weights=o.input_weights, data_rotations=tuple(o.data_rotations),
                               trainable_rotations=tuple(o.trainable_rotations), entanglement=o.entanglement,
                               entangler=o.entangler)


@ENCODERS.register("token_loader", help="H then RX(x_i) on qubit i (vision-transformer token loader)")
def _token_loader(options: NoOptions, num_qubits: int) -> CircuitSpec:
    return token_loader(num_qubits)


@ANSATZE.register("hardware_efficient", options=HardwareEfficientOptions,
                  help="layers of trainable rotations and an entangler (W1 with the defaults)")
def _hardware_efficient(options: HardwareEfficientOptions, num_qubits: int) -> CircuitSpec:
    o = options
    return hardware_efficient(num_qubits, o.num_layers, tuple(o.rotations), o.entanglement, o.entangler,
                              final_rotations=o.final_rotations, mirrored=o.mirrored)


@ANSATZE.register("qcnn", options=QCNNOptions, help="quantum convolutional network with measurement-free pooling")
def _qcnn(options: QCNNOptions, num_qubits: int) -> CircuitSpec:
    return qcnn(num_qubits, options.num_remaining, options.conv, options.share_weights)


@ANSATZE.register("none", help="no ansatz: the encoder alone")
def _none(options: NoOptions, num_qubits: int) -> None:
    return None
