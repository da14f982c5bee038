"""`QuantumLayer`: a parametrised Qiskit circuit as a torch ``nn.Module``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from qiskit.quantum_info import SparsePauliOp
from torch import nn

from qhep_contrast.circuits.ansatze import MIRROR_SUFFIX
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.qnn.runners import Output, make_runner

__all__ = ["QuantumLayer", "INITS"]

INITS: tuple[str, ...] = ("uniform", "normal", "zeros", "identity_blocks")


class QuantumLayer(nn.Module):
    """A quantum circuit layer: ``forward(x (B, n_in)) -> (B, n_obs)``.

    The circuit's input parameters take the columns of ``x`` (per sample), its weight parameters the
    trainable vector ``self.weight``. The same layer runs on every executor: ``execution=None`` (or an
    ``ExecutionConfig`` of kind ``"exact"``) uses the compiled torch statevector engine, kinds ``"aer"`` and
    ``"ibm"`` use Qiskit primitives (:class:`~qhep_contrast.qnn.primitive_runner.PrimitiveRunner`: one primitive
    job for the forward pass and one for the backward pass, whatever the batch size and number of parameters).
    ``state_dict()`` is the same for every executor (a single tensor ``weight``), so weights trained on one
    executor load unchanged into another.

    Args:
        spec: circuit with input/weight parameters (from a builder in :mod:`qhep_contrast.circuits`).
        observables: observables for ``output="expectation"``; default ``spec.observables``.
        output: ``"expectation"`` (real ``(B, n_obs)``), ``"probabilities"`` (``(B, 2**n)``),
            ``"state"`` (complex ``(B, 2**n)``, exact executor only; for fidelity losses) or ``"marginals"``
            (``(B, 2**k)``: the joint distribution of ``readout_qubits``, index ``sum_i b_{q_i} 2**i`` as in
            ``Statevector.probabilities(readout_qubits)``; on ``aer``/``ibm`` only those qubits are measured).
        readout_qubits: the ``k`` qubits read out by ``output="marginals"`` (ignored otherwise).
        execution: None for the exact engine, or a :class:`~qhep_contrast.execution.ExecutionConfig`.
        init: weight initialisation: ``"uniform"`` draws ``U(-init_scale, init_scale)`` (default
            ``init_scale = pi``: every rotation angle equally likely), ``"normal"`` draws
            ``N(0, init_scale**2)`` (small ``init_scale`` such as 0.1 starts near the identity and avoids
            barren plateaus on deep circuits), ``"zeros"`` sets every angle to 0, ``"identity_blocks"`` draws
            like ``"uniform"`` and then starts every mirrored weight ``<v>_inv[k]`` equal to ``<v>[k]`` (a
            mirrored ansatz, e.g. ``hardware_efficient(..., mirrored=True)``, then starts as the identity; Grant
            et al., Quantum 3, 214 (2019)).
        init_scale: scale of the initial weights (see ``init``).
        seed: seed of the initialisation (a private ``torch.Generator``); None uses torch's global RNG.

    Attributes:
        weight: ``nn.Parameter`` of shape ``(spec.num_weights,)``, float32.
    """

    def __init__(
        self,
        spec: CircuitSpec,
        observables: Sequence[SparsePauliOp] | None = None,
        *,
        output: Output = "expectation",
        execution=None,
        init: str = "uniform",
        init_scale: float = math.pi,
        seed: int | None = None,
        readout_qubits: Sequence[int] = (),
    ) -> None:
        super().__init__()
        if not isinstance(spec, CircuitSpec):
            raise ConfigError(
                f"QuantumLayer needs a CircuitSpec (from qhep_contrast.circuits builders), got "
                f"{type(spec).__name__}; wrap a bare circuit with CircuitSpec(circuit, inputs, weights)."
            )
        self.spec = spec
        self.observables = tuple(spec.observables if observables is None else observables)
        if output == "expectation" and not self.observables:
            raise ConfigError(
                f"QuantumLayer on {spec.name!r}: output='expectation' needs observables, and the spec has none; "
                "pass observables=[...] (e.g. qhep_contrast.circuits.z_observables(n))."
            )
        self.output = output
        self.execution = execution
        self.readout_qubits = tuple(int(q) for q in readout_qubits) if output == "marginals" else ()
        self.weight = nn.Parameter(_initial_weights(spec.num_weights, init, init_scale, seed))
        if init == "identity_blocks":
            _mirror(self.weight.data, spec)
        self._runner = make_runner(spec, self.observables, output, execution, self.readout_qubits)

    @property
    def num_inputs(self) -> int:
        """Number of input columns expected by ``forward``."""
        return self.spec.num_inputs

    @property
    def num_weights(self) -> int:
        """Number of trainable circuit weights."""
        return self.spec.num_weights

    @property
    def num_outputs(self) -> int:
        """Width of the output: number of observables, ``2**k`` for marginals, ``2**n`` otherwise."""
        if self.output == "expectation":
            return len(self.observables)
        if self.output == "marginals":
            return 2 ** len(self.readout_qubits)
        return 2**self.spec.num_qubits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Evaluate the circuit for every row of ``x``.

        Args:
            x: ``(B, num_inputs)`` real tensor of input angles.

        Returns:
            ``(B, num_outputs)``: float for expectations/probabilities (float64 when ``x`` is float64),
            complex for states.
        """
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != self.num_inputs:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ShapeError(
                f"QuantumLayer({self.spec.name!r}) expects x of shape (B, {self.num_inputs}), got {got}; "
                "flatten or project your features to one column per input parameter."
            )
        if not torch.is_floating_point(x):
            raise ShapeError(f"QuantumLayer expects a floating-point x, got {x.dtype}.")
        return self._runner(x, self.weight)

    def forward_views(self, *views: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Evaluate several batches (e.g. the two augmented views of a contrastive batch) in one call.

        The batches are concatenated along the batch axis, evaluated by one :meth:`forward` and split
        again, so the weight-only work of the circuit (its single-qubit matrices and window products on the
        exact engine; one primitive job on the others) is done once per step instead of once per view.
        ``forward_views(x1, x2)`` equals ``(forward(x1), forward(x2))`` up to floating-point rounding.

        Args:
            views: one or more ``(B_i, num_inputs)`` tensors (batch sizes may differ).

        Returns:
            One output per view, ``(B_i, num_outputs)``, in the order given.
        """
        if not views:
            raise ShapeError("forward_views needs at least one batch of inputs, got none.")
        out = self.forward(torch.cat(views, dim=0) if len(views) > 1 else views[0])
        return tuple(out.split([v.shape[0] for v in views], dim=0))

    def extra_repr(self) -> str:
        return (f"spec={self.spec.name!r}, qubits={self.spec.num_qubits}, inputs={self.num_inputs}, "
                f"weights={self.num_weights}, output={self.output!r}, "
                f"executor={getattr(self.execution, 'kind', 'exact')!r}")


def _mirror(weight: torch.Tensor, spec: CircuitSpec) -> None:
    """Set every ``<v>_inv[k]`` weight to ``<v>[k]`` in place (identity-block initialisation)."""
    index = {p.name: i for i, p in enumerate(spec.weights)}
    pairs = [(index[p.name.replace(f"{MIRROR_SUFFIX}[", "[")], i) for i, p in enumerate(spec.weights)
             if f"{MIRROR_SUFFIX}[" in p.name and p.name.replace(f"{MIRROR_SUFFIX}[", "[") in index]
    if not pairs:
        raise ConfigError(f"init = \"identity_blocks\" needs a mirrored ansatz (weights named <v>{MIRROR_SUFFIX}[k] "
                          f"beside <v>[k]), but circuit {spec.name!r} has none; set the ansatz's mirrored = true "
                          "(hardware_efficient) or choose another init.")
    source, target = zip(*pairs)
    weight[list(target)] = weight[list(source)]


def _initial_weights(n: int, init: str, scale: float, seed: int | None) -> torch.Tensor:
    if init not in INITS:
        raise ConfigError(f"init must be one of {INITS}, got {init!r}.")
    if not math.isfinite(scale) or scale <= 0:
        raise ConfigError(f"init_scale must be a finite number > 0, got {scale!r}.")
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    if init in ("uniform", "identity_blocks"):
        return (torch.rand(n, generator=gen) * 2 - 1) * scale
    if init == "normal":
        return torch.randn(n, generator=gen) * scale
    return torch.zeros(n)
