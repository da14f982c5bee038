"""Evaluation of frozen representations: linear probe, kNN, ROC AUC, background rejection, plots.

Label 1 is the signal throughout (quark, electron, the second selected digit class).
"""

from qhep_contrast.evaluation.embeddings import embed_dataset, real_features
from qhep_contrast.evaluation.knn import KNNResult, knn_evaluate, knn_probabilities
from qhep_contrast.evaluation.metrics import EmbeddingMetrics, embedding_metrics
from qhep_contrast.evaluation.pair_accuracy import PairAccuracy, pair_accuracy
from qhep_contrast.evaluation.pair_fidelity import PairFidelities, pair_fidelities
from qhep_contrast.evaluation.plots import (
    plot_embedding,
    plot_fidelity_histograms,
    plot_loss_curves,
    plot_roc,
    project_2d,
)
from qhep_contrast.evaluation.probe import ProbeResult, linear_probe
from qhep_contrast.evaluation.roc import (
    RocCurve,
    background_efficiency,
    background_rejection,
    roc_auc,
    roc_curve,
)
from qhep_contrast.evaluation.zero_shot import ZeroShotResult, align_clusters, zero_shot_accuracy

__all__ = [
    "ZeroShotResult",
    "align_clusters",
    "zero_shot_accuracy",
    "EmbeddingMetrics",
    "KNNResult",
    "PairAccuracy",
    "PairFidelities",
    "ProbeResult",
    "RocCurve",
    "background_efficiency",
    "background_rejection",
    "embed_dataset",
    "embedding_metrics",
    "knn_evaluate",
    "knn_probabilities",
    "linear_probe",
    "pair_accuracy",
    "pair_fidelities",
    "plot_embedding",
    "plot_fidelity_histograms",
    "plot_loss_curves",
    "plot_roc",
    "project_2d",
    "real_features",
    "roc_auc",
    "roc_curve",
]
