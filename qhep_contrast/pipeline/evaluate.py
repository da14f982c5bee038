"""Evaluate a trained model on its run's test split: metrics, figures, ``evaluation*.json``.

The representation is ``model.embed`` (before any projection head). A linear probe and kNN are fitted on
the training split's embeddings (no augmentation) and scored on the test split
(:func:`~qhep_contrast.evaluation.embedding_metrics`); models with statevector outputs also get the
fidelity distributions of same-class and different-class test pairs, and classifiers (``output =
"marginals"``) their zero-shot accuracy after aligning output clusters to labels
(:func:`~qhep_contrast.evaluation.zero_shot_accuracy`). Figures: ROC and background
rejection, loss curves (from ``metrics.jsonl``), 2-D PCA (and optionally t-SNE) of the test embeddings,
fidelity histograms.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from qhep_contrast.data import stratified_split, subset
from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.evaluation import (
    embed_dataset,
    embedding_metrics,
    pair_accuracy,
    pair_fidelities,
    plot_embedding,
    plot_fidelity_histograms,
    plot_loss_curves,
    plot_roc,
    project_2d,
    real_features,
    zero_shot_accuracy,
)
from qhep_contrast.evaluation.auc_error import auc_standard_error
from qhep_contrast.evaluation.collapse import embedding_spread
from qhep_contrast.evaluation.fidelity_kernel import fidelity_estimator, fidelity_metrics, layer_inputs
from qhep_contrast.evaluation.roc import background_rejection, roc_auc, roc_curve
from qhep_contrast.evaluation.zero_shot import SPLIT_SIZES
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.builders import DataBundle, build_data, build_model
from qhep_contrast.experiment.config import RunConfig
from qhep_contrast.experiment.execution import resolve_execution
from qhep_contrast.experiment.run_dir import read_run_config, write_json
from qhep_contrast.models import SiameseEncoder, circuit_weights, count_parameters
from qhep_contrast.objectives.supervised import logits
from qhep_contrast.pipeline.anomaly_eval import evaluate_anomaly
from qhep_contrast.qnn import QuantumLayer
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.fit_loop import BEST_CHECKPOINT, LAST_CHECKPOINT
from qhep_contrast.training.metrics_log import read_metrics
from qhep_contrast.training.runtime import configure_threads, select_device

__all__ = ["evaluate_model", "evaluate_run", "load_best_weights"]


def _limit(dataset: LabelledImageDataset, limit: int, seed: int) -> LabelledImageDataset:
    if not 0 < limit < len(dataset):
        return dataset
    fraction = limit / len(dataset)
    return subset(dataset, stratified_split(dataset.labels, (fraction, 1.0 - fraction), seed)[0])


def load_best_weights(model: nn.Module, run_dir: Path, device: torch.device) -> int:
    """Load ``best.pt`` (or ``last.pt`` when no epoch improved) into ``model``; return its epoch."""
    path = run_dir / BEST_CHECKPOINT
    if not path.is_file():
        path = run_dir / LAST_CHECKPOINT
    state = load_checkpoint(path)
    model.load_state_dict(state["model"])
    return int(state["epoch"])


def _figures(out: Path, config: RunConfig, values: dict[str, Any], curves: dict, test_x: np.ndarray,
             test_y: np.ndarray, history: list[dict[str, Any]], class_names: tuple[str, ...],
             fidelities: Any) -> list[str]:
    paths = []
    model = "classical twin" if getattr(config.model.options, "twin", False) else f"{config.model.name} (hybrid)"
    signal = class_names[1] if len(class_names) > 1 else "class 1"
    title = f"{config.experiment}: {model}; signal = {signal}; N_test = {values['n_test']}"
    if curves:
        paths.append(plot_roc({f"{k} (AUC {values[f'{k}_auc']:.3f})": c for k, c in curves.items()},
                              out / "roc.png", title))
    if history:
        paths.append(plot_loss_curves(history, out / "loss_curves.png"))
    methods = ("pca", "tsne") if config.eval.tsne else ("pca",)
    for method in methods:
        points = project_2d(test_x, method, config.seed)
        paths.append(plot_embedding(points, test_y, out / f"embedding_{method}.png", class_names,
                                    f"test embeddings ({method.upper()})"))
    if fidelities is not None:
        paths.append(plot_fidelity_histograms(fidelities.positive, fidelities.negative,
                                              out / "fidelity_histograms.png"))
    return [str(p) for p in paths]


@torch.no_grad()
def _loss_space(model: nn.Module, representations: torch.Tensor) -> torch.Tensor:
    """The embeddings the training loss saw: the projection head applied to the representations."""
    with torch.no_grad():
        device = next(model.parameters()).device
        return cast(SiameseEncoder, model).project(representations.to(device)).cpu()


def evaluate_model(model: nn.Module, config: RunConfig, data: DataBundle, device: torch.device, run_dir: Path,
                   *, figures_dir: Path | None = None, limit: int = 0, progress: bool = False) -> dict[str, Any]:
    """Metrics (and figures) of ``model`` on ``data``'s test split.

    Args:
        model: a Siamese model with ``embed``; put in eval mode here.
        config: the run's configuration (``[eval]`` settings).
        data: the run's data bundle.
        device: where to compute.
        run_dir: the run folder (its ``metrics.jsonl`` feeds the loss-curve plot).
        figures_dir: where figures go (None: no figures, regardless of ``eval.plots``).
        limit: cap the train and test splits at this many images each (0: all), for slow executors.

    Returns:
        JSON-ready dict: probe/kNN metrics, rejections, parameter counts, pair-fidelity means (state
        outputs) and the figure paths.
    """
    if getattr(model, "anomaly", False):  # one-class anomaly models are scored, not embedded
        return evaluate_anomaly(model, config, data, device, run_dir, figures_dir=figures_dir, limit=limit,
                                progress=progress)
    model.eval()
    train, test = _limit(data.train, limit, config.seed), _limit(data.test, limit, config.seed + 1)
    bs = config.data.eval_batch_size
    if progress:  # slow executors: smaller batches, so the bar moves (one job per batch)
        bs = min(bs, 32)
    encoder = cast(SiameseEncoder, model)
    train_z, train_y = embed_dataset(encoder.embed, train, bs, device, "embedding the training split" if progress else "")
    test_z, test_y = embed_dataset(encoder.embed, test, bs, device, "embedding the test split" if progress else "")
    train_x, test_x = real_features(train_z), real_features(test_z)
    result = embedding_metrics(train_x, train_y, test_x, test_y, probe_c=config.eval.probe_c,
                               knn_k=config.eval.knn_k, efficiencies=config.eval.efficiencies)
    values = dict(result.values)
    values.update(embedding_spread(test_x))
    if np.unique(test_y).size == 2:
        values["n_test_positive"] = int((test_y == 1).sum())
    values["parameters"] = count_parameters(model)
    values["circuit_weights"] = sum(p.numel() for p in circuit_weights(model))
    if config.loss.name == "contrastive_pair":
        loss_space = real_features(_loss_space(model, test_z))
        pa = pair_accuracy(loss_space, test_y, config.loss.margin / 2, config.eval.fidelity_pairs, config.seed)
        values.update(pair_accuracy=pa.accuracy, pair_threshold=pa.threshold, pair_count=pa.n_pairs,
                      pair_distance_same_mean=pa.mean_distance_same,
                      pair_distance_other_mean=pa.mean_distance_other)
    if getattr(config.model.options, "output", None) == "marginals":  # a classifier: score its clusters
        ks = [k for k in SPLIT_SIZES if len(test_y) // k >= np.unique(test_y).size]  # splits holding every class
        values.update(zero_shot_accuracy(test_x, test_y, ks=ks, seed=config.seed).to_dict())
    fidelities = None
    if getattr(config.model.options, "output", None) == "state":
        fidelities = pair_fidelities(test_z, test_y, config.eval.fidelity_pairs, config.seed)
        values["fidelity_same_class_mean"] = float(fidelities.positive.mean())
        values["fidelity_other_class_mean"] = float(fidelities.negative.mean())
    if "probe" in result.curves:  # a compact curve for overlays (e.g. hybrid vs twin)
        curve = result.curves["probe"]
        grid = np.linspace(0.0, 1.0, 51)
        values["probe_roc"] = {"tpr": grid.tolist(), "fpr": np.interp(grid, curve.tpr, curve.fpr).tolist()}
    if config.objective.name == "supervised":  # a classifier: score its own logits
        values.update(_classifier_values(model, test, bs, device))
    values["figures"] = []
    if figures_dir is not None and config.eval.plots:
        names = tuple(getattr(getattr(data.test, "dataset", data.test), "class_names", ()))
        values["figures"] = _figures(figures_dir, config, values, result.curves, test_x, test_y,
                                     read_metrics(run_dir / "metrics.jsonl"), names, fidelities)
    return values


def _classifier_values(model: nn.Module, test: LabelledImageDataset, batch_size: int,
                       device: torch.device) -> dict[str, Any]:
    """Test ROC AUC (Hanley-McNeil error), accuracy at logit 0, 1/eps_B at 0.3 and 0.5 and N_test of a one-logit
    classifier."""
    scores, labels = logits(model, test, batch_size, device)
    auc = roc_auc(scores, labels)
    positives = int((labels == 1).sum())
    curve = roc_curve(scores, labels)
    return {"classifier_auc": auc, "classifier_auc_error": auc_standard_error(auc, positives, len(labels) - positives),
            "classifier_accuracy": float(((scores > 0) == (labels == 1)).mean()), "classifier_n_test": len(labels),
            "classifier_rejection": {str(e): background_rejection(curve, e) for e in (0.3, 0.5)}}


def _fidelity_values(model: nn.Module, config: RunConfig, data: DataBundle, device: torch.device, executor: Any,
                     method: str, limit: int) -> dict[str, Any]:
    """Fidelity-kernel SVC (exact) and, on ``aer``/``ibm``, every fidelity metric estimated with ``method``."""
    [layer] = [m for m in model.modules() if isinstance(m, QuantumLayer)]
    bs = config.data.eval_batch_size
    train = layer_inputs(model, layer, _limit(data.train, limit, config.seed), bs, device)
    test = layer_inputs(model, layer, _limit(data.test, limit, config.seed + 1), bs, device)
    pairs, seed = config.eval.fidelity_pairs, config.seed
    neighbours = config.eval.knn_k
    exact = fidelity_metrics(fidelity_estimator(layer, method, None), layer.weight, train, test, pairs, seed,
                             knn_k=neighbours)
    values: dict[str, Any] = {k: v for k, v in exact.items() if k.startswith(("kernel_", "fidelity_knn_"))}
    if executor is not None:
        estimated = fidelity_metrics(fidelity_estimator(layer, method, executor), layer.weight, train, test, pairs,
                                     seed, knn_k=neighbours)
        values.update({f"{k}_{method}": v for k, v in estimated.items()})
        values.update({f"{k}_exact": v for k, v in exact.items()}, fidelity=method)
    return values


def external_test_data(config: RunConfig, data: DataBundle, path: str | Path,
                       limit: int = 0) -> tuple[DataBundle, list[str]]:
    """``data`` with its test split replaced by every image of ``path`` (same dataset kind and preprocessing as
    the run), and the warnings of :func:`~qhep_contrast.data.compatibility.compatibility_warnings` between the
    run's training file(s) and ``path``.

    Args:
        config: the run's configuration.
        data: the run's own data bundle (its training split still fits probes and kNN).
        path: an HDF5 file (or MNIST folder) of the run's schema.
        limit: read a stratified subsample of this many images (0: all).

    Raises:
        ConfigError: the run's dataset kind reads no files, or the file's images do not fit the model.
    """
    from qhep_contrast.data.compatibility import channel_statistics, compatibility_warnings
    from qhep_contrast.data.preprocess import Preprocess
    from qhep_contrast.data.sources import DATASETS
    from qhep_contrast.experiment.builders import load_images, split_seed_of

    if not hasattr(config.data.options, "paths"):
        raise ConfigError(f"--data needs a dataset kind that reads files; data.dataset = {config.data.name!r} "
                          "generates or bundles its images. Evaluate runs of quark_gluon, egamma or mnist data.")
    other = config.data.replace(paths=[str(path)], limit=limit)
    test = load_images(other, split_seed_of(config))
    if tuple(test.image_shape) != tuple(data.image_shape):
        raise ConfigError(f"{path}: preprocessed images have shape {tuple(test.image_shape)}, the run was trained on "
                          f"{tuple(data.image_shape)}; the file needs the same channels and a size the run's "
                          "data.crop / data.image_size map to the same shape.")
    seed = split_seed_of(config)
    reference = channel_statistics(DATASETS.build(config.data, seed, Preprocess()), seed=seed)
    candidate = channel_statistics(DATASETS.build(other, seed, Preprocess()), seed=seed)
    names = list(getattr(test, "channel_names", ()) or getattr(config.data.options, "channels", ()) or ())
    return dataclasses.replace(data, test=test), compatibility_warnings(reference, candidate, names)


def evaluate_run(run_dir: str | Path, *, execution: str = "exact", shots: int = 0, noise: str = "",
                 backend: str = "", limit: int = 0, plots: bool = True, device: str | None = None,
                 fidelity: str = "swap", runtime: dict[str, Any] | None = None,
                 data_file: str | Path | None = None) -> dict[str, Any]:
    """Re-evaluate the best checkpoint of a run folder, optionally on another executor.

    The quantum layer's weights load unchanged into an Aer or IBM layer (same ``state_dict``), so the
    trained model is rebuilt with that executor and evaluated on the same splits. Each evaluation gets its own
    folder (:func:`evaluation_folder`: ``evaluation.json`` and ``figures/``), and the latest of each executor
    is also copied to ``evaluation.json`` (exact) or ``evaluation-<executor>.json``; IBM job ids go to
    ``jobs-ibm.jsonl`` in the run folder. Slow executors show progress bars.

    Args:
        run_dir: a run folder written by ``qhep train``.
        execution: ``"exact"``, ``"aer"`` or ``"ibm"``.
        shots: shots per circuit (0: exact expectation values, Aer only).
        noise: Aer noise model (fake backend name, e.g. ``"fake_manila"``).
        backend: IBM target (``"fake_<name>"`` for local testing mode, or a device name).
        limit: cap the train/test splits at this many images each (0: all); primitives are slow.
        plots: write figures.
        device: override ``train.device``.
        fidelity: for state-output (fidelity-trained) models on ``aer``/``ibm``: ``"swap"`` (swap test) or
            ``"cu"`` (compute-uncompute). Their states exist only on the exact engine, so the model embeds
            exactly and every fidelity (test pairs, train and test kernels) is also estimated with these
            circuits on the executor: ``<metric>_<fidelity>`` next to ``<metric>_exact``. State-output
            models also get a fidelity-kernel SVC (``kernel_svc_auc``, ``kernel_svc_accuracy``) and a fidelity
            kNN on the test x train kernel (``fidelity_knn_auc``, ``fidelity_knn_accuracy``). For the SQAE,
            the circuit that estimates its trash fidelity on ``aer``/``ibm``: the 15-qubit swap test or the
            9-qubit inverse reference.
        runtime: IBM Runtime options (see :func:`~qhep_contrast.experiment.execution.resolve_execution`).
        data_file: score on every image of this file (same schema, the run's own preprocessing) instead of the
            run's test split; probes and kNN still fit on the run's training split. Detectable differences
            of pixel scale or channel meaning go to ``data_warnings`` (see :func:`external_test_data`).
    """
    run_dir = Path(run_dir)
    config = read_run_config(run_dir)
    executor = resolve_execution(execution, shots=shots, noise=noise, backend=backend, seed=config.seed,
                                 journal=str(run_dir / "jobs-ibm.jsonl"), runtime=runtime)
    configure_threads(config.train.threads)
    dev = select_device(device or config.train.device)
    data = build_data(config)
    warnings: list[str] = []
    if data_file is not None:
        data, warnings = external_test_data(config, data, data_file, limit)
    states = getattr(config.model.options, "output", None) == "state"
    model = build_model(config, data.image_shape, None if states else executor).to(dev)
    choose_circuit = getattr(model, "use_hardware_circuit", None)  # SQAE: swap test or inverse reference
    if callable(choose_circuit):
        choose_circuit(fidelity)
    epoch = load_best_weights(model, run_dir, dev)
    suffix = "" if execution == "exact" else f"-{execution}"
    if data_file is not None:
        suffix += f"-{Path(data_file).stem}"
    folder = evaluation_folder(run_dir, execution, shots, noise or backend, limit,
                               Path(data_file).stem if data_file is not None else "")
    values = evaluate_model(model, config, data, dev, run_dir, figures_dir=folder / "figures" if plots else None,
                            limit=limit, progress=execution != "exact")
    values.update({"executor": execution, "shots": shots, "noise": noise, "backend": backend, "limit": limit,
                   "checkpoint_epoch": epoch, "job_journal": getattr(executor, "journal", None),
                   "test_data": str(data_file) if data_file is not None else "test split", "data_warnings": warnings})
    if callable(choose_circuit) and execution != "exact":
        values["fidelity"] = fidelity
    if states:
        values.update(_fidelity_values(model, config, data, dev, executor, fidelity, limit))
    values["folder"] = str(folder)
    write_json(folder / "evaluation.json", values)
    write_json(run_dir / f"evaluation{suffix}.json", values)  # the latest one of this executor, for convenience
    return values


def evaluation_folder(run_dir: Path, execution: str, shots: int, target: str, limit: int, data: str = "") -> Path:
    """A new ``<run_dir>/evaluations/<stamp>-<executor>[-<shots>shots][-<noise|backend>][-limit<N>][-<data>]/``
    folder (``data``: the stem of an external test file), so evaluations never overwrite each other."""
    parts = [time.strftime("%Y%m%d-%H%M%S"), execution] + ([f"{shots}shots"] if shots else []) \
        + ([target] if target else []) + ([f"limit{limit}"] if limit else []) + ([data] if data else [])
    base = run_dir / "evaluations" / "-".join(parts)
    folder, k = base, 1
    while folder.exists():
        folder, k = Path(f"{base}-{k}"), k + 1
    folder.mkdir(parents=True)
    return folder
