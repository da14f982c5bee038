"""``[model] kind = "sqae"``: the swap-test quantum autoencoder (SQAE) for anomaly detection.

A 12 x 12 one-channel image is cut into 3 x 3 patches of 4 x 4 pixels, one patch per data qubit (9 qubits);
every pixel is re-uploaded as ``b + w * x`` (RZ, RY, RZ, ...) with a circular CNOT ladder after each of the
``drcs`` blocks (:func:`~qhep_contrast.circuits.patch_reuploading_encoder`; 576 weights at ``drcs = 2``).
Qubits ``0 .. num_latent-1`` are the latent register, the others the trash register; the fidelity of the
trash register with a product reference state ``|r>``, ``F = <r|rho_trash|r>``, is 1 for a perfect
compression. Score: ``1 - F`` (train with ``[loss] name = "anomaly_score"``, ``power = 2``: the published
``mean (1 - F)^2``).

On the exact engine ``F`` is read from the 9-qubit statevector
(:func:`~qhep_contrast.execution.trash_overlap.trash_fidelity`); on ``aer``/``ibm`` the 15-qubit swap test
(:func:`~qhep_contrast.circuits.sqae.sqae_swap_test`, ``hardware_circuit = "swap"``) estimates
``<Z_ancilla>``, the same number, or the 9-qubit inverse-reference circuit
(:func:`~qhep_contrast.circuits.sqae.sqae_inverse_reference`, ``"cu"``) the probability that the trash
register returns to ``|0...0>``, again the same number with far fewer two-qubit gates. The weights are the
same tensors on every executor and circuit.

Reference states (``reference``): ``"zeros"`` (``|0...0>``: all-zero weights give ``F = 1`` for every input,
a pseudo-solution at the origin of weight space), ``"random"`` (a fixed Haar-random product state drawn
from ``seed + 2``), ``"trainable"`` (product-state angles trained with the weights, starting from the random
one). Seeds: circuit weights ``seed + 1``, reference ``seed + 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from qhep_contrast.circuits.patches import patch_reuploading_encoder
from qhep_contrast.circuits.sqae import sqae_inverse_reference, sqae_swap_test, trash_qubits
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.trash_overlap import product_state, trash_fidelity
from qhep_contrast.models.anomaly_base import AnomalyModel
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.options import option
from qhep_contrast.qnn.layer import INITS, QuantumLayer
from qhep_contrast.qnn.runners import make_runner

__all__ = ["SQAE", "SQAEOptions", "REFERENCES", "HARDWARE_CIRCUITS", "build_sqae", "random_reference_angles"]

REFERENCES: tuple[str, ...] = ("zeros", "random", "trainable")
HARDWARE_CIRCUITS: tuple[str, ...] = ("swap", "cu")
"""Circuits that estimate ``F`` on ``aer``/``ibm``: the swap test (15 qubits) or the inverse reference (9)."""
_IMAGE, _KERNEL = 12, 4


def random_reference_angles(num_trash: int, seed: int) -> Tensor:
    """``(2, t)`` angles ``(theta, phi)`` of a Haar-random product state: ``cos theta = 1 - 2u``, ``phi = 2 pi v``."""
    gen = torch.Generator().manual_seed(seed)
    u, v = torch.rand(2, num_trash, generator=gen, dtype=torch.float64)
    return torch.stack([torch.arccos(1.0 - 2.0 * u), 2.0 * math.pi * v]).float()


class SQAE(AnomalyModel):
    """The SQAE: ``scores(images) = 1 - F`` (see the module docstring).

    Args:
        num_latent: latent qubits (the other ``9 - num_latent`` are trash).
        drcs: re-upload blocks of the encoder.
        reference: one of :data:`REFERENCES`.
        execution: None (exact engine) or an ``ExecutionConfig`` (``aer``/``ibm``: see ``hardware_circuit``).
        hardware_circuit: on ``aer``/``ibm``, one of :data:`HARDWARE_CIRCUITS` (also settable later with
            :meth:`use_hardware_circuit`).
        init, init_scale: encoder weight initialisation (see :class:`~qhep_contrast.qnn.QuantumLayer`).
        seed: see the module docstring.

    Attributes:
        encoder: the 9-qubit encoder layer (``output="state"``); its ``weight`` holds the ``576`` angles.
        reference_angles: ``(2, t)`` (theta, phi) of ``|r>``; a parameter for ``"trainable"``, else a buffer.
    """

    score_name = "1 - F"

    def __init__(self, num_latent: int = 4, drcs: int = 2, reference: str = "random", *, execution: Any = None,
                 hardware_circuit: str = "swap", init: str = "uniform", init_scale: float = 1.0,
                 seed: int = 0) -> None:
        super().__init__((1, _IMAGE, _IMAGE))
        if reference not in REFERENCES:
            raise ConfigError(f"SQAE reference must be one of {REFERENCES}, got {reference!r}.")
        spec = patch_reuploading_encoder(_IMAGE, _KERNEL, _KERNEL, drcs)
        self.trash = trash_qubits(spec.num_qubits, num_latent)
        self.reference = reference
        self.encoder = QuantumLayer(spec, output="state", init=init, init_scale=init_scale, seed=seed + 1)
        angles = (torch.zeros(2, len(self.trash)) if reference == "zeros"
                  else random_reference_angles(len(self.trash), seed + 2))
        if reference == "trainable":
            self.reference_angles = nn.Parameter(angles)
        else:
            self.register_buffer("reference_angles", angles)
        self.swap_test = sqae_swap_test(spec, num_latent)
        self.inverse_reference = sqae_inverse_reference(spec, num_latent)
        self._execution = execution
        self.hardware_circuit = ""
        self._hardware_runner: Any = None
        self.use_hardware_circuit(hardware_circuit)

    def use_hardware_circuit(self, name: str) -> None:
        """Estimate ``F`` on ``aer``/``ibm`` with the swap test (``"swap"``) or the inverse reference (``"cu"``);
        no effect on the exact engine.

        Raises:
            ConfigError: ``name`` is not one of :data:`HARDWARE_CIRCUITS`.
        """
        if name not in HARDWARE_CIRCUITS:
            raise ConfigError(f"SQAE hardware circuit must be one of {HARDWARE_CIRCUITS} (swap test or inverse "
                              f"reference), got {name!r}.")
        self.hardware_circuit = name
        execution = self._execution
        kind = getattr(execution, "kind", "exact") if execution is not None else "exact"
        spec = self.swap_test if name == "swap" else self.inverse_reference
        self._hardware_runner = None if kind == "exact" else make_runner(spec, spec.observables, "expectation",
                                                                    execution)

    def fidelity(self, images: Tensor) -> Tensor:
        """``(B,)`` trash fidelities ``F = <r|rho_trash|r>`` of ``(B, 1, 12, 12)`` images."""
        x = self.check_images(images).flatten(1)
        theta, phi = self.reference_angles[0], self.reference_angles[1]
        if self._hardware_runner is not None:
            weights = torch.cat([self.encoder.weight, theta, phi]).to(x.dtype)
            return self._hardware_runner(x, weights)[:, 0].to(x.dtype)
        psi = self.encoder(x)
        return trash_fidelity(psi, product_state(theta, phi), self.trash).to(x.dtype)

    def scores(self, images: Tensor) -> Tensor:
        """``1 - F``."""
        return 1.0 - self.fidelity(images)


@dataclass(frozen=True)
class SQAEOptions:
    """``[model] kind = "sqae"``."""

    num_latent: int = option(4, low=1, high=8, help="latent qubits of the 9 (the rest are trash qubits)")
    drcs: int = option(2, low=1, high=16, help="data re-upload blocks (2: 576 weights)")
    reference: str = option("random", choices=REFERENCES,
                            help="trash reference |r>: zeros (|0..0>), random (fixed product state), trainable")
    init: str = option("uniform", choices=INITS, help="encoder weight initialisation")
    init_scale: float = option(1.0, low=0.0, low_open=True, help="encoder weight initialisation scale")


@MODELS.register("sqae", options=SQAEOptions, traits=ModelTraits(uses_circuit=False),
                 help="swap-test quantum autoencoder on 12x12 images (9 data qubits, score 1 - F)")
def build_sqae(options: SQAEOptions, *, image_shape: tuple[int, int, int], circuit: Any = None,
               execution: Any = None, seed: int = 0) -> SQAE:
    """The SQAE (deterministic in ``seed``); ``image_shape`` must be ``(1, 12, 12)``.

    Raises:
        ConfigError: other image shapes.
    """
    if tuple(image_shape) != (1, _IMAGE, _IMAGE):
        raise ConfigError(f"model.kind = \"sqae\" takes one-channel 12x12 images, the data give {tuple(image_shape)}; "
                          "set data.channels = [\"ECAL\"] and data.image_size = 12.")
    o = options
    return SQAE(o.num_latent, o.drcs, o.reference, execution=execution, init=o.init, init_scale=o.init_scale,
                seed=seed)
