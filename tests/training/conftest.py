"""Tiny-run settings shared by the training tests: every config shrunk to seconds on 2 cores."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIG_DIR = Path(__file__).resolve().parents[2] / "runs" / "configs"

TINY = [
    "data.limit=64",
    "data.batch_size=16",
    "data.eval_batch_size=64",
    "train.epochs=2",
    "train.progress=false",
    "train.threads=0",
    "model.conv_channels=[4, 8]",
    "model.dense_units=8",
    "circuit.num_qubits=4",
    "eval.plots=false",
    "eval.knn_k=5",
    "eval.fidelity_pairs=40",
    "compare.twin=false",
]
"""``--set`` overrides that make any shipped config a seconds-long smoke run."""


def tiny_overrides(path: Path) -> list[str]:
    """:data:`TINY` plus the dataset-specific shrinking of the config at ``path`` (fewer generated toys)."""
    from qhep_contrast.experiment.config import read_config_tree

    dataset = read_config_tree(path).get("data", {}).get("dataset", "quark_gluon")
    return list(TINY) + (["data.toy_samples=64"] if dataset == "egamma_toy" else [])


@pytest.fixture
def tiny() -> list[str]:
    """A copy of :data:`TINY`."""
    return list(TINY)
