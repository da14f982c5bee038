"""The objective registry: ``[objective] name = "..."`` (default: the loss's first supported objective).

Factory convention: ``factory(options, loss) -> Objective``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qhep_contrast.registry import Registry

__all__ = ["OBJECTIVES", "ObjectiveTraits"]

OBJECTIVES = Registry("objective", tag="name", section="objective", package="qhep_contrast.objectives")
"""Every registered objective (``qhep list objectives``)."""


def _always(options: Any) -> bool:
    return True


@dataclass(frozen=True)
class ObjectiveTraits:
    """What an objective needs from the rest of a run.

    Attributes:
        needs_views: ``needs_views(options)`` is True when the objective's items are random views of an
            image, so ``[views] kind`` must not be ``"none"``.
        min_batch: smallest useful training batch (a two-view InfoNCE batch of 1 has no negatives: loss 0).
    """

    needs_views: Callable[[Any], bool] = _always
    min_batch: int = 1
