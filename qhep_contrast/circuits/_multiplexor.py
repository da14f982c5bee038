"""Uniformly controlled RY rotations decomposed into CX + RY (Mottonen et al. 2004).

Reference: M. Mottonen, J. J. Vartiainen, V. Bergholm, M. M. Salomaa, "Transformation of quantum states
using uniformly controlled rotations", Quantum Inf. Comput. 5, 467 (2005), arXiv:quant-ph/0407010.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit.circuit import QuantumCircuit

from qhep_contrast.circuits._layers import Angle
from qhep_contrast.exceptions import CircuitError


def _gray(index: int) -> int:
    """Binary-reflected Gray code of ``index``."""
    return index ^ (index >> 1)


def gray_codes(num_bits: int) -> np.ndarray:
    """Gray codes ``g(j) = j XOR (j >> 1)`` for ``j = 0 .. 2**num_bits - 1``, int64."""
    index = np.arange(2**num_bits)
    return index ^ (index >> 1)


def gray_walsh_matrix(num_controls: int) -> np.ndarray:
    """Matrix ``M`` with ``t = M @ a``: the RY angles ``t`` realising the uniformly controlled angles ``a``.

    ``M[j, c] = (-1)**popcount(c & g(j)) / N`` for ``N = 2**num_controls`` and Gray code ``g``: row ``g(j)``
    of the Sylvester-Hadamard matrix over ``N``. See :func:`append_uniformly_controlled_ry` for the
    derivation. Shape ``(N, N)``, float64; for large ``N`` apply it as a fast Walsh-Hadamard transform.
    """
    overlap = gray_codes(num_controls)[:, None] & np.arange(2**num_controls)[None, :]
    parity: np.ndarray = np.zeros_like(overlap)
    for bit in range(num_controls):
        parity ^= (overlap >> bit) & 1
    return (1.0 - 2.0 * parity) / 2**num_controls


def append_uniformly_controlled_ry(
    circuit: QuantumCircuit, rotations: Sequence[Angle], controls: Sequence[int], target: int
) -> None:
    """Append ``RY(t_0), CX(p_0), RY(t_1), CX(p_1), ..., RY(t_{N-1}), CX(p_{N-1})`` on ``target``, ``N = 2**k``.

    With ``t = gray_walsh_matrix(k) @ a`` this is the uniformly controlled rotation
    ``sum_c |c><c| (x) RY(a_c)``, where bit ``m`` of the control value ``c`` is the state of ``controls[m]``.
    ``CX(p_j)`` is controlled by the control whose bit differs between the Gray codes ``g(j)`` and
    ``g(j+1 mod N)``. Pushing the X factors of the CX gates through the rotations (``RY(a) X = X RY(-a)``)
    shows that control value ``c`` sees the angle ``sum_j (-1)**popcount(c & g(j)) * t_j``; the X factors
    cancel because every bit flips an even number of times around the Gray cycle. Inverting this
    Walsh-Hadamard-type matrix (its rows are orthogonal with norm ``N``) gives :func:`gray_walsh_matrix`.
    With no controls it is a single ``RY(t_0)``.

    Args:
        circuit: circuit to append to (modified in place).
        rotations: the ``2**len(controls)`` RY angles ``t`` (floats or parameters), in gate order.
        controls: control qubits, least significant bit of ``c`` first.
        target: the rotated qubit.

    Raises:
        CircuitError: ``rotations`` does not have ``2**len(controls)`` entries.
    """
    count = 2 ** len(controls)
    if len(rotations) != count:
        raise CircuitError(f"{len(controls)} controls need {count} rotation angles; got {len(rotations)}.")
    if not controls:
        circuit.ry(rotations[0], target)
        return
    for j, angle in enumerate(rotations):
        circuit.ry(angle, target)
        flipped = _gray(j) ^ _gray((j + 1) % count)
        circuit.cx(controls[flipped.bit_length() - 1], target)
