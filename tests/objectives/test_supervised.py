"""The ``supervised`` objective and the ``bce_logits`` loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from qhep_contrast.data import InMemoryImageDataset
from qhep_contrast.exceptions import ShapeError
from qhep_contrast.losses.bce_logits import BCEWithLogitsLoss
from qhep_contrast.objectives.supervised import Supervised, logits


class _Linear(nn.Module):
    """The encoder convention with a fixed linear score: ``embed`` flattens, ``project`` scores."""

    def __init__(self, width: int = 1) -> None:
        super().__init__()
        self.score = nn.Linear(4, width)

    def embed(self, images: Tensor) -> Tensor:
        return images.flatten(1)

    def project(self, representation: Tensor) -> Tensor:
        return self.score(representation)


def test_bce_matches_the_formula() -> None:
    s = torch.tensor([2.0, -1.0, 0.3, -40.0], dtype=torch.float64)
    y = torch.tensor([1, 0, 0, 1])
    expected = -np.mean([math.log(1 / (1 + math.exp(-2.0))), math.log(1 - 1 / (1 + math.exp(1.0))),
                         math.log(1 - 1 / (1 + math.exp(-0.3))), -40.0])
    assert float(BCEWithLogitsLoss()(s, y)) == pytest.approx(expected, rel=1e-12)
    assert float(BCEWithLogitsLoss()(s[:, None], y)) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ShapeError, match="one logit per sample"):
        BCEWithLogitsLoss()(s.view(2, 2), y[:2])


def test_objective_scores_one_logit_per_sample() -> None:
    torch.manual_seed(0)
    model = _Linear()
    images, labels = torch.rand(5, 1, 2, 2), torch.tensor([0, 1, 1, 0, 1])
    objective = Supervised(BCEWithLogitsLoss())
    loss, n = objective(model, (images, labels), torch.device("cpu"))
    expected = nn.functional.binary_cross_entropy_with_logits(model.score(images.flatten(1))[:, 0], labels.float())
    assert n == 5 and float(loss.detach()) == pytest.approx(float(expected.detach()))
    with pytest.raises(ShapeError, match="binary labels"):
        objective(model, (images, torch.tensor([0, 1, 2, 0, 1])), torch.device("cpu"))
    with pytest.raises(ShapeError, match="one logit per sample"):
        objective(_Linear(3), (images, labels), torch.device("cpu"))


def test_logits_of_a_dataset_follow_its_order() -> None:
    model = _Linear()
    images = np.random.default_rng(0).random((7, 1, 2, 2)).astype(np.float32)
    data = InMemoryImageDataset(images, np.array([0, 1, 0, 1, 0, 1, 1]), 2)
    scores, labels = logits(model, data, 3, torch.device("cpu"))
    with torch.no_grad():
        expected = model.score(torch.from_numpy(images).flatten(1))[:, 0].numpy()
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    np.testing.assert_array_equal(labels, [0, 1, 0, 1, 0, 1, 1])
    assert objective_dataset_is_identity(data)


def objective_dataset_is_identity(data: InMemoryImageDataset) -> bool:
    return Supervised(BCEWithLogitsLoss()).dataset(data, None, 0) is data
