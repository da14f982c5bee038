"""`ExactCircuit`: a compiled circuit evaluated on batches with torch (CPU or CUDA, autograd)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.execution.exact._adjoint import CHUNK_BYTES, adjoint_expectation, chunk_size
from qhep_contrast.execution.exact._compile import Program, build_program
from qhep_contrast.execution.exact._fused import FusedCircuit, supports
from qhep_contrast.execution.exact._observables import ObservableProgram
from qhep_contrast.execution.exact._stages import Context

__all__ = ["ExactCircuit", "MAX_QUBITS", "GRADIENTS", "ADJOINT_FROM_QUBITS", "ADJOINT_FROM_BYTES"]

#: Widest circuit the exact engine accepts (a (1, 2**26) complex64 state is 512 MiB).
MAX_QUBITS = 26

#: Gradient methods of :meth:`ExactCircuit.expectation`: ``"auto"`` picks ``"adjoint"`` from
#: :data:`ADJOINT_FROM_QUBITS` qubits or :data:`ADJOINT_FROM_BYTES` per batch of states on, and the fused
#: node (or the stage-by-stage path) below.
GRADIENTS: tuple[str, ...] = ("auto", "fused", "adjoint")

#: Width from which ``gradient="auto"`` always uses the adjoint path (bounded memory) instead of the fused
#: node: one complex64 state of 22 qubits is 32 MiB (:data:`ADJOINT_FROM_BYTES`). Below it the batch decides:
#: the fused node is faster on small batches even of wide circuits (W1 on 2 CPU cores: 20 qubits, B = 2:
#: fused 0.128 s per step, adjoint 0.188 s; 18 qubits, B = 4: 0.054 s and 0.071 s).
ADJOINT_FROM_QUBITS = 22

#: Size of one batch of states ``B * 2**n * itemsize`` from which ``gradient="auto"`` uses the adjoint path.
#: From 32 MiB on (glibc's largest heap block, see ``allocator``) every state the fused node allocates is a
#: fresh mapping that page-faults, while the adjoint path works in chunks of :data:`CHUNK_BYTES`: W1 on
#: 2 CPU cores at 16 qubits, B = 64: fused 0.60 s per step, adjoint 0.27 s; B = 32: fused 0.081 s, adjoint
#: 0.114 s; 12 qubits, B = 1024: fused 0.48 s, adjoint 0.23 s; 20 qubits, B = 64: fused 13.9 s and 9.1 GB,
#: adjoint 7.0 s and 0.9 GB.
ADJOINT_FROM_BYTES = 2**25

_COMPLEX_OF = {torch.float32: torch.complex64, torch.float64: torch.complex128}
_REAL_OF = {torch.complex64: torch.float32, torch.complex128: torch.float64}


# d = (theta, phi, lam, gamma) -> entry phases (gamma, gamma+lam, gamma+phi, gamma+phi+lam)
_U_PHASE = np.array([[0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]])
# d -> theta/2 in every entry; entry magnitudes (cos, -sin, sin, cos) = cos * _U_COS + sin * _U_SIN
_U_HALF = np.array([[0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
_U_COS = np.array([1.0, 0.0, 0.0, 1.0])
_U_SIN = np.array([0.0, -1.0, 1.0, 0.0])
_U_TENSORS: dict[tuple, tuple[torch.Tensor, ...]] = {}  # the four tables above per (dtype, device)


def _u_matrices(d: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``exp(i gamma) U(theta, phi, lam)`` from derived angles ``d (..., 4)`` -> ``(..., 2, 2)``.

    ``U = [[cos(theta/2), -e^{i lam} sin(theta/2)], [e^{i phi} sin(theta/2), e^{i(phi+lam)} cos(theta/2)]]``
    (Qiskit's ``UGate``). Evaluated in real arithmetic (small GEMMs for the entry phases and half-angles,
    four trigonometric passes) and converted to complex once: torch's complex elementwise kernels are
    several times slower than real ones on CPU.
    """
    key = (d.dtype, d.device)
    if key not in _U_TENSORS:
        _U_TENSORS[key] = tuple(torch.as_tensor(a, dtype=d.dtype, device=d.device)
                                for a in (_U_PHASE, _U_HALF, _U_COS, _U_SIN))
    to_phase, to_half, cos_part, sin_part = _U_TENSORS[key]
    phase = d @ to_phase  # two GEMMs, not one split: trig on strided slices is ~8x slower
    half = d @ to_half
    amp = torch.cos(half) * cos_part + torch.sin(half) * sin_part  # not cos(h + pi/2): exact near 0
    m = torch.complex(amp * torch.cos(phase), amp * torch.sin(phase))
    return m.reshape(*d.shape[:-1], 2, 2).to(dtype)


class ExactCircuit:
    """A circuit compiled for batched, differentiable statevector simulation.

    Create with :func:`qhep_contrast.execution.exact.compile`. All methods take

    * ``x``: inputs ``(B, n_inputs)`` real (``(B, 0)`` when the circuit has no inputs);
    * ``w``: weights ``(n_weights,)`` real;

    on the same device. The precision follows ``x``/``w`` (float64 -> complex128, else complex64) unless
    ``dtype`` is given. Results are differentiable with respect to ``x`` and ``w``.
    """

    def __init__(self, circuit: QuantumCircuit, inputs: Sequence[Parameter], weights: Sequence[Parameter]) -> None:
        if circuit.num_qubits > MAX_QUBITS:
            raise ShapeError(
                f"the exact engine simulates up to {MAX_QUBITS} qubits; this circuit has {circuit.num_qubits}. "
                "Use the `aer` executor (matrix_product_state method) for wider circuits."
            )
        self.num_qubits = circuit.num_qubits
        self.inputs = tuple(inputs)
        self.weights = tuple(weights)
        self.name = circuit.name
        self._program: Program = build_program(circuit, list(inputs), list(weights))
        #: the whole-circuit autograd node (None when a stage needs the stage-by-stage path)
        self._fused: FusedCircuit | None = FusedCircuit(self._program) if supports(self._program) else None
        self._consts: dict = {}
        self._observables: dict[tuple, ObservableProgram] = {}
        #: default gradient method of :meth:`expectation` (one of :data:`GRADIENTS`)
        self.gradient = "auto"
        #: memory budget in bytes of one chunk of states on the adjoint path
        self.chunk_bytes = CHUNK_BYTES

    @property
    def num_inputs(self) -> int:
        """Number of input parameters (columns of ``x``)."""
        return len(self.inputs)

    @property
    def num_weights(self) -> int:
        """Number of weight parameters (length of ``w``)."""
        return len(self.weights)

    @property
    def num_stages(self) -> int:
        """Number of fused stages after the product prefix (a measure of compiled depth)."""
        return len(self._program.stages)

    def _check(self, x: torch.Tensor, w: torch.Tensor) -> None:
        if not isinstance(x, torch.Tensor) or not isinstance(w, torch.Tensor):
            raise ShapeError(f"x and w must be torch tensors, got {type(x).__name__} and {type(w).__name__}.")
        if x.dim() != 2 or x.shape[1] != self.num_inputs:
            raise ShapeError(
                f"circuit {self.name!r}: x must have shape (B, {self.num_inputs}), got {tuple(x.shape)}; "
                "add a batch dimension with x.unsqueeze(0) for a single sample."
            )
        if w.dim() != 1 or w.shape[0] != self.num_weights:
            raise ShapeError(
                f"circuit {self.name!r}: w must have shape ({self.num_weights},), got {tuple(w.shape)}."
            )
        if x.is_complex() or w.is_complex():
            raise ShapeError("x and w must be real tensors (angles), got a complex tensor.")
        if x.device != w.device:
            raise ShapeError(f"x is on {x.device} but w is on {w.device}; move both to one device.")

    def statevector(self, x: torch.Tensor, w: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
        """Final states ``(B, 2**n)`` complex, Qiskit ordering (qubit 0 = least significant bit)."""
        return self._evaluate(x, w, dtype, None)

    def uses_adjoint(self, gradient: str | None = None, batch: int = 1,
                     dtype: torch.dtype = torch.complex64) -> bool:
        """Whether :meth:`expectation` with ``gradient`` (default: :attr:`gradient`) of ``batch`` samples in
        ``dtype`` takes the adjoint path.

        Raises:
            ConfigError: ``gradient`` is not one of :data:`GRADIENTS`.
        """
        gradient = self.gradient if gradient is None else gradient
        if gradient not in GRADIENTS:
            raise ConfigError(f"gradient must be one of {GRADIENTS}, got {gradient!r}.")
        if gradient != "auto":
            return gradient == "adjoint"
        state_bytes = batch * torch.empty((), dtype=dtype).element_size() << self.num_qubits
        return self.num_qubits >= ADJOINT_FROM_QUBITS or state_bytes >= ADJOINT_FROM_BYTES

    def _evaluate(self, x: torch.Tensor, w: torch.Tensor, dtype: torch.dtype | None,
                  readout: ObservableProgram | None, gradient: str | None = None) -> torch.Tensor:
        """The final states, or ``readout`` of them; fused into one autograd node when the program allows,
        by the adjoint path for read-outs when :meth:`uses_adjoint`."""
        self._check(x, w)
        if dtype is None:
            dtype = _COMPLEX_OF.get(torch.promote_types(x.dtype, w.dtype), torch.complex64)
        real = _REAL_OF.get(dtype) or torch.empty((), dtype=dtype).real.dtype
        x = x.to(real)
        w = w.to(real)
        if readout is not None and self.uses_adjoint(gradient, x.shape[0], dtype):
            chunk = chunk_size(self.num_qubits, dtype, self.chunk_bytes)
            return adjoint_expectation(self._program, self._context(x, w, dtype), readout, x.shape[0], chunk)
        if self._fused is not None and (readout is None or readout.z_only):
            shared, sample = self._program.angles.evaluate(x, w)
            z = None if readout is None else readout.z_matrix(dtype, x.device)
            return self._fused(shared, sample, x.shape[0], dtype, z)
        psi = self._statevector_stages(x, w, dtype)
        return psi if readout is None else readout(psi)

    def _statevector_stages(self, x: torch.Tensor, w: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """The stage-by-stage evaluation (every small tensor operation recorded by autograd)."""
        ctx = self._context(x, w, dtype)
        psi = self._program.prefix.initial_state(ctx)
        for stage in self._program.stages:
            psi = stage(psi, ctx)
        return psi.expand(x.shape[0], -1) if psi.shape[0] != x.shape[0] else psi

    def _context(self, x: torch.Tensor, w: torch.Tensor, dtype: torch.dtype) -> Context:
        p = self._program
        key = (dtype, x.device)
        consts = self._consts.setdefault(key, {})
        if "u" not in consts:
            real = x.dtype
            to = lambda a, t=real: torch.as_tensor(a, dtype=t, device=x.device)  # noqa: E731
            consts["u"] = (
                tuple(to(a) if i < 2 else torch.as_tensor(a, device=x.device) for i, a in enumerate(p.u_shared)),
                tuple(to(a) if i < 2 else torch.as_tensor(a, device=x.device) for i, a in enumerate(p.u_sample)),
                torch.cat([to(p.const_1q, dtype), torch.eye(2, dtype=dtype, device=x.device)[None]]),
            )
        (cs, ks, cols_s), (cp, kp, cols_p), fixed = consts["u"]
        shared, sample = p.angles.evaluate(x, w)
        zero = shared.new_zeros(1)
        theta_shared = torch.cat([zero, shared])
        # index_select, not fancy indexing: its backward is an index_add instead of an index_put
        d_shared = cs + ks * theta_shared.index_select(0, cols_s.flatten()).view(cols_s.shape)
        mats_shared = torch.cat([_u_matrices(d_shared, dtype), fixed])
        theta_sample = mats_sample = None
        if p.angles.sample.size or cols_p.shape[0]:
            b = x.shape[0]
            theta_sample = torch.cat([zero.expand(b, 1), shared.expand(b, -1), sample], dim=1)
            d_sample = cp + kp * theta_sample.index_select(1, cols_p.flatten()).view(b, *cols_p.shape)
            mats_sample = _u_matrices(d_sample, dtype)
        return Context(mats_shared, mats_sample, theta_shared, theta_sample, consts)

    def probabilities(self, x: torch.Tensor, w: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
        """Basis-state probabilities ``|psi_k|^2``, shape ``(B, 2**n)`` real."""
        psi = self.statevector(x, w, dtype)
        return psi.real.square() + psi.imag.square()

    def observable_program(self, observables: Sequence[SparsePauliOp] | ObservableProgram) -> ObservableProgram:
        """Compiled form of ``observables`` (cached by their exact Pauli arrays and coefficients)."""
        if isinstance(observables, ObservableProgram):
            return observables
        obs = [o if isinstance(o, SparsePauliOp) else SparsePauliOp(o) for o in observables]
        key = tuple((o.paulis.z.tobytes(), o.paulis.x.tobytes(), o.paulis.phase.tobytes(), o.coeffs.tobytes(),
                     o.num_qubits) for o in obs)
        if key not in self._observables:
            self._observables[key] = ObservableProgram(obs, self.num_qubits)
        return self._observables[key]

    def expectation(self, x: torch.Tensor, w: torch.Tensor, observables: Sequence[SparsePauliOp] | ObservableProgram,
                    dtype: torch.dtype | None = None, gradient: str | None = None) -> torch.Tensor:
        """Expectation values ``<psi(x_b, w)|O_j|psi(x_b, w)>``, shape ``(B, len(observables))`` real.

        ``observables`` may also be the :meth:`observable_program` of a sequence, compiled once by the caller
        (saves looking the compiled form up on every call).

        ``gradient`` (default :attr:`gradient`, itself ``"auto"``) chooses how gradients are computed:
        ``"fused"`` keeps one state per stage for the backward pass (fastest while it fits in memory);
        ``"adjoint"`` keeps O(1) states per sample and un-applies the stages backwards, processing the batch
        in chunks of :attr:`chunk_bytes` of states (bounded memory for wide circuits); ``"auto"`` takes the
        adjoint path from :data:`ADJOINT_FROM_QUBITS` qubits or :data:`ADJOINT_FROM_BYTES` per batch of states
        on (:meth:`uses_adjoint`). Both give the gradients of inputs and weights.
        """
        return self._evaluate(x, w, dtype, self.observable_program(observables), gradient)
