"""Expectation values of ``SparsePauliOp`` observables on batches of statevectors.

A Pauli string ``P = (-i)^q Z^z X^x`` (Qiskit's symplectic form, ``q`` = group phase + |z & x|) maps
``|k> -> (-i)^q (-1)^{|z & (k ^ x)|} |k ^ x>``, so

    <psi|P|psi> = sum_k conj(psi[k ^ x]) (-i)^q (-1)^{|z & (k ^ x)|} psi[k].

Terms are grouped by their X mask. Z-only terms (``x = 0``) read the probabilities with one real matmul;
each other mask costs one gather and one complex matmul.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.exceptions import ShapeError

__all__ = ["ObservableProgram"]


def _popcount_parity(v: np.ndarray) -> np.ndarray:
    out = np.zeros_like(v)
    while np.any(v):
        out ^= v & 1
        v = v >> 1
    return out


class ObservableProgram:
    """Compiled observables: ``expectation(psi (B, 2**n)) -> (B, n_obs)`` real.

    Args:
        observables: ``SparsePauliOp`` on ``num_qubits`` qubits each (Hermitian: imaginary parts of the
            coefficients are dropped from the result, which is real by definition).
        num_qubits: width of the states.
    """

    def __init__(self, observables: Sequence[SparsePauliOp], num_qubits: int) -> None:
        dim = 2**num_qubits
        k = np.arange(dim)
        groups: dict[int, np.ndarray] = {}
        zterms: list[tuple[int, int, float]] = []  # (observable, Z mask, real coefficient) of diagonal terms
        for o, obs in enumerate(observables):
            if not isinstance(obs, SparsePauliOp):
                obs = SparsePauliOp(obs)
            if obs.num_qubits != num_qubits:
                raise ShapeError(
                    f"observable {o} acts on {obs.num_qubits} qubits but the circuit has {num_qubits}; "
                    f"build it with num_qubits={num_qubits}."
                )
            paulis = obs.paulis
            for t in range(len(paulis)):
                zbits, xbits = paulis.z[t], paulis.x[t]
                zmask = int(sum(1 << i for i in np.flatnonzero(zbits)))
                xmask = int(sum(1 << i for i in np.flatnonzero(xbits)))
                q = (int(paulis.phase[t]) + int(np.count_nonzero(zbits & xbits))) % 4
                coef = complex(obs.coeffs[t]) * (-1j) ** q
                if xmask == 0:  # diagonal: only the real part reaches the (real) result; tabulated per dtype
                    zterms.append((o, zmask, coef.real))
                    continue
                sign = 1 - 2 * _popcount_parity((k ^ xmask) & zmask)
                mat = groups.setdefault(xmask, np.zeros((dim, len(observables)), dtype=complex))
                mat[:, o] += coef * sign
        self.num_observables = len(observables)
        self.dim = dim
        self.num_qubits = num_qubits
        self._zterms = zterms
        self._x = [(xmask, k ^ xmask, m) for xmask, m in groups.items()]
        self._cache: dict = {}

    def _consts(self, dtype: torch.dtype, device: torch.device):
        key = (dtype, device)
        if key not in self._cache:
            real = torch.empty((), dtype=dtype).real.dtype
            z = self._z_table(real, device) if self._zterms else None
            xs = [(torch.as_tensor(src, device=device), torch.as_tensor(m, dtype=dtype, device=device))
                  for _, src, m in self._x]
            self._cache[key] = (z, xs)
        return self._cache[key]

    def _z_table(self, real: torch.dtype, device: torch.device) -> torch.Tensor:
        """``(2**n, n_obs)``: ``sum_t c_t (-1)^{|k & zmask_t|}`` per observable, built directly in ``real`` (no
        wider intermediate: at 24 qubits and 24 observables a float64 table alone would be 3 GiB)."""
        z = torch.zeros(self.dim, self.num_observables, dtype=real, device=device)
        k = torch.arange(self.dim, device=device)
        for o, zmask, coef in self._zterms:
            parity = torch.zeros_like(k)
            for q in range(self.num_qubits):
                if zmask >> q & 1:
                    parity ^= (k >> q) & 1
            z[:, o] += coef * (1 - 2 * parity).to(real)
        return z

    @property
    def z_only(self) -> bool:
        """True when every term is diagonal (``I``/``Z`` only): the value is ``|psi|^2 @ z_matrix``."""
        return not self._x

    def z_matrix(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """The real ``(2**n, n_obs)`` read-out matrix of the diagonal terms (zeros when there are none)."""
        z, _ = self._consts(dtype, device)
        if z is None:
            real = torch.empty((), dtype=dtype).real.dtype
            key = ("zeros", dtype, device)
            if key not in self._cache:
                self._cache[key] = torch.zeros(self.dim, self.num_observables, dtype=real, device=device)
            z = self._cache[key]
        return z

    def __call__(self, psi: torch.Tensor) -> torch.Tensor:
        z, xs = self._consts(psi.dtype, psi.device)
        out = None
        if z is not None:
            out = (psi.real.square() + psi.imag.square()) @ z
        for src, m in xs:
            term = ((psi[:, src].conj() * psi) @ m).real
            out = term if out is None else out + term
        if out is None:
            out = psi.real.new_zeros((psi.shape[0], self.num_observables))
        return out
