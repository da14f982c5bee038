"""Objectives: how the training images become batches, and how one batch becomes one loss value.

An objective is chosen in ``[objective] name = "..."`` (by default the loss's own, see
:class:`~qhep_contrast.losses.LossTraits`); its options are that table's other keys.

=====================  ==========================  =====================================================
objective              batch items                 loss call
=====================  ==========================  =====================================================
``two_views``          ``(view1, view2, label)``   ``loss(*model(view1, view2))`` (NT-Xent, fidelity losses)
``pairs``              ``(x1, x2, target)``        ``loss(*model(x1, x2), target)`` (contrastive pair)
``triplets``           ``(anchor, pos, neg)``      ``loss(a, p, n)`` on one stacked forward pass
``memory_bank``        ``(a, b, label, i, bank)``  ``loss(*model(a, b), i)`` against sample ``i``'s bank entry
=====================  ==========================  =====================================================
"""

from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.memory_bank import IndexedViews, MemoryBank, MemoryBankOptions
from qhep_contrast.objectives.pairs import Pairs, PairsOptions
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.objectives.triplets import Triplets, TripletsOptions
from qhep_contrast.objectives.two_views import TwoViews

__all__ = ["IndexedViews", "MemoryBank", "MemoryBankOptions", "OBJECTIVES", "Objective",
           "ObjectiveTraits", "Pairs", "PairsOptions", "Triplets", "TripletsOptions",
           "TwoViews"]
