"""Hanley-McNeil AUC errors against the values tabulated in the paper and a bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from qhep_contrast.evaluation.auc_error import auc_standard_error
from qhep_contrast.exceptions import InputValueError


@pytest.mark.parametrize("auc, n, expected", [(0.8, 50, 0.0435), (0.9, 100, 0.0218), (0.7, 25, 0.0740)])
def test_matches_hanley_mcneil_table(auc: float, n: int, expected: float) -> None:
    # Hanley & McNeil (1982), Table 1 (equal class sizes), three decimals there
    assert auc_standard_error(auc, n, n) == pytest.approx(expected, abs=1.5e-3)


def test_close_to_bootstrap_spread_for_binormal_scores() -> None:
    rng = np.random.default_rng(0)
    n = 300
    labels = np.r_[np.ones(n), np.zeros(n)]
    aucs = [roc_auc_score(labels, np.r_[rng.normal(1.2, 1, n), rng.normal(0, 1, n)]) for _ in range(400)]
    sigma = auc_standard_error(float(np.mean(aucs)), n, n)
    assert sigma == pytest.approx(float(np.std(aucs)), rel=0.15)


def test_bad_input() -> None:
    with pytest.raises(InputValueError):
        auc_standard_error(1.2, 10, 10)
    with pytest.raises(InputValueError):
        auc_standard_error(0.8, 0, 10)
