"""The model registry: ``[model] kind = "..."`` picks the architecture; its other keys are its options.

Factory convention: ``factory(options, *, image_shape, circuit, execution, seed) -> SiameseEncoder``,
where ``circuit`` is the :class:`~qhep_contrast.circuits.CircuitSpec` built from ``[circuit]`` (None for a
model whose traits say it uses none) and ``execution`` the executor of its quantum layers (None: exact).
"""

from __future__ import annotations

from dataclasses import dataclass

from qhep_contrast.registry import Registry

__all__ = ["MODELS", "ModelTraits"]

MODELS = Registry("model kind", tag="kind", section="model", package="qhep_contrast.models")
"""Every registered model kind (``qhep list models``)."""


@dataclass(frozen=True)
class ModelTraits:
    """What a model kind needs and offers.

    Attributes:
        uses_circuit: the model puts the ``[circuit]`` circuit through a quantum layer.
        outputs: the values its ``output`` option may take (``"state"`` feeds fidelity losses).
        controls: the values of its ``control`` option (besides ``"none"``) that ``qhep compare`` may train as
            controls of the hybrid; the matched twin (option ``twin``) is offered apart from these.
    """

    uses_circuit: bool = True
    outputs: tuple[str, ...] = ("expectation",)
    controls: tuple[str, ...] = ()
