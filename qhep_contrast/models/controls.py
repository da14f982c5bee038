"""Controls of a hybrid model: the same network with its circuit frozen, replaced, or given to a dense layer.

Each control answers one question about what the circuit contributes (``[model] control = "..."``; the
parameter-matched twin is ``twin = true``):

============================  =====================================================================
``none``                      the hybrid itself: the circuit trains with everything else.
``frozen_circuit``            the circuit keeps its initial weights (``requires_grad = False``): does
                              training the circuit matter?
``product_standin``           the circuit replaced by its product-state stand-in
                              (:func:`~qhep_contrast.circuits.product_standin`: no entanglers, trainable
                              gates removed; for RY angle encoding ``<Z_i> = cos(x_i)``): does anything beyond
                              a fixed per-qubit nonlinearity matter?
``equal_width_twin``          the circuit replaced by ``Linear(n_in, n_out)`` and the quantum layer's output
                              range (:class:`DenseCore`): a classical layer of the same width, no bottleneck.
============================  =====================================================================
"""

from __future__ import annotations

from torch import Tensor, nn

from qhep_contrast.circuits.product_standin import product_standin
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.classical_twin import ClassicalCore, TwinMLP, bound_like_output
from qhep_contrast.qnn import QuantumLayer
from qhep_contrast.qnn.runners import Output

__all__ = ["CONTROLS", "DenseCore", "apply_control", "check_twin_or_control", "describe_core", "describe_model"]

CONTROLS: tuple[str, ...] = ("none", "frozen_circuit", "product_standin", "equal_width_twin")
"""Values of ``[model] control`` (``"none"``: the hybrid itself)."""


class DenseCore(ClassicalCore):
    """``Linear(n_in, n_out)`` then the quantum layer's output range: the equal-width classical control.

    Shapes:
        ``(B, in_features)`` -> ``(B, out_features)``, bounded per :func:`bound_like_output`.
    """

    def __init__(self, in_features: int, out_features: int, *, output: Output = "expectation",
                 seed: int | None = None) -> None:
        super().__init__(in_features, out_features, output)
        with seeded(seed):
            self.linear = nn.Linear(self.in_features, self.out_features)

    def forward(self, angles: Tensor) -> Tensor:
        """``bound(Linear(angles))``."""
        return bound_like_output(self.linear(angles), self.output)


def apply_control(layer: QuantumLayer, control: str, *, seed: int | None = None) -> nn.Module:
    """The core that replaces ``layer`` under ``control`` (see the module docstring).

    Args:
        layer: the hybrid's quantum layer, freshly built (its weights are the initial ones).
        control: one of :data:`CONTROLS`.
        seed: seeds the :class:`DenseCore`.

    Returns:
        ``layer`` itself (``"none"``; ``"frozen_circuit"`` with its weight frozen), a weightless
        ``QuantumLayer`` on the product-state stand-in, or a :class:`DenseCore`.

    Raises:
        ConfigError: an unknown ``control``.
    """
    if control == "none":
        return layer
    if control == "frozen_circuit":
        layer.weight.requires_grad_(False)
        return layer
    if control == "product_standin":
        return QuantumLayer(product_standin(layer.spec), layer.observables, output=layer.output,
                            execution=layer.execution, readout_qubits=layer.readout_qubits)
    if control == "equal_width_twin":
        return DenseCore(layer.num_inputs, layer.num_outputs, output=layer.output, seed=seed)
    raise ConfigError(f"model.control must be one of {CONTROLS}, got {control!r}.")


def check_twin_or_control(twin: bool, control: str, path: str, circuits: str = "circuit") -> None:
    """Refuse ``twin = true`` together with a ``control``: both replace the hybrid's ``circuits``.

    Raises:
        ConfigError: naming both keys and the fix.
    """
    if twin and control != "none":
        raise ConfigError(f"{path}.twin = true and {path}.control = {control!r} are two different replacements "
                          f"of the {circuits}; choose one (set {path}.control = \"none\" for the twin).")


def describe_core(core: nn.Module) -> str:
    """One line naming the core and its shape, e.g. ``"parameter-matched twin MLP 8 -> 2 -> 8 (34 parameters)"``."""
    trainable = sum(p.numel() for p in core.parameters() if p.requires_grad)
    if isinstance(core, TwinMLP):
        return (f"parameter-matched twin MLP {core.in_features} -> {core.hidden_features} -> {core.out_features} "
                f"({trainable} parameters)")
    if isinstance(core, DenseCore):
        return f"equal-width dense core {core.in_features} -> {core.out_features} ({trainable} parameters)"
    if isinstance(core, QuantumLayer):
        if core.num_weights == 0:
            return (f"product-state stand-in of {core.spec.num_qubits} qubits, {core.num_inputs} inputs -> "
                    f"{core.num_outputs} outputs (0 parameters)")
        state = "trained" if core.weight.requires_grad else "frozen at its initial weights"
        return (f"circuit {core.spec.name!r} ({core.spec.num_qubits} qubits, {core.num_weights} weights, {state}), "
                f"{core.num_inputs} inputs -> {core.num_outputs} outputs")
    return f"{type(core).__name__} ({trainable} parameters)"


def describe_model(model: nn.Module) -> str:
    """:func:`describe_core` of the first module of ``model`` with a ``core`` (a hybrid encoder or classifier),
    plus the model's trainable parameter count; for a model without one (a transformer or graph network whose
    circuits sit inside its layers), the class of its ``encoder`` where it has one."""
    total = sum(p.numel() for p in model.parameters() if p.requires_grad)
    for module in model.modules():
        core = getattr(module, "core", None)
        if isinstance(core, nn.Module):
            return f"{describe_core(core)}; {total} trainable parameters in all"
    encoder = getattr(model, "encoder", None)
    if isinstance(encoder, nn.Module):
        return f"{type(encoder).__name__} ({total} trainable parameters)"
    return f"{type(model).__name__} ({total} trainable parameters)"
