"""``DressedQuantumNet``: the dressed circuit of :func:`~qhep_contrast.circuits.dressed.dressed_circuit` as a
torch module, ``a (R, n) -> <Z_i> (R, n)`` with data angles ``tanh(a) * pi / 2``.

Every row (every edge of every jet of a batch, or every particle) goes through the exact engine in one call.
The circuit weights start ``N(0, init_scale^2)`` (0.001 in the public code: near the identity).
"""

from __future__ import annotations

import math

from torch import Tensor, nn

from qhep_contrast.circuits.dressed import dressed_circuit
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models.controls import apply_control
from qhep_contrast.qnn.layer import QuantumLayer

__all__ = ["DressedQuantumNet"]


class DressedQuantumNet(nn.Module):
    """``(R, n) -> (R, n)``: ``<Z_i>`` of the dressed circuit on angles ``tanh(a) * pi / 2``.

    Args:
        num_qubits: ``n`` (input and output width).
        depth: trainable layers of the circuit.
        init_scale: standard deviation of the initial circuit weights.
        execution: executor of the circuit (None: the exact engine).
        seed: seed of the initial weights.
    """

    def __init__(self, num_qubits: int, depth: int = 2, *, init_scale: float = 1e-3, execution: object = None,
                 seed: int | None = None) -> None:
        super().__init__()
        self._width = num_qubits
        self.layer: nn.Module = QuantumLayer(dressed_circuit(num_qubits, depth), execution=execution,
                                             init="normal", init_scale=init_scale, seed=seed)

    @property
    def num_qubits(self) -> int:
        """Width ``n``."""
        return self._width

    def use_control(self, control: str, *, seed: int | None = None) -> None:
        """Replace the circuit by one of the :data:`~qhep_contrast.models.controls.CONTROLS` (frozen at its
        initial weights, product-state stand-in, equal-width dense layer; see
        :func:`~qhep_contrast.models.controls.apply_control`), fed the same angles ``tanh(a) pi / 2``."""
        if not isinstance(self.layer, QuantumLayer):
            raise ConfigError(f"this dressed circuit is already replaced by {type(self.layer).__name__}; "
                              "build the network again to apply another control.")
        self.layer = apply_control(self.layer, control, seed=seed)

    def forward(self, a: Tensor) -> Tensor:
        return self.layer(_angles(a))


def _angles(a: Tensor) -> Tensor:
    """The data angles ``tanh(a) * pi / 2``."""
    return a.tanh() * (math.pi / 2)
