"""Parameter-matched classical twin of a hybrid encoder: the quantum layer replaced by a small MLP."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from qhep_contrast._checks import check_int, check_real
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models._seeding import seeded
from qhep_contrast.models.hybrid_encoder import HybridEncoder
from qhep_contrast.qnn.runners import READOUTS, Output

__all__ = ["ClassicalCore", "TwinMLP", "bound_like_output", "classical_twin", "count_parameters", "matched_hidden_width",
           "mlp_parameter_count"]


def bound_like_output(raw: Tensor, output: Output) -> Tensor:
    """Map unbounded ``(B, k)`` values into the range of a quantum layer's ``output``.

    ``"expectation"``: ``tanh`` (values in ``[-1, 1]`` like ``<Z>``); ``"probabilities"`` and ``"marginals"``:
    ``softmax`` (a probability vector); ``"state"``: division by the 2-norm (a real unit vector, usable by the
    fidelity losses).
    """
    if output == "expectation":
        return torch.tanh(raw)
    if output in ("probabilities", "marginals"):
        return torch.softmax(raw, dim=-1)
    return F.normalize(raw, dim=-1)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars (``requires_grad``) of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def mlp_parameter_count(in_features: int, hidden_features: int, out_features: int) -> int:
    """Parameters of ``Linear(in, h) -> Linear(h, out)`` with biases: ``h (in + out + 1) + out``."""
    return hidden_features * (in_features + out_features + 1) + out_features


def matched_hidden_width(in_features: int, out_features: int, target: int) -> int:
    """Hidden width ``h >= 1`` whose :func:`mlp_parameter_count` is closest to ``target`` (ties: smaller).

    The count is linear in ``h`` with slope ``in + out + 1``, so the best ``h`` is the floor or the ceiling
    of ``(target - out) / (in + out + 1)`` and the count misses ``target`` by at most half the slope
    (unless even ``h = 1`` has more than ``target`` parameters).
    """
    in_features = check_int("matched_hidden_width", "in_features", in_features)
    out_features = check_int("matched_hidden_width", "out_features", out_features)
    target = check_int("matched_hidden_width", "target", target, low=0)
    slope = in_features + out_features + 1
    base = max(1, (target - out_features) // slope)
    candidates = (base, base + 1)
    return min(candidates, key=lambda h: (abs(mlp_parameter_count(in_features, h, out_features) - target), h))


class ClassicalCore(nn.Module):
    """Base of the classical stand-ins for a quantum layer: the widths, the output kind (any of
    :data:`~qhep_contrast.qnn.runners.READOUTS`, mapped by :func:`bound_like_output`) and the ``QuantumLayer``
    interface (``num_inputs``, ``num_outputs``, ``output``)."""

    def __init__(self, in_features: int, out_features: int, output: Output) -> None:
        super().__init__()
        owner = type(self).__name__
        self.in_features = check_int(owner, "in_features", in_features)
        self.out_features = check_int(owner, "out_features", out_features)
        if output not in READOUTS:
            raise ConfigError(f"{owner}: output must be one of {READOUTS}, got {output!r}.")
        self.output: Output = output

    @property
    def num_inputs(self) -> int:
        """``in_features`` (same interface as ``QuantumLayer``)."""
        return self.in_features

    @property
    def num_outputs(self) -> int:
        """``out_features`` (same interface as ``QuantumLayer``)."""
        return self.out_features


class TwinMLP(ClassicalCore):
    """``Linear(n_in, h) -> tanh -> Linear(h, n_out) -> bound``, the classical stand-in for a quantum layer.

    The final map mirrors what the quantum layer returns (:func:`bound_like_output`).

    Shapes:
        ``(B, in_features)`` -> ``(B, out_features)``.
    """

    def __init__(self, in_features: int, hidden_features: int, out_features: int, *,
                 output: Output = "expectation", seed: int | None = None) -> None:
        super().__init__(in_features, out_features, output)
        self.hidden_features = check_int(type(self).__name__, "hidden_features", hidden_features)
        with seeded(seed):
            self.hidden = nn.Linear(self.in_features, self.hidden_features)
            self.readout = nn.Linear(self.hidden_features, self.out_features)

    def forward(self, angles: Tensor) -> Tensor:
        """Map ``(B, in_features)`` to bounded ``(B, out_features)`` (see the class docstring)."""
        return bound_like_output(self.readout(torch.tanh(self.hidden(angles))), self.output)


def classical_twin(encoder: HybridEncoder, *, seed: int | None = None, tolerance: float = 0.02) -> HybridEncoder:
    """The classical twin of ``encoder``: same front-end, scaling and head, core replaced by a :class:`TwinMLP`.

    Matching rule: the MLP's hidden width is :func:`matched_hidden_width` for the core's input and output
    widths and the quantum core's trainable parameter count (its circuit weights), so the twin's core has
    the closest attainable count; the whole twin must then have the same trainable parameter count as the
    hybrid within ``tolerance`` (relative to the hybrid's total), else :class:`ConfigError`.

    The front-end and head start from copies of ``encoder``'s current weights (call this on a freshly
    built hybrid for a like-for-like start); ``seed`` seeds the MLP.

    Args:
        encoder: the hybrid encoder to mirror.
        seed: seeds the MLP's initial weights.
        tolerance: allowed relative difference of total trainable parameter counts, ``0 <= tolerance < 1``.
    """
    tolerance = check_real("classical_twin", "tolerance", tolerance, low=0.0, high=1.0, high_open=True)
    target = count_parameters(encoder.core)
    hidden = matched_hidden_width(encoder.core_in, encoder.core_out, target)
    core = TwinMLP(encoder.core_in, hidden, encoder.core_out, output=encoder.output, seed=seed)
    twin = HybridEncoder(copy.deepcopy(encoder.front_end), core, output=encoder.output,
                         scaling=copy.deepcopy(encoder.scaling), head_units=encoder.head_units)
    twin.head.load_state_dict(encoder.head.state_dict())
    hybrid_total, twin_total = count_parameters(encoder), count_parameters(twin)
    mismatch = abs(twin_total - hybrid_total) / max(hybrid_total, 1)
    if mismatch > tolerance:
        raise ConfigError(f"classical_twin: twin has {twin_total} trainable parameters, hybrid {hybrid_total} "
                          f"({mismatch:.1%} apart, tolerance {tolerance:.1%}); the core's {target} weights are "
                          f"too few for any MLP {encoder.core_in} -> h -> {encoder.core_out}. Use a deeper "
                          "circuit or a larger front-end, or raise tolerance.")
    return twin
