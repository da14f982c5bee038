"""A one-logit classifier's evaluation reports 1/eps_B at signal efficiencies 0.3 and 0.5."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from qhep_contrast.data import InMemoryImageDataset
from qhep_contrast.pipeline.evaluate import _classifier_values


class _Score(nn.Module):
    """The single pixel of a (1, 1, 1) image is the logit."""

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], 1)

    def project(self, h: torch.Tensor) -> torch.Tensor:
        return h


def test_classifier_rejection_counts_background_above_the_threshold() -> None:
    signal = np.linspace(1.0, 10.0, 10)  # label 1
    background = np.array([0.0, 0.5, 0.9, 2.5, 5.5, 9.5, -1.0, -2.0, -3.0, -4.0])  # label 0
    images = np.concatenate([signal, background]).astype(np.float32).reshape(20, 1, 1, 1)
    labels = np.array([1] * 10 + [0] * 10)
    values = _classifier_values(_Score(), InMemoryImageDataset(images, labels, 2), 8, torch.device("cpu"))
    # 30 % of the signal: scores >= 8 -> background 9.5 passes: eps_B = 1/10; 50 %: >= 6 -> eps_B = 1/10
    # 60 % would reach 5.0 and let 5.5 in as well.
    assert values["classifier_rejection"] == {"0.3": 10.0, "0.5": 10.0}
    assert values["classifier_n_test"] == 20
