"""Do two image files speak the same language? Pixel scale and channel meaning, compared before evaluation.

An encoder trained on one file and scored on another of the same schema is only meaningful if the pixels
mean the same: the same unit (GeV, not MeV) and the same channel order (Tracks, ECAL, HCAL). Both are
checked on the raw images (no preprocessing; the comparison does not depend on the image resolution):

* scale: the median over images of each channel's pixel sum (for jets: the channel's total pT); a ratio
  outside ``[1 / scale_factor, scale_factor]`` (default 2) is reported;
* meaning: each channel's share of the image's total sum, averaged over images; a share that moves by more
  than ``share_shift`` (default 0.15), or a changed order of the shares with a move of more than a third of
  that, is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qhep_contrast.data.base import LabelledImageDataset

__all__ = ["ChannelStatistics", "channel_statistics", "compatibility_warnings"]


@dataclass(frozen=True)
class ChannelStatistics:
    """Per-channel ``median_sum`` and mean ``share`` (both ``(C,)``) over ``n`` images of shape ``shape``."""

    median_sum: np.ndarray
    share: np.ndarray
    n: int
    shape: tuple[int, ...]


def channel_statistics(dataset: LabelledImageDataset, max_images: int = 2000, seed: int = 0) -> ChannelStatistics:
    """Statistics of up to ``max_images`` images of ``dataset`` (a seeded random subset when it has more)."""
    n = len(dataset)
    rng = np.random.default_rng(seed)
    indices = np.sort(rng.choice(n, size=max_images, replace=False)) if n > max_images else np.arange(n)
    sums = np.stack([np.asarray(dataset[int(i)][0], dtype=np.float64).reshape(dataset.image_shape[0], -1).sum(axis=1)
                     for i in indices]) if indices.size else np.zeros((0, dataset.image_shape[0]))
    totals = sums.sum(axis=1, keepdims=True)
    shares = np.divide(sums, totals, out=np.zeros_like(sums), where=totals > 0)
    return ChannelStatistics(np.median(sums, axis=0) if indices.size else np.zeros(sums.shape[1]),
                             shares.mean(axis=0) if indices.size else np.zeros(sums.shape[1]),
                             int(indices.size), tuple(dataset.image_shape))


def compatibility_warnings(reference: ChannelStatistics, other: ChannelStatistics, names: Sequence[str] = (), *,
                           scale_factor: float = 2.0, share_shift: float = 0.15) -> list[str]:
    """Detectable differences between ``other`` and ``reference`` (empty list: none found).

    Args:
        reference: statistics of the training file.
        other: statistics of the file to evaluate on.
        names: channel names for the messages (default ``channel 0``, ...).
        scale_factor, share_shift: see the module docstring.
    """
    if reference.median_sum.shape != other.median_sum.shape:
        return [f"the files have {reference.median_sum.size} and {other.median_sum.size} channels"]
    label = [names[c] if c < len(names) else f"channel {c}" for c in range(reference.median_sum.size)]
    warnings = []
    for c, (a, b) in enumerate(zip(reference.median_sum, other.median_sum)):
        if a > 0 and b > 0 and not 1.0 / scale_factor <= b / a <= scale_factor:
            warnings.append(f"{label[c]}: median pixel sum per image is {b:.4g} here and {a:.4g} in the training "
                            f"data (x{b / a:.3g}): different units or energy scale?")
        elif (a > 0) != (b > 0):
            warnings.append(f"{label[c]}: empty in one file only (median sum {a:.4g} in training, {b:.4g} here)")
    shifts = np.abs(other.share - reference.share)
    reordered = not np.array_equal(np.argsort(reference.share), np.argsort(other.share))
    largest = float(shifts.max(initial=0.0))
    if largest > share_shift or (reordered and largest > share_shift / 3):
        shares = ", ".join(f"{label[c]} {reference.share[c]:.2f} -> {other.share[c]:.2f}"
                           for c in range(reference.share.size))
        warnings.append(f"channel shares of the total differ ({shares}): are the channels in the same order?")
    return warnings
