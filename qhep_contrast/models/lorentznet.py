"""``[model] kind = "lorentznet"``: LorentzNet, or its quantum variant (QLieGEB blocks), on particle jets.

Reads the packed jets of ``[data] dataset = "particle_jets"`` (``image_shape = (1, M, 5 + S)``). ``quantum``
names the block networks built as dressed circuits (the public code's model types: ``["phi_e"]``, ...,
all four for its ``"quantum"``); empty is LorentzNet. ``twin = true`` builds every network classical at the
quantum variant's widths (edge width ``2H + 2`` unless ``edge_width`` is set): the classical twin of a
quantum configuration (``quantum = ["phi_m"]``, ``edge_width = 72`` and its twin, LorentzNet itself, are a
pair at LorentzNet's widths). The head is
the LorentzNet decoder (one logit, for the ``supervised`` objective), a SimCLR projection head (for
contrastive objectives), or none; ``embed`` is the pooled node features. The circuits are built in
(``[circuit]`` is unused). ``control`` trains a control of the quantum variant instead
(:mod:`~qhep_contrast.models.controls`), applied to every dressed circuit of every block: frozen at its
initial weights, replaced by its product-state stand-in, or by an equal-width dense layer. Seeds: network
``seed`` (circuits ``seed + 1 + 10 l + k``), head ``seed + 2``, dense control layers ``seed + 1000 + i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import nn

from qhep_contrast.data.particles import SCALAR_OFFSET
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models.controls import CONTROLS, check_twin_or_control
from qhep_contrast.models.dressed_quantum import DressedQuantumNet
from qhep_contrast.models.lorentz_net import BLOCKS, METRICS, LorentzNet, LorentzNetDecoder
from qhep_contrast.models.projection import ProjectionHead
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.options import option

__all__ = ["LorentzNetOptions", "build_lorentznet"]

HEADS: tuple[str, ...] = ("classifier", "projection", "none")


@dataclass(frozen=True)
class LorentzNetOptions:
    """``[model] kind = "lorentznet"``."""

    quantum: list[str] = option([], choices=BLOCKS, help="block networks built as dressed circuits (empty: LorentzNet)")
    twin: bool = option(False, help="every network classical (quantum ignored) at the quantum variant's widths: the "
                                    "classical twin")
    control: str = option("none", choices=CONTROLS,
                          help="a control of the quantum variant, on every dressed circuit: frozen_circuit, "
                               "product_standin or equal_width_twin (none: the quantum variant itself)")
    width: int = option(72, low=1, high=4096, help="node width H (quantum: 2H + 2 qubits per edge circuit)")
    edge_width: int = option(0, low=0, high=4096,
                             help="edge width He (0: 2H + 2 for the quantum variant and its twin, H for LorentzNet)")
    layers: int = option(6, low=1, high=64, help="Lorentz group equivariant blocks")
    c_weight: float = option(1e-3, low=0.0, help="weight c of the coordinate update")
    metric: str = option("minkowski", choices=METRICS, help="J of the invariants: minkowski or euclidean")
    depth: int = option(2, low=1, high=64, help="trainable layers of the dressed circuits")
    init_scale: float = option(1e-3, low=0.0, low_open=True, help="circuit weights start N(0, s^2)")
    dropout: float = option(0.0, low=0.0, high=1.0, high_open=True, help="dropout of the decoder")
    head: str = option("classifier", choices=HEADS,
                       help="classifier: the LorentzNet decoder, one logit (supervised); projection: SimCLR head; none")
    projection_dim: int = option(16, low=1, high=4096, help="projection head width (head = \"projection\")")
    projection_layers: int = option(2, low=1, high=8)


def _check(options: LorentzNetOptions, path: str) -> None:
    check_twin_or_control(options.twin, options.control, path, "circuits")
    if options.control != "none" and not options.quantum:
        raise ConfigError(f"{path}.control = {options.control!r} needs circuits to control, but {path}.quantum is "
                          f"empty (LorentzNet itself); name the quantum blocks, e.g. {path}.quantum = [\"phi_m\"].")


@MODELS.register("lorentznet", options=LorentzNetOptions, check=_check,
                 traits=ModelTraits(uses_circuit=False, controls=CONTROLS[1:]),
                 help="LorentzNet on particle jets, or its quantum variant (dressed-circuit QLieGEB blocks)")
def build_lorentznet(options: LorentzNetOptions, *, image_shape: tuple[int, int, int], circuit: Any = None,
                     execution: Any = None, seed: int = 0) -> SiameseEncoder:
    """LorentzNet and its head in a :class:`SiameseEncoder` (deterministic in ``seed``).

    Raises:
        ConfigError: not packed particle jets.
    """
    quantum = [] if options.twin else options.quantum
    if image_shape[0] != 1 or image_shape[2] <= SCALAR_OFFSET:
        raise ConfigError(f"model.kind = \"lorentznet\" reads packed particle jets (1, M, 5 + S); got inputs of "
                          f"shape {image_shape}. Set [data] dataset = \"particle_jets\".")
    o = options
    encoder = LorentzNet(image_shape[2] - SCALAR_OFFSET, o.width, o.layers, c_weight=o.c_weight, metric=o.metric,
                         quantum=quantum, edge_width=o.edge_width,
                         lie_widths=o.twin, depth=o.depth, init_scale=o.init_scale, execution=execution, seed=seed)
    if o.control != "none":
        nets = [m for m in encoder.modules() if isinstance(m, DressedQuantumNet)]
        for i, net in enumerate(nets):
            net.use_control(o.control, seed=seed + 1000 + i)
    head: nn.Module | None = None
    if o.head == "classifier":
        head = LorentzNetDecoder(o.width, o.dropout, seed=seed + 2)
    elif o.head == "projection":
        head = ProjectionHead(o.width, out_features=o.projection_dim, num_layers=o.projection_layers, seed=seed + 2)
    return SiameseEncoder(encoder, head)
