"""Fidelity metrics of a state-output encoder, exact or estimated with fidelity circuits on any executor.

The trained encoder maps an image to circuit inputs ``x`` (the angles the quantum layer receives) and a
state ``|psi(x; w)>``. Everything here needs only fidelities ``F(a, b) = |<psi(x_a; w)|psi(x_b; w)>|^2``,
computed by a fidelity estimator (:class:`~qhep_contrast.qnn.ExactFidelity`, or
:class:`~qhep_contrast.qnn.SwapTestFidelity` / :class:`~qhep_contrast.qnn.ComputeUncomputeFidelity` on
``aer``/``ibm``, where every call is one sampler job):

* pair fidelities: the mean fidelity of same-class and different-class test pairs (the pairs of
  :func:`~qhep_contrast.evaluation.pair_fidelities` for the same seed);
* a fidelity-kernel classifier: scikit-learn's ``SVC(kernel="precomputed")`` fitted on the train x train
  kernel ``K[i, j] = F(i, j)`` and scored (ROC AUC, accuracy) on the test x train kernel (binary labels);
* fidelity kNN on the same test x train kernel: each test state takes the labels of the ``k`` training states
  of highest fidelity (the state-space neighbours; no extra circuits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from qhep_contrast.data.pairs import sample_pairs
from qhep_contrast.evaluation.roc import roc_auc
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.qnn import ComputeUncomputeFidelity, ExactFidelity, QuantumLayer, SwapTestFidelity

__all__ = ["FIDELITY_METHODS", "fidelity_estimator", "layer_inputs", "fidelity_kernel", "fidelity_knn",
           "fidelity_metrics"]

FIDELITY_METHODS: dict[str, type] = {"swap": SwapTestFidelity, "cu": ComputeUncomputeFidelity}
"""``--fidelity`` names: swap test (``2n + 1`` qubits) or compute-uncompute (``n`` qubits)."""

Estimator = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], Any]


def fidelity_estimator(layer: QuantumLayer, method: str, execution: Any) -> Estimator:
    """The estimator of ``layer``'s state fidelities: exact for ``execution`` None, else ``method`` on it.

    Raises:
        ConfigError: an unknown ``method``.
    """
    if execution is None:
        return ExactFidelity(layer.spec)
    if method not in FIDELITY_METHODS:
        raise ConfigError(f"fidelity method must be one of {sorted(FIDELITY_METHODS)} (swap test, "
                          f"compute-uncompute), got {method!r}.")
    return FIDELITY_METHODS[method](layer.spec, execution)


@torch.no_grad()
def layer_inputs(model: Any, layer: QuantumLayer, dataset: Dataset, batch_size: int,
                 device: torch.device) -> tuple[torch.Tensor, np.ndarray]:
    """The inputs ``x (N, n_in)`` ``layer`` receives while ``model.embed`` runs over ``dataset``, and labels.

    Args:
        model: a model with ``embed`` (e.g. a ``SiameseEncoder``) that contains ``layer``.
    """
    captured: list[torch.Tensor] = []
    hook = layer.register_forward_pre_hook(lambda _module, args: captured.append(args[0].detach().cpu()))
    labels = []
    try:
        for batch in DataLoader(dataset, batch_size=batch_size, shuffle=False):
            model.embed(batch[0].to(device))
            labels.append(batch[1].numpy())
    finally:
        hook.remove()
    return torch.cat(captured).to(torch.float64), np.concatenate(labels).astype(np.int64)


def fidelity_kernel(estimator: Estimator, xa: torch.Tensor, xb: torch.Tensor, weight: torch.Tensor) -> np.ndarray:
    """``K (Na, Nb)`` with ``K[i, j] = F(xa_i, xb_j)``: every pair in one estimator call (one job)."""
    na, nb = xa.shape[0], xb.shape[0]
    first = xa.repeat_interleave(nb, dim=0)
    second = xb.repeat(na, 1)
    result = estimator(first, second, weight.detach().to(torch.float64))
    return result.clipped.detach().cpu().numpy().reshape(na, nb)


def _svc(k_train: np.ndarray, y_train: np.ndarray, k_test: np.ndarray, y_test: np.ndarray,
         c: float) -> dict[str, float]:
    from sklearn.svm import SVC

    if len(np.unique(y_train)) != 2:
        return {}
    svc = SVC(kernel="precomputed", C=c).fit(k_train, y_train)
    scores = svc.decision_function(k_test)
    positive = (y_test == svc.classes_[1]).astype(np.int64)
    return {"kernel_svc_auc": float(roc_auc(scores, positive)),
            "kernel_svc_accuracy": float((svc.predict(k_test) == y_test).mean())}


def fidelity_knn(k_test: np.ndarray, y_train: np.ndarray, y_test: np.ndarray, k: int) -> dict[str, float]:
    """kNN with fidelity as the similarity: neighbours of test ``i`` are the ``k`` largest ``k_test[i, :]``.

    Args:
        k_test: ``(M, N)`` test x train fidelities.
        y_train, y_test: ``(N,)`` and ``(M,)`` integer labels.
        k: neighbours (capped at ``N``).

    Returns:
        ``fidelity_knn_accuracy`` (majority vote, ties to the smaller label) and, for binary labels with both
        classes in the test split, ``fidelity_knn_auc`` of the fraction of class-1 neighbours.
    """
    k = max(1, min(int(k), k_test.shape[1]))
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    nearest = torch.from_numpy(np.ascontiguousarray(k_test)).topk(k, dim=1).indices
    onehot = torch.nn.functional.one_hot(torch.as_tensor(y_train, dtype=torch.int64), num_classes).double()
    fractions = onehot[nearest].mean(dim=1).numpy()
    values = {"fidelity_knn_accuracy": float(np.mean(np.argmax(fractions, axis=1) == y_test))}
    if num_classes == 2 and 0 < y_test.sum() < y_test.size:
        values["fidelity_knn_auc"] = float(roc_auc(fractions[:, 1], y_test))
    return values


def fidelity_metrics(estimator: Estimator, weight: torch.Tensor, train: tuple[torch.Tensor, np.ndarray],
                     test: tuple[torch.Tensor, np.ndarray], n_pairs: int, seed: int,
                     c: float = 1.0, knn_k: int = 15) -> dict[str, float]:
    """Pair-fidelity means and the fidelity-kernel SVC of one estimator.

    Args:
        estimator: see :func:`fidelity_estimator`.
        weight: the layer's circuit weights.
        train, test: ``(x (N, n_in), labels (N,))`` from :func:`layer_inputs`.
        n_pairs: labelled test pairs for the pair-fidelity means.
        seed: pair-sampling seed.
        c: the SVC's regularisation.
        knn_k: neighbours of the fidelity kNN.

    Returns:
        ``fidelity_same_class_mean``, ``fidelity_other_class_mean``, ``kernel_svc_auc`` and
        ``kernel_svc_accuracy`` (binary labels only), ``fidelity_knn_accuracy`` and ``fidelity_knn_auc``
        (binary labels only).
    """
    w = weight.detach().to(torch.float64)
    (train_x, train_y), (test_x, test_y) = train, test
    pairs = sample_pairs(test_y, n_pairs, seed, positive="class", negative="class")
    f = estimator(test_x[torch.from_numpy(pairs.first)], test_x[torch.from_numpy(pairs.second)], w)
    f = f.clipped.detach().cpu().numpy()
    values = {"fidelity_same_class_mean": float(f[pairs.target == 1].mean()),
              "fidelity_other_class_mean": float(f[pairs.target == 0].mean())}
    k_train = fidelity_kernel(estimator, train_x, train_x, w)
    k_test = fidelity_kernel(estimator, test_x, train_x, w)
    values.update(_svc(k_train, train_y, k_test, test_y, c))
    values.update(fidelity_knn(k_test, train_y, test_y, knn_k))
    return values
