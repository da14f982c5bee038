"""Losses for contrastive and self-supervised learning, one per module (formula and paper in each docstring).

=========================  =================================================================
``ContrastivePairLoss``    margin loss on labelled pairs (Hadsell, Chopra & LeCun 2006)
``NTXentLoss``             NT-Xent / InfoNCE with cosine similarity (SimCLR; van den Oord 2018)
``FidelityInfoNCELoss``    InfoNCE with the state fidelity ``|<psi_i|psi_j>|^2`` as similarity
``CombinedFidelityLoss``   ``alpha * FidelityInfoNCE + (1 - alpha) * (1 - mean positive fidelity)``
``TripletLoss``            anchor/positive/negative hinge (Schroff et al. 2015, FaceNet)
``MemoryBankKLLoss``       KL self-supervision against a momentum memory bank (Tran et al. 2025)
=========================  =================================================================

:data:`LOSSES` lists the losses selectable in ``[loss] name = "..."`` with their options and traits; a loss
module registers itself there, so a new loss is one new file here plus its test.
"""

from qhep_contrast.losses.combined_fidelity import CombinedFidelityLoss
from qhep_contrast.losses.contrastive_pair import ContrastivePairLoss
from qhep_contrast.losses.fidelity_infonce import FidelityInfoNCELoss, FidelitySimilarity
from qhep_contrast.losses.memory_bank_kl import MemoryBankKLLoss
from qhep_contrast.losses.nt_xent import NTXentLoss
from qhep_contrast.losses.registry import LOSSES, LossTraits
from qhep_contrast.losses.triplet import TripletLoss

__all__ = [
    "LOSSES",
    "LossTraits",
    "CombinedFidelityLoss",
    "ContrastivePairLoss",
    "FidelityInfoNCELoss",
    "FidelitySimilarity",
    "MemoryBankKLLoss",
    "NTXentLoss",
    "TripletLoss",
]
