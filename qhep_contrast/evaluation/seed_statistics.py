"""Statistics over training seeds: mean and spread, paired differences with t confidence intervals.

Runs that differ only in the model (hybrid vs a control) but share a seed share the data split, the
augmentation stream and the front-end initialisation, so their metrics are paired: the difference
``d_s = control_s - hybrid_s`` per seed removes the variance they share. With ``n`` seeds,

    mean d = (1/n) sum_s d_s,   sd d = sqrt( sum_s (d_s - mean d)^2 / (n - 1) ),
    CI = mean d -+ t_{(1 + level)/2, n - 1} * sd d / sqrt(n)

(Student's t with ``n - 1`` degrees of freedom; the paired t-test of Student 1908).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qhep_contrast.exceptions import ShapeError

__all__ = ["SeedSpread", "PairedDifference", "seed_spread", "paired_difference"]


@dataclass(frozen=True)
class SeedSpread:
    """Mean, sample standard deviation (``ddof = 1``; 0 for one seed), min and max of one metric over seeds."""

    mean: float
    sd: float
    min: float
    max: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


@dataclass(frozen=True)
class PairedDifference:
    """``control - hybrid`` over paired seeds: mean, sd, the ``level`` confidence interval and the two-sided
    p-value of the paired t-test (NaN for fewer than two seeds or zero spread)."""

    mean: float
    sd: float
    low: float
    high: float
    p_value: float
    n: int
    level: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def _values(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ShapeError(f"{name} must be a non-empty 1-D sequence of per-seed values, got shape {array.shape}.")
    return array


def seed_spread(values: Sequence[float]) -> SeedSpread:
    """Mean, sd (``ddof = 1``), min and max of per-seed ``values`` (finite values only)."""
    array = _values(values, "values")
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return SeedSpread(math.nan, math.nan, math.nan, math.nan, 0)
    sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    return SeedSpread(float(finite.mean()), sd, float(finite.min()), float(finite.max()), int(finite.size))


def paired_difference(control: Sequence[float], hybrid: Sequence[float], level: float = 0.95) -> PairedDifference:
    """Paired difference ``control - hybrid`` over seeds (see the module docstring).

    Args:
        control, hybrid: per-seed values, seed ``s`` at position ``s`` in both; seeds where either is not
            finite are left out.
        level: confidence level of the interval, in ``(0, 1)``.

    Raises:
        ShapeError: the sequences differ in length or are empty.
    """
    a, b = _values(control, "control"), _values(hybrid, "hybrid")
    if a.shape != b.shape:
        raise ShapeError(f"paired values need one value per seed in both, got {a.size} and {b.size}.")
    keep = np.isfinite(a) & np.isfinite(b)  # e.g. a rejection 1/eps_B = inf at zero background
    d = a[keep] - b[keep]
    n = int(d.size)
    if n == 0:
        return PairedDifference(math.nan, math.nan, math.nan, math.nan, math.nan, 0, level)
    mean = float(d.mean())
    if n < 2:
        return PairedDifference(mean, math.nan, math.nan, math.nan, math.nan, n, level)
    from scipy import stats

    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf((1.0 + level) / 2.0, n - 1)) * sd / math.sqrt(n)
    p = float(2.0 * stats.t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1)) if sd > 0 else math.nan
    return PairedDifference(mean, sd, mean - half, mean + half, p, n, level)
