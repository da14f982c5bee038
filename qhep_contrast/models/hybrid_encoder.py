"""Hybrid encoder: classical front-end -> angle scaling -> quantum layer -> classical head."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, cast

from torch import Tensor, nn

from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._dense import dense_stack
from qhep_contrast.models._encoding_check import weights_only_after_encoding
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.angle_scaling import AngleScaling, ScalingMode
from qhep_contrast.models.frontends import ConvFrontEnd
from qhep_contrast.qnn import OUTPUTS, QuantumLayer
from qhep_contrast.qnn.runners import Output

__all__ = ["HybridEncoder", "build_hybrid_encoder", "core_shape"]


def _offset(seed: int | None, k: int) -> int | None:
    """A distinct seed per sub-module, so front-end, circuit and head do not share one random stream."""
    return None if seed is None else seed + k


def core_shape(core: nn.Module, output: Output) -> tuple[int, int]:
    """``(num_inputs, num_outputs)`` of a representation core that returns ``output``.

    A core is a ``QuantumLayer`` or a :class:`TwinMLP`: a module with ``num_inputs`` and ``num_outputs``
    and, optionally, an ``output`` attribute, which must then equal ``output``.

    Raises:
        ConfigError: the module has no ``num_inputs``/``num_outputs``, or returns another kind of output.
    """
    if not (hasattr(core, "num_inputs") and hasattr(core, "num_outputs")):
        raise ConfigError(f"core must be a QuantumLayer or TwinMLP (a module with num_inputs and num_outputs), "
                          f"got {type(core).__name__}.")
    declared = getattr(core, "output", output)
    if declared != output:
        raise ConfigError(f"core {type(core).__name__} returns output={declared!r} but the encoder was asked for "
                          f"output={output!r}; build both with the same output.")
    return int(cast(int, core.num_inputs)), int(cast(int, core.num_outputs))


class HybridEncoder(nn.Module):
    """``front_end -> AngleScaling -> core -> head``, the hybrid representation network.

    ``core`` is a ``QuantumLayer`` (or, for the classical twin, a :class:`TwinMLP`) mapping
    ``(B, n_in)`` angles to ``(B, n_out)`` outputs; ``head`` is ``Dense(u_1, ReLU) -> ... ->
    Dense(u_k, ReLU)`` on top (default one layer as wide as the core's output, the seed project's
    ``Dense(n_qubits, relu)``).

    With ``output="state"`` the encoder returns the core's ``(B, 2**n)`` statevectors and has no head,
    for fidelity losses. A circuit whose trainable gates all follow the data encoding is then refused: for
    ``|psi(x)> = U(w) V(x)|0>`` fidelities do not depend on ``w`` (zero gradient); use a re-uploading
    circuit or put trainable gates before or inside the encoding.

    Args:
        front_end: module mapping the raw input to ``(B, n_in)`` features; if it has ``out_features``, that
            must equal ``n_in``.
        core: the representation core (``QuantumLayer(spec, output=output)`` or ``TwinMLP``).
        output: what ``core`` returns: ``"expectation"``, ``"state"`` or ``"probabilities"``.
        scaling: feature-to-angle map (default ``AngleScaling("tanh", pi)``).
        head_units: head widths (default ``(n_out,)``; ``()`` for none; must be empty for ``"state"``).
        seed: seeds the head's initial weights.

    Shapes:
        Input: whatever ``front_end`` takes, e.g. ``(B, C, H, W)``. Output: ``(B, head_units[-1])``,
        ``(B, n_out)`` without head, or complex ``(B, 2**n)`` for ``"state"``.
    """

    def __init__(self, front_end: nn.Module, core: nn.Module, *, output: Output = "expectation",
                 scaling: AngleScaling | None = None, head_units: Sequence[int] | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        if output not in OUTPUTS:
            raise ConfigError(f"{owner}: output must be one of {OUTPUTS}, got {output!r}.")
        self.output: Output = output
        self.core_in, self.core_out = core_shape(core, output)
        front_out = getattr(front_end, "out_features", self.core_in)
        if front_out != self.core_in:
            raise ConfigError(f"{owner}: front_end gives {front_out} features but the core takes {self.core_in} "
                              f"inputs; build the front-end with out_features={self.core_in}.")
        self.head_units = tuple(self._head_units(head_units))
        if output == "state":
            self._check_state_circuit(core)
        self.front_end = front_end
        self.scaling = scaling if scaling is not None else AngleScaling()
        self.core = core
        with seeded(seed):
            self.head = dense_stack(owner, self.core_out, self.head_units, last_activation=True)

    def _head_units(self, head_units: Sequence[int] | None) -> Sequence[int]:
        if head_units is None:
            return () if self.output == "state" else (self.core_out,)
        if self.output == "state" and len(head_units) > 0:
            raise ConfigError(f"{type(self).__name__}: output='state' returns statevectors for fidelity losses "
                              f"and takes no head, got head_units={tuple(head_units)}; pass head_units=().")
        return head_units

    def _check_state_circuit(self, core: nn.Module) -> None:
        spec = getattr(core, "spec", None)
        if isinstance(spec, CircuitSpec) and weights_only_after_encoding(spec):
            raise ConfigError(
                f"{type(self).__name__}: circuit {spec.name!r} applies all its trainable gates after the data "
                "encoding, |psi(x)> = U(w) V(x)|0>, so every fidelity <psi(x1)|psi(x2)> is independent of the "
                "weights and fidelity losses give them zero gradient. Use a re-uploading circuit "
                "(circuits.reuploading_encoder) or put trainable gates before/inside the encoding.")

    @property
    def representation_size(self) -> int:
        """Width of the encoder's output (``2**n`` for ``"state"``)."""
        return self.head_units[-1] if self.head_units else self.core_out

    def forward(self, inputs: Tensor) -> Tensor:
        """``head(core(scaling(front_end(inputs))))`` (no head for ``"state"``)."""
        return self.head(self.core(self.scaling(self.front_end(inputs))))


def build_hybrid_encoder(
    in_channels: int,
    image_size: int | tuple[int, int],
    circuit: CircuitSpec | Callable[[], CircuitSpec],
    *,
    output: Output = "expectation",
    conv_channels: Sequence[int] = (32, 64),
    kernel_size: int = 3,
    pool_size: int = 2,
    dense_units: int = 64,
    head_units: Sequence[int] | None = None,
    scaling: ScalingMode = "tanh",
    scale: float = math.pi,
    execution: Any = None,
    init: str = "uniform",
    init_scale: float = math.pi,
    seed: int | None = None,
) -> HybridEncoder:
    """Build ``ConvFrontEnd -> AngleScaling -> QuantumLayer(circuit) -> head`` for images.

    Args:
        in_channels, image_size: of the input images ``(B, C, H, W)``.
        circuit: a :class:`CircuitSpec` or a zero-argument factory returning one, e.g.
            ``functools.partial(reuploading_encoder, 8, 3)``; the front-end gets ``spec.num_inputs`` outputs.
        output: ``QuantumLayer`` output mode (``"state"`` for fidelity losses: no head).
        conv_channels, kernel_size, pool_size, dense_units: see :class:`ConvFrontEnd`.
        head_units: see :class:`HybridEncoder`.
        scaling, scale: see :class:`AngleScaling`.
        execution, init, init_scale: passed to ``QuantumLayer``.
        seed: seeds front-end (``seed``), circuit weights (``seed + 1``) and head (``seed + 2``).
    """
    if output not in OUTPUTS:
        raise ConfigError(f"build_hybrid_encoder: output must be one of {OUTPUTS}, got {output!r}.")
    spec = circuit if isinstance(circuit, CircuitSpec) else circuit()
    if not isinstance(spec, CircuitSpec):
        raise ConfigError(f"build_hybrid_encoder: circuit must be a CircuitSpec or return one, got "
                          f"{type(spec).__name__}.")
    layer = QuantumLayer(spec, output=output, execution=execution, init=init, init_scale=init_scale,
                         seed=_offset(seed, 1))
    front = ConvFrontEnd(in_channels, image_size, spec.num_inputs, conv_channels=conv_channels,
                         kernel_size=kernel_size, pool_size=pool_size, dense_units=dense_units, seed=seed)
    return HybridEncoder(front, layer, output=output, scaling=AngleScaling(scaling, scale),
                         head_units=head_units, seed=_offset(seed, 2))
