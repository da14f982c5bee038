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


_CONV_STACK_KEYS = ("model.conv_channels", "model.dense_units")
"""Keys of :data:`TINY` that only the conv-stack model kinds (``hybrid_cnn``) have."""


def tiny_overrides(path: Path, scratch: Path | None = None) -> list[str]:
    """:data:`TINY` plus the dataset- and model-specific shrinking of the config at ``path``.

    Generated toys are fewer; models without a conv stack keep their own front-end; an IDX-folder config
    reads a small synthetic MNIST-format folder written under ``scratch``.
    """
    from qhep_contrast.experiment.config import read_config_tree

    tree = read_config_tree(path)
    dataset = tree.get("data", {}).get("dataset", "quark_gluon")
    overrides = list(TINY)
    if tree.get("model", {}).get("kind", "hybrid_cnn") != "hybrid_cnn":
        overrides = [o for o in overrides if not o.startswith(_CONV_STACK_KEYS)]
    paths = tree.get("data", {}).get("paths", [])
    if dataset == "quark_gluon" and paths != ["shipped"]:  # generated-jet configs: the shipped jets instead
        overrides += ['data.paths=["shipped"]', "data.crop=0"]  # 16x16 shipped jets: no 26-pixel crop
    if dataset == "particle_jets" and paths != ["shipped"]:
        overrides.append('data.paths=["shipped"]')
    if dataset == "egamma_toy":
        overrides.append("data.toy_samples=64")
    if dataset == "egamma" and scratch is not None:
        overrides.append(f"data.paths={[str(p) for p in write_egamma_files(scratch / 'egamma')]!r}".replace("'", '"'))
    if dataset == "mnist" and scratch is not None:
        overrides.append(f'data.paths=["{write_mnist_folder(scratch / "idx")}"]')
    return overrides


def write_egamma_files(folder: Path, n: int = 64) -> tuple[Path, Path]:
    """Photon (label 0) and electron (label 1) files in the ML4SCI schema, ``X (n, 32, 32, 2)`` and ``y``."""
    import h5py
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    written = []
    for name, label in (("photons.hdf5", 0.0), ("electrons.hdf5", 1.0)):
        x = rng.exponential(1.0, (n, 32, 32, 2)).astype(np.float32)
        with h5py.File(folder / name, "w") as f:
            f.create_dataset("X", data=x)
            f.create_dataset("y", data=np.full(n, label, dtype=np.float32))
        written.append(folder / name)
    return written[0], written[1]


def write_mnist_folder(folder: Path, n: int = 200) -> Path:
    """MNIST-format train images and labels (``train-*-idx?-ubyte.gz``, 28x28, 10 classes) in ``folder``."""
    import gzip

    import numpy as np

    rng = np.random.default_rng(0)
    labels = (np.arange(n) % 10).astype(np.uint8)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in (("train-images-idx3-ubyte.gz", images), ("train-labels-idx1-ubyte.gz", labels)):
        header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
        (folder / name).write_bytes(gzip.compress(header + array.tobytes()))
    return folder


@pytest.fixture
def tiny() -> list[str]:
    """A copy of :data:`TINY`."""
    return list(TINY)
