"""`PrimitiveRunner`: a :class:`~qhep_contrast.qnn.QuantumLayer` evaluated with Qiskit V2 primitives.

The circuit runs through qiskit-machine-learning's ``EstimatorQNN`` (expectations) or ``SamplerQNN``
(probabilities) with ``input_gradients=True`` and our batched parameter-shift gradients
(:mod:`qhep_contrast.qnn.gradients`), so one training step costs one primitive job forward and one
backward, whatever the batch size and number of parameters.

The QNN is wrapped in :class:`LayerConnector`, a qiskit-machine-learning ``TorchConnector`` that evaluates
at the weight it is given (the owning layer's ``weight``) and keeps the input's float dtype (the base
class's autograd function returns float32 whatever the input). So the layer's ``weight`` is *the* weight:
weights trained on ``exact`` load unchanged into ``aer``/``ibm`` layers and back, and the layer's
``state_dict`` stays ``{"weight"}``. Gradients flow to ``x`` (earlier layers) and ``weight``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import torch
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_machine_learning.connectors import TorchConnector

from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.execution.config import ExecutionConfig
from qhep_contrast.execution.program import PrimitiveKind, PrimitiveProgram, build_program
from qhep_contrast.qnn.gradients import BatchedParamShiftEstimatorGradient, BatchedParamShiftSamplerGradient

__all__ = ["PrimitiveRunner", "LayerConnector"]


class _QNNFunction(torch.autograd.Function):
    """``qnn.forward(x, w)`` with ``qnn.backward`` as its vector-Jacobian product, in the dtype of ``x``.

    Backward: ``grad_x[b, i] = sum_o g[b, o] dF[b, o]/dx[b, i]``, ``grad_w[k] = sum_{b,o} g[b, o] dF[b, o]/dw[k]``
    (the contractions of ``TorchConnector``'s own function, without its cast to float32).
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, weight: torch.Tensor, qnn: Any) -> torch.Tensor:  # noqa: D102
        ctx.qnn = qnn
        ctx.save_for_backward(x, weight)
        out = qnn.forward(_numpy(x), _numpy(weight))
        return torch.as_tensor(np.asarray(out, dtype=np.float64), dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple:  # noqa: D102
        x, weight = ctx.saved_tensors
        input_grad, weight_grad = ctx.qnn.backward(_numpy(x), _numpy(weight))
        g = grad_out.detach().to("cpu", torch.float64)
        grad_x = grad_w = None
        if ctx.needs_input_grad[0] and input_grad is not None:
            grad_x = torch.einsum("bo,boi->bi", g, torch.as_tensor(np.asarray(input_grad), dtype=torch.float64))
            grad_x = grad_x.to(x.dtype).to(x.device)
        if ctx.needs_input_grad[1] and weight_grad is not None:
            grad_w = torch.einsum("bo,bow->w", g, torch.as_tensor(np.asarray(weight_grad), dtype=torch.float64))
            grad_w = grad_w.to(weight.dtype).to(weight.device)
        return grad_x, grad_w, None


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu", torch.float64).numpy()


class LayerConnector(TorchConnector):
    """``TorchConnector(qnn)`` that evaluates at a weight passed per call, in the input's float dtype.

    ``connector(x)`` uses the connector's own ``weight`` (plain ``TorchConnector`` behaviour);
    ``connector(x, weight)`` uses ``weight`` instead, so a :class:`~qhep_contrast.qnn.QuantumLayer` keeps
    its single ``weight`` parameter on every executor. One ``forward`` is one ``qnn.forward`` (one primitive
    job with the package's primitives), one backward one ``qnn.backward`` (one job with the batched
    parameter-shift gradients).

    Args:
        qnn: an ``EstimatorQNN`` or ``SamplerQNN`` built with ``input_gradients=True``.
    """

    def __init__(self, qnn: Any) -> None:
        super().__init__(qnn, initial_weights=np.zeros(qnn.num_weights))

    def forward(self, input_data: torch.Tensor | None = None,
                weight: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, num_inputs) -> (B, num_outputs)`` at ``weight`` (default: the connector's own)."""
        x = torch.zeros(0) if input_data is None else input_data
        return _QNNFunction.apply(x, self.weight if weight is None else weight, self.neural_network)


class PrimitiveRunner:
    """Runner ``(x (B, n_in), weight (n_w,)) -> (B, n_out)`` on the ``aer`` or ``ibm`` executor.

    Args:
        spec: circuit and parameter roles.
        observables: observables for ``output="expectation"``.
        output: ``"expectation"`` (``EstimatorQNN``), ``"probabilities"`` (``SamplerQNN``, needs shots) or
            ``"marginals"`` (``SamplerQNN`` on a circuit that measures only ``readout_qubits``, qubit
            ``readout_qubits[i]`` into bit ``i``: the counts are the marginal distribution directly).
        execution: the ``ExecutionConfig`` (kind ``"aer"`` or ``"ibm"``).
        readout_qubits: the measured qubits of ``output="marginals"``.

    Attributes:
        program: the prepared circuit and primitive (see :class:`~qhep_contrast.execution.program.PrimitiveProgram`).
        qnn: the qiskit-machine-learning network.
        connector: the :class:`LayerConnector` (a ``TorchConnector``) around ``qnn``.
        primitive: the innermost Aer/Runtime primitive: one ``run`` call is one job.
    """

    def __init__(self, spec: CircuitSpec, observables: Sequence[SparsePauliOp], output: str,
                 execution: ExecutionConfig, readout_qubits: Sequence[int] = ()) -> None:
        self.spec = spec
        self.output = output
        circuit = spec.circuit
        outcomes = 2**spec.num_qubits
        if output == "marginals":
            circuit = _measure_readout(circuit, tuple(readout_qubits))
            outcomes = 2 ** len(readout_qubits)
        elif output == "probabilities" and not circuit.num_clbits:
            circuit = circuit.measure_all(inplace=False)
        kind: PrimitiveKind = "estimator" if output == "expectation" else "sampler"
        self.program: PrimitiveProgram = build_program(execution, circuit, observables, kind)
        used = set(self.program.circuit.parameters)
        self._inputs = [i for i, p in enumerate(spec.inputs) if p in used]
        self._weights = [i for i, p in enumerate(spec.weights) if p in used]
        inputs = [spec.inputs[i] for i in self._inputs]
        weights = [spec.weights[i] for i in self._weights]
        self.qnn = (self._estimator_qnn(inputs, weights) if kind == "estimator"
                    else self._sampler_qnn(inputs, weights, outcomes))
        self.connector = LayerConnector(self.qnn)

    @property
    def primitive(self) -> Any:
        """The innermost primitive (count its ``run`` calls to count jobs)."""
        return self.program.backend_primitive

    def _estimator_qnn(self, inputs: list, weights: list) -> Any:
        from qiskit_machine_learning.neural_networks import EstimatorQNN

        p = self.program
        gradient = BatchedParamShiftEstimatorGradient(p.primitive, precision=p.precision)
        return EstimatorQNN(circuit=p.circuit, estimator=p.primitive, observables=list(p.observables),
                            input_params=inputs, weight_params=weights, gradient=gradient,
                            input_gradients=True, default_precision=cast(float, p.precision))

    def _sampler_qnn(self, inputs: list, weights: list, outcomes: int) -> Any:
        from qiskit_machine_learning.neural_networks import SamplerQNN

        p = self.program
        circuit = p.circuit.copy()
        # SamplerQNN re-maps outcomes through a circuit layout as if measurements were on physical qubits;
        # ours measure the logical qubits into their own bits, so the layout must not be applied.
        circuit._layout = None
        return SamplerQNN(circuit=circuit, sampler=p.primitive, input_params=inputs, weight_params=weights,
                          interpret=_identity, output_shape=outcomes,
                          gradient=BatchedParamShiftSamplerGradient(p.primitive), input_gradients=True)

    def __call__(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Evaluate every row of ``x`` with ``weight``; differentiable in both."""
        xs = x[:, self._inputs] if len(self._inputs) != x.shape[1] else x
        ws = weight[self._weights] if len(self._weights) != weight.shape[0] else weight
        return self.connector(xs, ws)

    def close(self) -> None:
        """Close a Runtime batch/session held by this runner."""
        self.program.close()


def _measure_readout(circuit: QuantumCircuit, qubits: tuple[int, ...]) -> QuantumCircuit:
    """A copy of ``circuit`` (without its own measurements) measuring qubit ``qubits[i]`` into bit ``i``."""
    measured = circuit.remove_final_measurements(inplace=False) if circuit.num_clbits else circuit.copy()
    register = ClassicalRegister(len(qubits), "meas")  # SamplerQNN reads per-binding counts from "meas"
    measured.add_register(register)
    for bit, qubit in enumerate(qubits):
        measured.measure(qubit, register[bit])
    return measured


def _identity(outcome: int) -> int:
    return outcome
