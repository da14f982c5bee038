"""Statistical error of a ROC AUC from the class counts (Hanley & McNeil 1982).

For an AUC ``A`` measured on ``n_p`` positives and ``n_n`` negatives,

.. math::

    \\sigma^2(A) = \\frac{A(1-A) + (n_p - 1)(Q_1 - A^2) + (n_n - 1)(Q_2 - A^2)}{n_p n_n},
    \\qquad Q_1 = \\frac{A}{2 - A}, \\quad Q_2 = \\frac{2A^2}{1 + A}.

Reference: J. A. Hanley, B. J. McNeil, "The meaning and use of the area under a receiver operating
characteristic (ROC) curve", Radiology 143, 29 (1982), eq. (1) and Table 1.
"""

from __future__ import annotations

import math

from qhep_contrast.exceptions import InputValueError

__all__ = ["auc_standard_error"]


def auc_standard_error(auc: float, n_positive: int, n_negative: int) -> float:
    """The Hanley-McNeil standard error of ``auc`` (see the module docstring).

    Raises:
        InputValueError: ``auc`` outside ``[0, 1]`` or a class count below 1.
    """
    if not 0.0 <= auc <= 1.0 or n_positive < 1 or n_negative < 1:
        raise InputValueError(f"auc_standard_error needs 0 <= auc <= 1 and at least one sample of each class, got "
                              f"auc={auc}, n_positive={n_positive}, n_negative={n_negative}.")
    q1, q2 = auc / (2.0 - auc), 2.0 * auc * auc / (1.0 + auc)
    variance = (auc * (1.0 - auc) + (n_positive - 1) * (q1 - auc * auc)
                + (n_negative - 1) * (q2 - auc * auc)) / (n_positive * n_negative)
    return math.sqrt(max(variance, 0.0))
