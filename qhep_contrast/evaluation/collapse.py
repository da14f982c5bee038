"""Flags for collapsed representations: a trained encoder that carries (almost) no class information.

A contrastive run can collapse (every image mapped to nearly the same point, or to a representation a linear
probe cannot separate); averaging such a seed with healthy ones hides it. A run is flagged when

* its linear-probe AUC is within ``auc_margin`` of 0.5 (default 0.1: AUC between 0.4 and 0.6), or
* its embedding variance vanishes: the summed per-feature variance of the test embeddings is at most
  ``variance_floor`` times their mean squared norm (default 1e-6; a constant map gives 0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["embedding_spread", "collapse_flags"]


def embedding_spread(embeddings: np.ndarray) -> dict[str, float]:
    """``embedding_variance`` (summed per-feature variance) and ``embedding_mean_square`` (mean squared norm)
    of ``(N, D)`` real embeddings."""
    z = np.asarray(embeddings, dtype=np.float64)
    if z.size == 0:
        return {"embedding_variance": 0.0, "embedding_mean_square": 0.0}
    return {"embedding_variance": float(z.var(axis=0).sum()),
            "embedding_mean_square": float(np.mean(np.sum(z * z, axis=1)))}


def collapse_flags(probe_auc: float | None, variance: float | None = None, mean_square: float | None = None, *,
                   auc_margin: float = 0.1, variance_floor: float = 1e-6, metric: str = "probe AUC",
                   spread_of: str = "embedding") -> list[str]:
    """Why a run looks collapsed (empty list: it does not).

    Args:
        probe_auc: the linear-probe ROC AUC (None: not binary, not checked), or another AUC named by ``metric``
            (an anomaly model's score AUC).
        variance, mean_square: from :func:`embedding_spread` (None: not checked) of the embeddings, or of what
            ``spread_of`` names (an anomaly model's scores).
        auc_margin, variance_floor: see the module docstring.
        metric, spread_of: the names used in the flags.
    """
    flags = []
    if probe_auc is not None and abs(probe_auc - 0.5) < auc_margin:
        flags.append(f"{metric} {probe_auc:.3f} is within {auc_margin:g} of 0.5")
    if variance is not None and mean_square is not None and variance <= variance_floor * max(mean_square, 1e-300):
        flags.append(f"{spread_of} variance {variance:.2e} vanishes (mean squared norm {mean_square:.2e})")
    return flags
