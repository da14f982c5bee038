"""Vectorised statistics of sampled bitstrings (Sampler V2 ``BitArray`` s).

A ``BitArray`` of shape ``S`` holds ``shots`` outcomes of ``num_bits`` classical bits per location; bit
``i`` is classical bit ``i`` (Qiskit order: bit 0 is the least significant). These helpers turn it into
integer outcomes once and compute frequencies and Z-parities with numpy, instead of building one counts
dictionary per location.
"""

from __future__ import annotations

import numpy as np
from qiskit.primitives import BitArray

from qhep_contrast.exceptions import ShapeError

__all__ = ["outcomes", "frequencies", "z_signs", "MAX_HISTOGRAM_BITS"]

#: Widest register for which :func:`frequencies` builds a dense ``2**num_bits`` histogram.
MAX_HISTOGRAM_BITS = 20


def outcomes(bits: BitArray) -> np.ndarray:
    """Integer outcome of every shot, shape ``bits.shape + (shots,)``, dtype ``uint64``.

    Raises:
        ShapeError: more than 64 classical bits.
    """
    if bits.num_bits > 64:
        raise ShapeError(f"outcomes: {bits.num_bits} classical bits do not fit a 64-bit integer; "
                         "measure at most 64 bits per register.")
    packed = bits.array.astype(np.uint64)  # (..., shots, num_bytes), big-endian bytes
    weights = np.left_shift(np.uint64(1), np.arange(packed.shape[-1] - 1, -1, -1, dtype=np.uint64) * np.uint64(8))
    return (packed * weights).sum(axis=-1, dtype=np.uint64)


def frequencies(values: np.ndarray, num_bits: int) -> np.ndarray:
    """Relative frequency of every outcome: ``values (..., shots)`` -> ``(..., 2**num_bits)`` float64.

    Raises:
        ShapeError: ``num_bits`` above :data:`MAX_HISTOGRAM_BITS`.
    """
    if num_bits > MAX_HISTOGRAM_BITS:
        raise ShapeError(f"frequencies: a dense histogram of {num_bits} bits has 2**{num_bits} entries; "
                         f"the limit is {MAX_HISTOGRAM_BITS} bits.")
    lead, shots = values.shape[:-1], values.shape[-1]
    rows = int(np.prod(lead, dtype=np.int64))
    size = 1 << num_bits
    flat = values.reshape(rows, shots).astype(np.int64) + (np.arange(rows, dtype=np.int64) * size)[:, None]
    counts = np.bincount(flat.ravel(), minlength=rows * size).reshape(*lead, size)
    return counts / shots


def z_signs(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per-shot eigenvalue ``(-1)^popcount(outcome & mask)`` of Z-type Pauli strings.

    Args:
        values: outcomes ``(..., shots)`` (``uint64``).
        masks: ``(T,)`` bit masks, one per Z-type Pauli string (bit ``i`` set: ``Z`` on classical bit ``i``).

    Returns:
        ``(..., shots, T)`` float32 array of +1/-1 (call on chunks of rows to bound memory).
    """
    masks = np.asarray(masks, dtype=np.uint64)
    odd = np.bitwise_count(values[..., None] & masks) & 1
    return 1.0 - 2.0 * odd.astype(np.float32)
