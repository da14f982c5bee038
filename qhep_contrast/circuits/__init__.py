"""qhep_contrast.circuits: pure builder functions returning :class:`CircuitSpec` objects.

- Encoders: :func:`angle_encoder`, :func:`token_loader`, :func:`reuploading_encoder`,
  :func:`amplitude_encoder` (+ :func:`amplitude_angles` to turn vectors into its inputs).
- Ansätze: :func:`hardware_efficient`, :func:`qcnn`, :func:`qvit_query_key`, :func:`qvit_value`,
  :func:`quantum_autoencoder`.
- Classifiers: :func:`qssl_classifier` (5 qubits, one readout qubit).
- :func:`compose` joins an encoder and an ansatz.
- Anomaly autoencoder: :func:`patch_reuploading_encoder` (with :func:`patch_pixel_map`), :func:`sqae_swap_test`,
  :func:`sqae_circuit` (the 15-qubit SQAE), :func:`sqae_inverse_reference` (the same fidelity on the 9 data qubits).
- Fidelity circuits and estimators: :func:`swap_test`, :func:`compute_uncompute`,
  :func:`destructive_swap_test`, :func:`swap_test_fidelity`, :func:`compute_uncompute_fidelity`,
  :func:`destructive_swap_parities`, :func:`destructive_swap_fidelity`.
- :data:`BUILDERS`, :func:`default_specs`, :func:`w1_spec`, :func:`w2_spec`; :data:`ENGINE_GATES`, the gate set
  every builder keeps to.
- :func:`circuit_fingerprint` (a process-stable content hash), :func:`without_parametric_phases` (rewrite
  parametrized ``u``/``p``/``cp`` up to a global phase before transpiling); the stored circuits are handled by
  :mod:`qhep_contrast.circuits.store`.
"""

from __future__ import annotations

from qhep_contrast.circuits.amplitude import amplitude_angles
from qhep_contrast.circuits.ansatze import hardware_efficient, qcnn, quantum_autoencoder, qvit_query_key, qvit_value
from qhep_contrast.circuits.classifiers import qssl_classifier
from qhep_contrast.circuits.compose import compose
from qhep_contrast.circuits.encoders import amplitude_encoder, angle_encoder, reuploading_encoder, token_loader
from qhep_contrast.circuits.fidelity import (
    compute_uncompute,
    compute_uncompute_fidelity,
    destructive_swap_fidelity,
    destructive_swap_parities,
    destructive_swap_test,
    swap_test,
    swap_test_fidelity,
)
from qhep_contrast.circuits.fingerprint import canonical_text, circuit_fingerprint
from qhep_contrast.circuits.gates import ENGINE_GATES, unsupported_instructions
from qhep_contrast.circuits.patches import patch_pixel_map, patch_reuploading_encoder
from qhep_contrast.circuits.phase_free import PHASE_GATES, without_parametric_phases
from qhep_contrast.circuits.product_standin import product_standin
from qhep_contrast.circuits.registry import BUILDERS, default_specs, w1_spec, w2_spec
from qhep_contrast.circuits.spec import CircuitSpec, z_observables
from qhep_contrast.circuits.sqae import sqae_circuit, sqae_inverse_reference, sqae_swap_test

__all__ = [
    "CircuitSpec",
    "z_observables",
    "angle_encoder",
    "token_loader",
    "reuploading_encoder",
    "amplitude_encoder",
    "amplitude_angles",
    "hardware_efficient",
    "qcnn",
    "qvit_query_key",
    "qvit_value",
    "quantum_autoencoder",
    "qssl_classifier",
    "compose",
    "product_standin",
    "swap_test",
    "compute_uncompute",
    "destructive_swap_test",
    "swap_test_fidelity",
    "compute_uncompute_fidelity",
    "destructive_swap_parities",
    "destructive_swap_fidelity",
    "patch_pixel_map",
    "patch_reuploading_encoder",
    "sqae_swap_test",
    "sqae_inverse_reference",
    "sqae_circuit",
    "BUILDERS",
    "default_specs",
    "w1_spec",
    "w2_spec",
    "ENGINE_GATES",
    "unsupported_instructions",
    "canonical_text",
    "circuit_fingerprint",
    "PHASE_GATES",
    "without_parametric_phases",
]
