"""Frozen embeddings of a dataset, as real feature matrices for probes, kNN and plots."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sized
from typing import cast

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

__all__ = ["embed_dataset", "real_features"]


@torch.no_grad()
def embed_dataset(embed: Callable[[Tensor], Tensor], dataset: Dataset, batch_size: int = 256,
                  device: torch.device | str = "cpu", progress: str = "") -> tuple[Tensor, np.ndarray]:
    """Run ``embed`` over every image of ``dataset`` (items ``(image, label, ...)``), in order.

    Args:
        embed: e.g. ``model.embed`` (the representation before any projection head); called in eval mode
            by the caller's choice (this function does not change module modes).
        dataset: labelled images.
        batch_size: images per forward pass.
        device: where the images are sent.
        progress: a label for a progress bar on stderr (images done, elapsed, rate); empty for none.

    Returns:
        ``(embeddings (N, D) on the CPU (complex for statevectors), labels (N,) int64)``.
    """
    chunks, labels = [], []
    bar = tqdm(total=len(cast(Sized, dataset)), desc=progress, unit="image", disable=not progress, file=sys.stderr,
               dynamic_ncols=True)
    for batch in DataLoader(dataset, batch_size=batch_size, shuffle=False):
        chunks.append(embed(batch[0].to(device)).detach().cpu())
        labels.append(batch[1].numpy())
        bar.update(int(batch[0].shape[0]))
    bar.close()
    return torch.cat(chunks), np.concatenate(labels).astype(np.int64)


def real_features(embeddings: Tensor) -> np.ndarray:
    """``(N, D)`` float64 features: the embeddings themselves, or ``[Re, Im]`` ``(N, 2D)`` for complex ones."""
    z = embeddings.detach().cpu()
    if z.is_complex():
        z = torch.cat([z.real, z.imag], dim=1)
    return z.to(torch.float64).numpy()
