"""Circuit-contribution diagnostic of a trained hybrid: what changes when its circuit weights are reset.

For the trained model and the same model with every circuit weight reset to its initial value (the run's
seed rebuilds them), on the run's own splits:

* ``probe_auc_trained`` / ``probe_auc_reset``: linear-probe AUC of the representations (probe fitted on the
  training split, scored on the test split), and their difference ``reset_gap = trained - reset``;
* ``outputs_r2``: R^2 of the trained circuit's outputs as an affine map of the reset circuit's outputs
  (:func:`~qhep_contrast.evaluation.contribution.linear_r2`; 1 means training the circuit did nothing a linear
  layer could not);
* ``probe_auc_angles``: linear-probe AUC of the circuit's input angles themselves (what the front-end alone
  delivers to the circuit); None where the circuit runs on other rows than samples (a graph network's edges).

One-class anomaly models (``model.anomaly``) are scored, not embedded: their diagnostic has
``anomaly_auc_trained`` / ``anomaly_auc_reset`` (anomaly-score AUC on the balanced test split, as
:func:`~qhep_contrast.pipeline.anomaly_eval.evaluate_anomaly` draws it) in place of the probe AUCs, and no
``probe_auc_angles``.

Models with several circuit layers (the quantum attention of a vision transformer, one per encoder layer)
have all of them reset at once; see :func:`circuit_contribution`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from qhep_contrast.data import subset
from qhep_contrast.evaluation import embed_dataset, real_features
from qhep_contrast.evaluation.anomaly import anomaly_metrics, balanced_indices
from qhep_contrast.evaluation.contribution import linear_r2
from qhep_contrast.evaluation.probe import linear_probe
from qhep_contrast.experiment.builders import DataBundle, build_model
from qhep_contrast.experiment.config import RunConfig
from qhep_contrast.qnn import QuantumLayer

__all__ = ["trained_circuits", "circuit_contribution"]


def _circuit_tensors(module: nn.Module) -> list[nn.Parameter]:
    """The circuit weights ``module`` holds itself: a quantum layer's ``weight``, or what its
    ``circuit_parameters()`` names (quantum attention)."""
    if isinstance(module, QuantumLayer):
        return [module.weight] if module.num_weights > 0 else []
    named = getattr(module, "circuit_parameters", None)
    return list(named()) if callable(named) else []


def trained_circuits(model: nn.Module) -> list[nn.Module]:
    """The modules of ``model`` whose circuit weights train: quantum layers and quantum attention layers (none for
    twins, frozen circuits and stand-ins), in module order."""
    return [m for m in model.modules()
            if (weights := _circuit_tensors(m)) and all(w.requires_grad for w in weights)]


def _flat(t: torch.Tensor) -> torch.Tensor:
    return t.detach().cpu().reshape(t.shape[0], -1)


@torch.no_grad()
def _embed(model: nn.Module, layers: list[nn.Module], dataset: Any, batch_size: int,
           device: torch.device) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Representations, labels, the first layer's inputs and every layer's outputs (side by side) over
    ``dataset`` (real float64 arrays, one row per sample)."""
    inputs: list[torch.Tensor] = []
    outputs: list[list[torch.Tensor]] = [[] for _ in layers]
    hooks = [layers[0].register_forward_pre_hook(lambda _m, args: inputs.append(_flat(args[0])))]
    for layer, store in zip(layers, outputs):
        hooks.append(layer.register_forward_hook(lambda _m, _args, out, store=store: store.append(_flat(out))))
    try:
        z, y = embed_dataset(cast(Callable[[torch.Tensor], torch.Tensor], model.embed), dataset, batch_size, device)
    finally:
        for hook in hooks:
            hook.remove()
    out = np.hstack([real_features(torch.cat(store)) for store in outputs])
    return real_features(z), y, real_features(torch.cat(inputs)), out


def _set_weights(layers: list[nn.Module], values: list[torch.Tensor]) -> None:
    weights = [w for layer in layers for w in _circuit_tensors(layer)]
    for weight, value in zip(weights, values, strict=True):
        weight.data.copy_(value.to(weight.device))


def circuit_contribution(model: nn.Module, config: RunConfig, data: DataBundle,
                         device: torch.device) -> dict[str, Any]:
    """The diagnostic of the module docstring for a trained ``model`` (empty dict without a trained circuit).

    With several circuit layers (e.g. the quantum attention of every transformer layer) all of them are reset
    together; ``outputs_r2`` is then over every layer's outputs side by side and ``probe_auc_angles`` over the
    first layer's inputs.

    Args:
        model: the trained model (best checkpoint loaded), in eval mode.
        config: its run configuration (rebuilds the initial circuit weights).
        data: the run's data bundle.
        device: where to compute.
    """
    layers = trained_circuits(model)
    if not layers:
        return {}
    initial = [w.detach().clone() for layer in trained_circuits(build_model(config, data.image_shape))
               for w in _circuit_tensors(layer)]
    model.eval()
    bs = config.data.eval_batch_size
    anomaly = bool(getattr(model, "anomaly", False))
    test_set = subset(data.test, balanced_indices(data.test.labels, config.seed + 1)) if anomaly else data.test
    trained_w = [w.detach().clone() for layer in layers for w in _circuit_tensors(layer)]
    train_z, train_y, train_in, train_out = _embed(model, layers, data.train, bs, device)
    test_z, test_y, test_in, test_out = _embed(model, layers, test_set, bs, device)
    try:
        _set_weights(layers, initial)
        reset_train_z, _, _, reset_train_out = _embed(model, layers, data.train, bs, device)
        reset_test_z, _, _, reset_test_out = _embed(model, layers, test_set, bs, device)
    finally:
        _set_weights(layers, trained_w)
    change = torch.cat([(t - i).flatten() for t, i in zip(trained_w, initial)]).norm()
    scale = torch.cat([i.flatten() for i in initial]).norm()
    common = {"outputs_r2": linear_r2(reset_train_out, train_out, reset_test_out, test_out),
              "weight_change": float(change / max(float(scale), 1e-12))}
    if anomaly:
        normal = int(getattr(config.objective.options, "normal_class", 1))
        trained = float(anomaly_metrics(test_z.reshape(-1), test_y, normal, ()).values["anomaly_auc"])
        reset = float(anomaly_metrics(reset_test_z.reshape(-1), test_y, normal, ()).values["anomaly_auc"])
        return {"anomaly_auc_trained": trained, "anomaly_auc_reset": reset, "reset_gap": trained - reset,
                "probe_auc_angles": None, **common}
    c = config.eval.probe_c
    trained_auc = linear_probe(train_z, train_y, test_z, test_y, c=c).auc
    reset_auc = linear_probe(reset_train_z, train_y, reset_test_z, test_y, c=c).auc
    per_sample = train_in.shape[0] == train_y.shape[0] and test_in.shape[0] == test_y.shape[0]
    angles = linear_probe(train_in, train_y, test_in, test_y, c=c).auc if per_sample else None
    return {"probe_auc_trained": trained_auc, "probe_auc_reset": reset_auc,
            "reset_gap": None if trained_auc is None or reset_auc is None else trained_auc - reset_auc,
            "probe_auc_angles": angles, **common}
