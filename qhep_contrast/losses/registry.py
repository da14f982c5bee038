"""The loss registry: ``[loss] name = "..."`` picks an entry; its other keys are that loss's options.

Each loss module registers itself with :data:`LOSSES` (factory ``factory(options) -> nn.Module``), its
options dataclass and :class:`LossTraits`, so a new loss is one new file in :mod:`qhep_contrast.losses`
plus its test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qhep_contrast.registry import Registry

__all__ = ["LOSSES", "LossTraits"]

LOSSES = Registry("loss", tag="name", section="loss", package="qhep_contrast.losses")
"""Every registered loss (``qhep list losses``)."""


@dataclass(frozen=True)
class LossTraits:
    """What a loss needs from the rest of a run.

    Attributes:
        objectives: the objectives (batch layouts, :mod:`qhep_contrast.objectives`) whose outputs the loss
            takes, the first being the default when ``[objective]`` names none.
        inputs: ``"vectors"`` (real embeddings) or ``"states"`` (statevectors, a model with
            ``output = "state"``).
    """

    objectives: tuple[str, ...]
    inputs: Literal["vectors", "states"] = "vectors"
