"""Patch-wise data re-uploading: each qubit loads the pixels of one image patch (T. Magorsch's SQAE encoder).

:func:`patch_pixel_map` says which pixels go to which qubit; :func:`patch_reuploading_encoder` builds the
circuit. Pixel ``p`` of an ``S x S`` image is input ``x[p]`` with ``p = row * S + col`` (row-major, the
order of ``image.flatten()``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit.circuit import ParameterVector, QuantumCircuit

from qhep_contrast.circuits._checks import check_choices, check_int
from qhep_contrast.circuits._layers import ROTATIONS, apply_rotation
from qhep_contrast.circuits.spec import CircuitSpec, z_observables
from qhep_contrast.exceptions import CircuitError

__all__ = ["patch_pixel_map", "patch_reuploading_encoder", "SQAE_ROTATIONS"]

SQAE_ROTATIONS: tuple[str, ...] = ("rz", "ry", "rz")
"""The axis cycle of the published SQAE encoder: pixel ``k`` of a patch uses ``("rz", "ry", "rz")[k % 3]``."""


def patch_pixel_map(image_size: int, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """Pixel indices of every patch: row ``q`` lists the ``k * k`` pixels that qubit ``q`` loads.

    Patches start at rows and columns ``0, s, 2s, ...`` (while they fit) and are numbered row by row; inside a
    patch the pixels are taken row by row. For ``image_size = 12, kernel_size = stride = 4`` this is 9 disjoint
    4 x 4 patches (qubit 0: pixels 0-3, 12-15, 24-27, 36-39); for ``9, 3, 2`` it is 16 overlapping 3 x 3 patches.

    Args:
        image_size: side ``S`` of the square image.
        kernel_size: side ``k`` of a patch, ``1 <= k <= S``.
        stride: step ``s`` between patches (None: ``k``, disjoint patches).

    Returns:
        int64 array ``(n_patches, k * k)`` of row-major pixel indices.

    Raises:
        CircuitError: an argument is out of range.
    """
    check_int("image_size", image_size, 1)
    check_int("kernel_size", kernel_size, 1, image_size)
    step = kernel_size if stride is None else check_int("stride", stride, 1)
    starts = range(0, image_size - kernel_size + 1, step)
    rows = []
    for top in starts:
        for left in starts:
            window = (np.arange(top, top + kernel_size)[:, None] * image_size
                      + np.arange(left, left + kernel_size)[None, :])
            rows.append(window.reshape(-1))
    return np.stack(rows).astype(np.int64)


def patch_reuploading_encoder(image_size: int = 12, kernel_size: int = 4, stride: int | None = None,
                              num_layers: int = 2, rotations: Sequence[str] = SQAE_ROTATIONS) -> CircuitSpec:
    """Patch re-uploading encoder: every pixel of qubit ``q``'s patch as a rotation ``b + w * x`` on ``q``.

    One re-upload block (``l = 0 .. L-1``, the "DRCs") loads, on each qubit ``q`` in turn, the pixels
    ``x[m]`` of its patch (``m`` from :func:`patch_pixel_map`, slot ``k = 0 .. k^2 - 1``) with the angle
    ``eb[j] + ew[j] * x[m]`` about the axis ``rotations[k % len(rotations)]`` (RZ, RY, RZ, RZ, RY, ... by
    default), ``j = (l * n + q) * k^2 + k``; then a circular CNOT ladder ``CX(n-1, 0), CX(0, 1), ...,
    CX(n-2, n-1)``::

        q0: ─RZ(eb0+ew0 x0)─RY(eb1+ew1 x1)─RZ(...)─...─X──■────────...─
        q1: ─RZ(...)───────RY(...)────────RZ(...)─...──┼──X──■─────...─
        ...                                            │
        q8: ─RZ(...)───────RY(...)────────RZ(...)─...──■──────── ...─■─

    Weights: ``2 * L * n * k^2`` (all ``ew``, then all ``eb``); ``576`` for the SQAE (``S = 12, k = s = 4``,
    ``n = 9`` qubits, ``L = 2``). Inputs: the ``S^2`` pixels (pixels outside every patch are unused).
    Observables: ``Z_q`` on every qubit.

    Reference: T. Magorsch, "Quantum autoencoders for HEP anomaly detection" (ML4SCI GSoC 2022, ``hep-VQAE``),
    after V. S. Ngairangbam, M. Spannowsky, M. Takeuchi, Phys. Rev. D 105, 095004 (2022).

    Args:
        image_size: side ``S`` of the square input image.
        kernel_size: patch side ``k``.
        stride: patch step (None: ``k``).
        num_layers: number of re-upload blocks ``L``.
        rotations: axes cycled through by the pixels of a patch.

    Raises:
        CircuitError: an argument is out of range, or the patches need more than 24 qubits.
    """
    pixel_map = patch_pixel_map(image_size, kernel_size, stride)
    check_int("num_layers", num_layers, 1)
    axes = check_choices("rotations", rotations, ROTATIONS)
    num_qubits, per_qubit = pixel_map.shape
    if num_qubits > 24:
        raise CircuitError(f"patch_reuploading_encoder: {num_qubits} patches need {num_qubits} qubits (at most 24); "
                           "use a larger kernel_size or stride.")
    x = ParameterVector("x", image_size * image_size)
    count = num_layers * num_qubits * per_qubit
    ew, eb = ParameterVector("ew", count), ParameterVector("eb", count)
    circuit = QuantumCircuit(num_qubits, name="patch_reuploading_encoder")
    for layer in range(num_layers):
        for qubit in range(num_qubits):
            for slot, pixel in enumerate(pixel_map[qubit]):
                j = (layer * num_qubits + qubit) * per_qubit + slot
                apply_rotation(circuit, axes[slot % len(axes)], eb[j] + ew[j] * x[int(pixel)], qubit)
        if num_qubits > 1:
            circuit.cx(num_qubits - 1, 0)
            for qubit in range(num_qubits - 1):
                circuit.cx(qubit, qubit + 1)
    return CircuitSpec(
        circuit=circuit,
        inputs=tuple(x),
        weights=(*ew, *eb),
        observables=z_observables(num_qubits),
        name=f"patch_reupload_{image_size}px_k{kernel_size}_{num_qubits}q_{num_layers}l",
        metadata={"builder": "patch_reuploading_encoder", "image_size": image_size, "kernel_size": kernel_size,
                  "stride": stride or kernel_size, "num_layers": num_layers, "rotations": list(axes),
                  "num_qubits": num_qubits},
    )
