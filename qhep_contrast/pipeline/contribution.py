"""Circuit-contribution diagnostic of a trained hybrid: what changes when its circuit weights are reset.

For the trained model and the same model with every circuit weight reset to its initial value (the run's
seed rebuilds them), on the run's own splits:

* ``probe_auc_trained`` / ``probe_auc_reset``: linear-probe AUC of the representations (probe fitted on the
  training split, scored on the test split), and their difference ``reset_gap = trained - reset``;
* ``outputs_r2``: R^2 of the trained circuit's outputs as an affine map of the reset circuit's outputs
  (:func:`~qhep_contrast.evaluation.contribution.linear_r2`; 1 means training the circuit did nothing a linear
  layer could not);
* ``probe_auc_angles``: linear-probe AUC of the circuit's input angles themselves (what the front-end alone
  delivers to the circuit).

One-class anomaly models (``model.anomaly``) are scored, not embedded: their diagnostic has
``anomaly_auc_trained`` / ``anomaly_auc_reset`` (anomaly-score AUC on the balanced test split, as
:func:`~qhep_contrast.pipeline.anomaly_eval.evaluate_anomaly` draws it) in place of the probe AUCs, and no
``probe_auc_angles``.
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


def trained_circuits(model: nn.Module) -> list[QuantumLayer]:
    """The quantum layers of ``model`` whose weights train (none for twins, frozen circuits and stand-ins)."""
    return [m for m in model.modules() if isinstance(m, QuantumLayer) and m.num_weights > 0 and m.weight.requires_grad]


@torch.no_grad()
def _embed(model: nn.Module, layer: QuantumLayer, dataset: Any, batch_size: int,
           device: torch.device) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Representations, labels, and the layer's inputs and outputs over ``dataset`` (real float64 arrays)."""
    inputs: list[torch.Tensor] = []
    outputs: list[torch.Tensor] = []
    hooks = [layer.register_forward_pre_hook(lambda _m, args: inputs.append(args[0].detach().cpu())),
             layer.register_forward_hook(lambda _m, _args, out: outputs.append(out.detach().cpu()))]
    try:
        z, y = embed_dataset(cast(Callable[[torch.Tensor], torch.Tensor], model.embed), dataset, batch_size, device)
    finally:
        for hook in hooks:
            hook.remove()
    return real_features(z), y, real_features(torch.cat(inputs)), real_features(torch.cat(outputs))


def circuit_contribution(model: nn.Module, config: RunConfig, data: DataBundle,
                         device: torch.device) -> dict[str, Any]:
    """The diagnostic of the module docstring for a trained ``model`` (empty dict without a trained circuit).

    Args:
        model: the trained model (best checkpoint loaded), in eval mode.
        config: its run configuration (rebuilds the initial circuit weights).
        data: the run's data bundle.
        device: where to compute.
    """
    layers = trained_circuits(model)
    if len(layers) != 1:
        return {}
    [layer] = layers
    [initial] = trained_circuits(build_model(config, data.image_shape))
    model.eval()
    bs = config.data.eval_batch_size
    anomaly = bool(getattr(model, "anomaly", False))
    test_set = subset(data.test, balanced_indices(data.test.labels, config.seed + 1)) if anomaly else data.test
    trained_w = layer.weight.detach().clone()
    train_z, train_y, train_in, train_out = _embed(model, layer, data.train, bs, device)
    test_z, test_y, test_in, test_out = _embed(model, layer, test_set, bs, device)
    try:
        layer.weight.data.copy_(initial.weight.detach().to(layer.weight.device))
        reset_train_z, _, _, reset_train_out = _embed(model, layer, data.train, bs, device)
        reset_test_z, _, _, reset_test_out = _embed(model, layer, test_set, bs, device)
    finally:
        layer.weight.data.copy_(trained_w)
    common = {"outputs_r2": linear_r2(reset_train_out, train_out, reset_test_out, test_out),
              "weight_change": float((trained_w - initial.weight.detach()).norm()
                                     / max(float(initial.weight.detach().norm()), 1e-12))}
    if anomaly:
        normal = int(getattr(config.objective.options, "normal_class", 1))
        trained = float(anomaly_metrics(test_z.reshape(-1), test_y, normal, ()).values["anomaly_auc"])
        reset = float(anomaly_metrics(reset_test_z.reshape(-1), test_y, normal, ()).values["anomaly_auc"])
        return {"anomaly_auc_trained": trained, "anomaly_auc_reset": reset, "reset_gap": trained - reset,
                "probe_auc_angles": None, **common}
    c = config.eval.probe_c
    trained_auc = linear_probe(train_z, train_y, test_z, test_y, c=c).auc
    reset_auc = linear_probe(reset_train_z, train_y, reset_test_z, test_y, c=c).auc
    angles = linear_probe(train_in, train_y, test_in, test_y, c=c).auc
    return {"probe_auc_trained": trained_auc, "probe_auc_reset": reset_auc,
            "reset_gap": None if trained_auc is None or reset_auc is None else trained_auc - reset_auc,
            "probe_auc_angles": angles, **common}
