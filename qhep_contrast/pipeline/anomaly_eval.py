"""Evaluate an anomaly model (:class:`~qhep_contrast.models.anomaly_base.AnomalyModel`) on its run's test split.

The test split is balanced (the larger class subsampled with the run's seed, then capped at ``limit``
images), every image is scored, and the scores of the normal class (``objective.normal_class``) are ranked
against the others: ROC, AUC with its Hanley-McNeil error, ``1/eps_B`` at the ``eval.efficiencies``, score
histograms per class and the loss curves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from qhep_contrast.data import stratified_split, subset
from qhep_contrast.evaluation import embed_dataset, plot_loss_curves, plot_roc
from qhep_contrast.evaluation.anomaly import anomaly_metrics, balanced_indices, plot_score_histograms
from qhep_contrast.experiment.builders import DataBundle
from qhep_contrast.experiment.config import RunConfig
from qhep_contrast.models import circuit_weights, count_parameters
from qhep_contrast.models.anomaly_base import AnomalyModel
from qhep_contrast.training.metrics_log import read_metrics

__all__ = ["evaluate_anomaly"]


def evaluate_anomaly(model: nn.Module, config: RunConfig, data: DataBundle, device: torch.device, run_dir: Path, *,
                     figures_dir: Path | None = None, limit: int = 0, progress: bool = False) -> dict[str, Any]:
    """Anomaly metrics (and figures) of ``model`` on ``data``'s balanced test split.

    Args:
        model: an anomaly model (``model(images) -> (B,)`` scores); put in eval mode here.
        config: the run's configuration (``objective.normal_class``, ``[eval]``).
        data: the run's data bundle.
        device: where to compute.
        run_dir: the run folder (its ``metrics.jsonl`` feeds the loss-curve plot).
        figures_dir: where figures go (None: none).
        limit: cap the balanced test set at this many images (0: all), for slow executors.
        progress: show a progress bar while scoring.

    Returns:
        JSON-ready dict of :func:`~qhep_contrast.evaluation.anomaly.anomaly_metrics` values, parameter counts and
        figure paths.
    """
    model.eval()
    normal = int(getattr(config.objective.options, "normal_class", 1))
    test = subset(data.test, balanced_indices(data.test.labels, config.seed + 1))
    if 0 < limit < len(test):
        fraction = limit / len(test)
        test = subset(test, stratified_split(test.labels, (fraction, 1.0 - fraction), config.seed + 1)[0])
    batch = min(config.data.eval_batch_size, 32) if progress else config.data.eval_batch_size
    scores, labels = embed_dataset(cast(AnomalyModel, model).embed, test, batch, device, "scoring the test split" if progress else "")
    s = scores.reshape(-1).double().numpy()
    result = anomaly_metrics(s, labels, normal, config.eval.efficiencies)
    values = dict(result.values)
    values["parameters"] = count_parameters(model)
    values["circuit_weights"] = sum(p.numel() for p in circuit_weights(model))
    values["figures"] = []
    if figures_dir is not None and config.eval.plots:
        names = tuple(getattr(getattr(data.test, "dataset", data.test), "class_names", ()))
        name = lambda c: names[c] if c < len(names) else f"class {c}"  # noqa: E731
        title = (f"{config.experiment}: {config.model.name} trained on {name(normal)}; "
                 f"N_test = {values['n_test']}")
        paths = [plot_roc({f"anomaly (AUC {values['anomaly_auc']:.3f})": result.curve},
                          figures_dir / "roc.png", title),
                 plot_score_histograms({name(int(c)): s[labels == c] for c in np.unique(labels)},
                                       figures_dir / "score_histograms.png",
                                       getattr(model, "score_name", "anomaly score"), title)]
        history = read_metrics(run_dir / "metrics.jsonl")
        if history:
            paths.append(plot_loss_curves(history, figures_dir / "loss_curves.png"))
        values["figures"] = [str(p) for p in paths]
    return values
