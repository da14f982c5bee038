"""``[model] kind = "qssl_classifier"``: the QSSL two-class quantum classifier, or its classical baseline.

``image -> Conv(C -> 1, k x k, stride s) -> BatchNorm -> 4 angles -> core -> (p_0, p_1)``, where the core is
the 5-qubit :func:`~qhep_contrast.circuits.qssl_classifier` read out on qubit 4
(``QuantumLayer(output="marginals", readout_qubits=(4,))``), or, with ``twin = true``, the classical
baseline ``[Linear(4, 4) -> tanh] x twin_hidden_layers -> Linear(4, 2) -> softmax``. Every parameter of
both models trains (no part of the encoder is frozen). The convolution is chosen so that the feature map is
2 x 2 (four angles): the published model uses ``k = 7``, ``s = 5`` on 14 x 14 images; ``kernel_size = 0`` /
``stride = 0`` pick ``s = floor(H / 2)``, ``k = H - s`` (non-overlapping halves, e.g. ``k = s = 4`` on
8 x 8 digits). Seeds: front-end ``seed``, circuit weights ``seed + 1``, classical core ``seed + 3``, the
equal-width control's dense core ``seed + 5``. ``control`` picks a control of the quantum classifier (see
:mod:`~qhep_contrast.models.controls`).

Parameter counts for one input channel: front-end ``k*k + 1 + 2`` (``52`` at ``k = 7``, ``19`` at ``k = 4``);
circuit ``6 * n_layers`` (12 at the default 2 layers); baseline core ``20 * twin_hidden_layers + 10`` (10 at
the default 0 hidden layers, the closest to the circuit's 12; 2 hidden layers give the published baseline's
50).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from qhep_contrast._checks import check_int
from qhep_contrast.circuits import CircuitSpec, qssl_classifier
from qhep_contrast.circuits.classifiers import QSSL_READOUT
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.controls import CONTROLS, apply_control, check_twin_or_control
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.options import option
from qhep_contrast.qnn.layer import INITS, QuantumLayer

__all__ = ["QSSLClassifierOptions", "QSSLClassifier", "QSSLFrontEnd", "ClassicalReadout", "build_qssl_classifier",
           "auto_conv"]

_ANGLES = 4


def auto_conv(size: int, kernel_size: int = 0, stride: int = 0) -> tuple[int, int]:
    """``(kernel, stride)`` for one image side: the given values, or ``s = floor(size / 2)``, ``k = size - s``."""
    s = stride or max(size // 2, 1)
    k = kernel_size or max(size - s, 1)
    return k, s


class QSSLFrontEnd(nn.Module):
    """``Conv2d(C, 1, k, stride=s) -> BatchNorm2d(1) -> flatten``: one angle per cell of a 2 x 2 map.

    Args:
        in_channels: image channels ``C``.
        image_size: ``(H, W)``.
        kernel_size, stride: 0 picks them per :func:`auto_conv` from the image height.
        seed: seeds the initial weights (Xavier-uniform kernel, as in the published model).

    Raises:
        ConfigError: the feature map is not 2 x 2.
    """

    def __init__(self, in_channels: int, image_size: tuple[int, int], *, kernel_size: int = 0, stride: int = 0,
                 seed: int | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.in_channels = check_int(owner, "in_channels", in_channels)
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.kernel_size, self.stride = auto_conv(min(self.image_size), kernel_size, stride)
        cells = [(size - self.kernel_size) // self.stride + 1 if size >= self.kernel_size else 0
                 for size in self.image_size]
        if cells != [2, 2]:
            raise ConfigError(f"{owner}: a {self.kernel_size}x{self.kernel_size} convolution with stride {self.stride} "
                              f"maps {self.image_size[0]}x{self.image_size[1]} images to a {cells[0]}x{cells[1]} map, "
                              "but the classifier takes 4 angles (2x2); set model.kernel_size and model.stride so "
                              "that s <= H - k < 2 s (or 0 for both: automatic).")
        self.out_features = _ANGLES
        with seeded(seed):
            self.conv = nn.Conv2d(self.in_channels, 1, self.kernel_size, stride=self.stride)
            nn.init.xavier_uniform_(self.conv.weight)
            self.norm = nn.BatchNorm2d(1)

    def forward(self, images: Tensor) -> Tensor:
        """``(B, C, H, W)`` -> ``(B, 4)`` angles (batch-normalised, unbounded)."""
        expected = (self.in_channels, *self.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ShapeError(f"{type(self).__name__}: images must have shape (B, {expected[0]}, {expected[1]}, "
                             f"{expected[2]}), got {tuple(images.shape)}.")
        return self.norm(self.conv(images)).flatten(1)


class ClassicalReadout(nn.Module):
    """``[Linear(4, 4) -> tanh] x hidden_layers -> Linear(4, 2) -> softmax``: the classical baseline's core.

    Shapes:
        ``(B, 4)`` -> ``(B, 2)`` probability vectors.
    """

    def __init__(self, hidden_layers: int = 0, *, seed: int | None = None) -> None:
        super().__init__()
        self.hidden_layers = check_int(type(self).__name__, "hidden_layers", hidden_layers, low=0)
        layers: list[nn.Module] = []
        with seeded(seed):
            for _ in range(self.hidden_layers):
                layers += [nn.Linear(_ANGLES, _ANGLES), nn.Tanh()]
            layers.append(nn.Linear(_ANGLES, 2))
        self.net = nn.Sequential(*layers)

    def forward(self, features: Tensor) -> Tensor:
        """Class probabilities ``softmax(net(features))``."""
        return torch.softmax(self.net(features), dim=1)


class QSSLClassifier(nn.Module):
    """``core(front_end(images))``: a 2-class probability vector per image.

    Args:
        front_end: e.g. :class:`QSSLFrontEnd` (4 outputs).
        core: a ``QuantumLayer`` with ``output="marginals"`` on one qubit, or a :class:`ClassicalReadout`.

    Attributes:
        output: ``"marginals"`` (probabilities of the readout qubit's two outcomes).
    """

    output = "marginals"
    representation_size = 2

    def __init__(self, front_end: nn.Module, core: nn.Module) -> None:
        super().__init__()
        self.front_end = front_end
        self.core = core

    def forward(self, images: Tensor) -> Tensor:
        """``(B, C, H, W)`` -> ``(B, 2)`` probabilities."""
        return self.core(self.front_end(images))


@dataclass(frozen=True)
class QSSLClassifierOptions:
    """``[model] kind = "qssl_classifier"``."""

    twin: bool = option(False, help="classical baseline: the circuit replaced by a small softmax MLP")
    control: str = option("none", choices=CONTROLS,
                          help="a control of the quantum classifier: circuit frozen at its initial weights, its "
                               "product-state stand-in, or Linear(4, 2) + softmax (none: the classifier itself)")
    output: str = option("marginals", choices=("marginals",),
                         help="the readout qubit's two outcome probabilities (a 2-class distribution)")
    n_layers: int = option(2, low=1, high=64, help="entangling layers per qubit pair of the circuit")
    kernel_size: int = option(0, low=0, high=64, help="convolution kernel (0: automatic, see the model docs)")
    stride: int = option(0, low=0, high=64, help="convolution stride (0: automatic)")
    init: str = option("uniform", choices=INITS, help="circuit weight initialisation")
    init_scale: float = option(math.pi, low=0.0, low_open=True, help="circuit weight initialisation scale")
    twin_hidden_layers: int = option(0, low=0, high=16,
                                     help="baseline's Linear(4, 4) + tanh layers (0: 10 weights vs the circuit's "
                                          "12; 2: the published baseline)")


def _check(options: QSSLClassifierOptions, path: str) -> None:
    check_twin_or_control(options.twin, options.control, path)


@MODELS.register("qssl_classifier", options=QSSLClassifierOptions, check=_check,
                 traits=ModelTraits(uses_circuit=False, outputs=("marginals",), controls=CONTROLS[1:]),
                 help="conv + batch norm -> 4 angles -> 5-qubit classifier read out on qubit 4 (or a softmax MLP)")
def build_qssl_classifier(options: QSSLClassifierOptions, *, image_shape: tuple[int, int, int],
                          circuit: CircuitSpec | None = None, execution: Any = None,
                          seed: int = 0) -> SiameseEncoder:
    """The QSSL classifier (or its classical baseline) in a :class:`SiameseEncoder` (deterministic in ``seed``).

    Args:
        options: the ``[model]`` options.
        image_shape: ``(C, H, W)``.
        circuit: unused (the model builds its own circuit from ``n_layers``).
        execution: executor of the quantum layer (None: the exact engine).
        seed: see the module docstring.
    """
    o = options
    channels, height, width = image_shape
    front = QSSLFrontEnd(channels, (height, width), kernel_size=o.kernel_size, stride=o.stride, seed=seed)
    core: nn.Module
    if o.twin:
        core = ClassicalReadout(o.twin_hidden_layers, seed=seed + 3)
    else:
        layer = QuantumLayer(qssl_classifier(o.n_layers), output="marginals", readout_qubits=(QSSL_READOUT,),
                             execution=execution, init=o.init, init_scale=o.init_scale, seed=seed + 1)
        core = apply_control(layer, o.control, seed=seed + 5)
    return SiameseEncoder(QSSLClassifier(front, core))
