"""``memory_bank``: each sample's output is pulled toward its own memory-bank entry and away from the others.

Items are ``(a, b, label, index, bank)``: two inputs of image ``index`` (see :class:`MemoryBankOptions`
``positive``), its label (unused by the loss), its position in its data set, and which bank (data set) it
belongs to. Every data set given to :meth:`MemoryBank.dataset` gets its own bank of ``len(images)``
probability vectors (the training set's is bank 0, the validation set's bank 1), held in a
:class:`~qhep_contrast.losses.MemoryBankKLLoss` sized from the ``[loss]`` template.

A bank is initialised from a first pass of the model over its (un-augmented) images, in eval mode without
gradients, the first time a batch of it arrives; after every batch the entries of that batch follow the
model with momentum, ``b_k <- m b_k + (1 - m) (p_k + p'_k) / 2``. The banks and their initialisation flags
are the objective's :meth:`~MemoryBank.state_dict`, saved in every ``last.pt`` by the fit loop, so a resumed
run continues with exactly the banks it stopped with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from qhep_contrast.data.base import LabelledImageDataset, normalize_index
from qhep_contrast.data.views import Augment, item_generator
from qhep_contrast.exceptions import CheckpointError, ConfigError
from qhep_contrast.losses.memory_bank_kl import MemoryBankKLLoss
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.objectives.base import Objective
from qhep_contrast.objectives.registry import OBJECTIVES, ObjectiveTraits
from qhep_contrast.options import option

__all__ = ["IndexedViews", "MemoryBank", "MemoryBankOptions", "POSITIVES"]

POSITIVES: tuple[str, ...] = ("two_views", "image_and_view")

_INIT_BATCH = 256


@dataclass(frozen=True)
class MemoryBankOptions:
    """``[objective] name = "memory_bank"``."""

    positive: str = option("two_views", choices=POSITIVES,
                           help="the two inputs of a sample: two random views of the image (SimCLR style), or "
                                "image_and_view: the unaugmented image and one random view (the pair of the "
                                "published QSSL code; its bank lookup by batch position is not reproduced)")


class IndexedViews(Dataset):
    """Item ``i``: ``(a, b, label, i, bank)`` with ``a``, ``b`` two views of image ``i`` (or the image and one view).

    The views are drawn with :func:`~qhep_contrast.data.views.item_generator` ``(seed, epoch, i)``, so they
    depend only on the seed, the epoch and the index (exact resume); :meth:`set_epoch` selects the epoch.

    Args:
        base: labelled images.
        augment: the view augmentation.
        seed: random seed of the views.
        positive: ``"two_views"`` or ``"image_and_view"``.
        bank: the bank id carried by every item.
    """

    def __init__(self, base: LabelledImageDataset, augment: Augment, seed: int, positive: str, bank: int) -> None:
        if positive not in POSITIVES:
            raise ConfigError(f"IndexedViews: positive must be one of {POSITIVES}, got {positive!r}.")
        self.base, self.augment, self.seed, self.positive, self.bank = base, augment, int(seed), positive, int(bank)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the views of epoch ``epoch``."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        i = normalize_index(index, len(self))
        image, label = self.base[i][:2]
        generator = item_generator(self.seed, self.epoch, i)
        if self.positive == "two_views":
            views = self.augment(torch.stack([image, image]), generator)
            a, b = views[0], views[1]
        else:
            a, b = image, self.augment(image.unsqueeze(0), generator)[0]
        return a, b, torch.as_tensor(label), torch.tensor(i), torch.tensor(self.bank)


class MemoryBank(Objective):
    """Memory-bank KL self-supervision (see the module docstring).

    Args:
        loss: a :class:`~qhep_contrast.losses.MemoryBankKLLoss` whose ``num_classes``, ``gamma``, ``momentum``
            and ``eps`` every bank copies (its own bank is not used).
        options: the positive pair.
    """

    def __init__(self, loss: nn.Module, options: MemoryBankOptions = MemoryBankOptions()) -> None:
        super().__init__(loss)
        self.options = options
        self.banks: list[MemoryBankKLLoss] = []
        self.sources: list[LabelledImageDataset] = []
        self.initialised: list[bool] = []

    def dataset(self, images: LabelledImageDataset, augment: Augment | None, seed: int) -> Dataset:
        """:class:`IndexedViews` of ``images`` with a new bank of ``len(images)`` entries."""
        if augment is None:
            raise ConfigError("objective 'memory_bank' compares random views of each image but views.kind = "
                              "\"none\"; set views.kind = \"digit\" (or \"jet\").")
        template = self.loss
        if not isinstance(template, MemoryBankKLLoss):
            raise ConfigError(f"objective 'memory_bank' needs loss.name = \"memory_bank_kl\", got "
                              f"{type(template).__name__}.")
        bank = MemoryBankKLLoss(max(len(images), 2), template.num_classes, gamma=template.gamma,
                                momentum=template.momentum, eps=template.eps)
        self.banks.append(bank)
        self.sources.append(images)
        self.initialised.append(False)
        return IndexedViews(images, augment, seed, self.options.positive, len(self.banks) - 1)

    def __call__(self, model: nn.Module, batch: Sequence[Tensor], device: torch.device) -> tuple[Tensor, int]:
        a, b = batch[0].to(device), batch[1].to(device)
        index, which = batch[3].to(device).long(), int(batch[4][0])
        bank = self.banks[which].to(device)
        if not self.initialised[which]:
            self._initialise(model, which, device)
        pa, pb = model(a, b)
        loss = bank(pa, pb, index)
        bank.update(index, (pa.detach() + pb.detach()) / 2)
        return loss, int(a.shape[0])

    @torch.no_grad()
    def _initialise(self, model: nn.Module, which: int, device: torch.device) -> None:
        """Fill bank ``which`` with the model's outputs on its images (eval mode, no augmentation)."""
        was_training = model.training
        model.eval()
        try:
            siamese = cast(SiameseEncoder, model)
            outputs = [siamese.project(siamese.embed(batch[0].to(device)))
                       for batch in DataLoader(self.sources[which], batch_size=_INIT_BATCH, shuffle=False)]
        finally:
            model.train(was_training)
        probs = torch.cat(outputs, dim=0)
        bank = self.banks[which]
        bank.reset(probs.to(bank.bank.device, bank.bank.dtype))
        self.initialised[which] = True

    def state_dict(self) -> dict[str, Any]:
        """The banks (CPU copies) and whether each was initialised (stored in the fit loop's ``last.pt``)."""
        return {"banks": [bank.bank.detach().cpu().clone() for bank in self.banks],
                "initialised": list(self.initialised)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` into banks of the same sizes.

        Raises:
            CheckpointError: a different number of banks or different bank shapes.
        """
        banks, flags = state["banks"], state["initialised"]
        shapes = [tuple(b.bank.shape) for b in self.banks]
        if len(banks) != len(self.banks) or [tuple(t.shape) for t in banks] != shapes:
            raise CheckpointError(f"the checkpoint's memory banks have shapes {[tuple(t.shape) for t in banks]}, "
                                  f"this run's have {shapes}; resume with the run folder's own config.toml.")
        for bank, saved in zip(self.banks, banks):
            bank.bank.copy_(saved.to(bank.bank.device, bank.bank.dtype))
        self.initialised = [bool(f) for f in flags]


@OBJECTIVES.register("memory_bank", options=MemoryBankOptions, traits=ObjectiveTraits(),
                     help="each sample's output vs its own momentum memory-bank entry and the others' (QSSL)")
def _memory_bank(options: MemoryBankOptions, loss: nn.Module) -> MemoryBank:
    return MemoryBank(loss, options)
