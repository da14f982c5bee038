"""Seed statistics, paired differences, collapse flags and the affine R^2, against loop transcriptions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from qhep_contrast.evaluation.collapse import collapse_flags, embedding_spread
from qhep_contrast.evaluation.contribution import linear_r2
from qhep_contrast.evaluation.seed_statistics import paired_difference, seed_spread

T_975 = {1: 12.706204736, 2: 4.302652730, 4: 2.776445105, 9: 2.262157163}
"""Two-sided 95 % quantiles t_{0.975, dof} from a printed table (Student's t)."""


def _loop_paired(a: list[float], b: list[float]) -> tuple[float, float, float, float]:
    d = [x - y for x, y in zip(a, b)]
    n = len(d)
    mean = 0.0
    for v in d:
        mean += v / n
    ss = 0.0
    for v in d:
        ss += (v - mean) ** 2
    sd = math.sqrt(ss / (n - 1))
    half = T_975[n - 1] * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_paired_difference_equals_a_loop_transcription(n: int) -> None:
    rng = np.random.default_rng(n)
    hybrid = rng.uniform(0.7, 0.85, n).tolist()
    control = (np.asarray(hybrid) + rng.normal(0.01, 0.02, n)).tolist()
    got = paired_difference(control, hybrid)
    mean, sd, low, high = _loop_paired(control, hybrid)
    assert (got.mean, got.sd, got.low, got.high, got.n) == pytest.approx((mean, sd, low, high, n), abs=1e-9)
    assert 0.0 < got.p_value <= 1.0


def test_paired_difference_p_value_of_a_known_case() -> None:
    """d = (1, 2, 3): mean 2, sd 1, t = 2 sqrt(3) = 3.4641 with 2 dof: two-sided p = 0.07418."""
    got = paired_difference([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert got.p_value == pytest.approx(0.0741799, abs=1e-6)


def test_paired_difference_leaves_out_non_finite_seeds_and_one_seed_has_no_interval() -> None:
    got = paired_difference([0.8, math.inf, 0.7], [0.75, 0.7, 0.72])
    assert got.n == 2 and got.mean == pytest.approx((0.05 - 0.02) / 2)
    single = paired_difference([0.8], [0.7])
    assert single.mean == pytest.approx(0.1) and math.isnan(single.low)


def test_a_seed_infinite_in_both_models_is_left_out_without_a_warning() -> None:
    """1/eps_B = inf in both models (no background left at that efficiency): no ``inf - inf`` is computed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = paired_difference([math.inf, 30.0, 20.0], [math.inf, 25.0, 21.0])
    assert got.n == 2 and got.mean == pytest.approx((5.0 - 1.0) / 2)


def test_seed_spread_uses_the_sample_sd() -> None:
    s = seed_spread([0.7, 0.8, 0.9])
    assert (s.mean, s.sd, s.min, s.max, s.n) == pytest.approx((0.8, 0.1, 0.7, 0.9, 3))
    assert seed_spread([0.5]).sd == 0.0


def test_a_collapsed_run_is_flagged() -> None:
    constant = embedding_spread(np.ones((50, 8)) * 0.3)
    assert any("vanishes" in f for f in collapse_flags(0.8, **_spread(constant)))
    assert any("within 0.1 of 0.5" in f for f in collapse_flags(0.55))
    healthy = embedding_spread(np.random.default_rng(0).normal(size=(50, 8)))
    assert collapse_flags(0.8, **_spread(healthy)) == []


def _spread(values: dict[str, float]) -> dict[str, float]:
    return {"variance": values["embedding_variance"], "mean_square": values["embedding_mean_square"]}


def test_linear_r2_equals_sklearn_and_is_one_for_affine_maps() -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(3)
    x_train, x_test = rng.normal(size=(80, 4)), rng.normal(size=(30, 4))
    a, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    assert linear_r2(x_train, x_train @ a + b, x_test, x_test @ a + b) == pytest.approx(1.0, abs=1e-12)
    y_train, y_test = np.tanh(x_train @ a) + 0.3 * rng.normal(size=(80, 3)), np.tanh(x_test @ a)
    expected = r2_score(y_test, LinearRegression().fit(x_train, y_train).predict(x_test),
                        multioutput="variance_weighted")
    assert linear_r2(x_train, y_train, x_test, y_test) == pytest.approx(expected, abs=1e-10)
