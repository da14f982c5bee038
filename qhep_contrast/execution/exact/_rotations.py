"""Rewrite input-dependent single-qubit rotations as ``L . diag(e^{i a_0 t}, e^{i a_1 t}) . R``.

A single-qubit gate in U-form has derived angles ``d = C + K t`` (``theta, phi, lam, gamma``). When at most
one of ``theta, phi, lam`` depends on the per-sample angle ``t`` (true for ``rx, ry, rz, p`` and for
``u``/``r`` with one varying angle), the gate factors into constant matrices around a diagonal:

* ``theta`` varies:  ``L = e^{i(gamma_0 + (phi_0 + lam_0)/2)} RZ(phi_0) RY(theta_0) S H``,
  ``R = H S^dagger RZ(lam_0)``, ``a = (K_gamma - K_theta/2, K_gamma + K_theta/2)``
  (using ``RY(a) = S H RZ(a) H S^dagger``);
* ``phi`` varies:    ``L = e^{i(gamma_0 + (phi_0 + lam_0)/2)} RZ(phi_0)``, ``R = RY(theta_0) RZ(lam_0)``,
  ``a = (K_gamma, K_gamma + K_phi)``;
* ``lam`` varies:    ``L = e^{i(gamma_0 + (phi_0 + lam_0)/2)} RZ(phi_0) RY(theta_0)``, ``R = RZ(lam_0)``,
  ``a = (K_gamma, K_gamma + K_lam)``;
* only ``gamma`` varies: ``L = e^{i gamma_0} U(theta_0, phi_0, lam_0)``, ``R = I``, ``a = (K_gamma, K_gamma)``;

with ``U(theta, phi, lam) = e^{i(phi + lam)/2} RZ(phi) RY(theta) RZ(lam)``. The diagonal factors of a whole
layer of such gates combine into one phase vector ``exp(i t @ A)``: one small GEMM and one elementwise
multiplication per layer instead of one pass over the state per qubit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["factor_rotation"]

_S = np.diag([1, 1j])
_H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


def _rz(a: float) -> np.ndarray:
    return np.diag([np.exp(-0.5j * a), np.exp(0.5j * a)])


def _ry(a: float) -> np.ndarray:
    c, s = np.cos(a / 2), np.sin(a / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def factor_rotation(const: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Factor ``exp(i gamma) U(theta, phi, lam)`` with derived angles ``const + coef * t``.

    Args:
        const: ``(4,)`` constant parts of ``(theta, phi, lam, gamma)``.
        coef: ``(4,)`` coefficients of ``t``.

    Returns:
        ``(L, R, a)`` with ``gate(t) = L @ diag(exp(1j * a * t)) @ R``, or None when two of
        ``theta, phi, lam`` vary with ``t`` (then the gate is not a single-axis rotation).
    """
    theta0, phi0, lam0, gamma0 = const
    k_theta, k_phi, k_lam, k_gamma = coef
    varying = [k != 0 for k in (k_theta, k_phi, k_lam)]
    if sum(varying) > 1:
        return None
    outer = np.exp(1j * (gamma0 + (phi0 + lam0) / 2))
    if k_theta:
        left = outer * _rz(phi0) @ _ry(theta0) @ _S @ _H
        right = _H @ _S.conj().T @ _rz(lam0)
        return left, right, np.array([k_gamma - k_theta / 2, k_gamma + k_theta / 2])
    if k_phi:
        return outer * _rz(phi0), _ry(theta0) @ _rz(lam0), np.array([k_gamma, k_gamma + k_phi])
    if k_lam:
        return outer * _rz(phi0) @ _ry(theta0), _rz(lam0), np.array([k_gamma, k_gamma + k_lam])
    full = outer * _rz(phi0) @ _ry(theta0) @ _rz(lam0)
    return full, np.eye(2, dtype=complex), np.array([k_gamma, k_gamma])
