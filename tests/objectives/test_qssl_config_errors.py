"""Bad QSSL configurations fail early with the key or file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from qhep_contrast.exceptions import ConfigError, DataError, DataFileNotFoundError
from qhep_contrast.experiment.builders import build_data
from qhep_contrast.experiment.config import load_config
from tests.training.conftest import CONFIG_DIR, write_mnist_folder


@pytest.mark.parametrize("gamma", ["0", "1", "1.5", "-0.1"])
def test_gamma_outside_the_open_unit_interval(gamma: str) -> None:
    with pytest.raises(ConfigError, match=r"loss\.gamma must be in \(0, 1\)"):
        load_config(CONFIG_DIR / "qssl_digits.toml", [f"loss.gamma={gamma}"])


@pytest.mark.parametrize("name", ["qssl_digits", "qssl_mnist"])
def test_a_pair_of_one_class_twice(name: str) -> None:
    with pytest.raises(ConfigError, match=r"data\.classes = \[4, 4\] repeats class 4.*\[0, 1\]"):
        load_config(CONFIG_DIR / f"{name}.toml", ["data.classes=[4, 4]"])


def test_a_class_absent_from_the_file(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "idx", n=50)
    # overwrite the labels with classes 0..4 only
    import gzip

    import numpy as np

    labels = (np.arange(50) % 5).astype(np.uint8)
    header = bytes([0, 0, 0x08, 1]) + np.asarray(labels.shape, dtype=">u4").tobytes()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(header + labels.tobytes()))
    config = load_config(CONFIG_DIR / "qssl_mnist.toml", [f'data.paths=["{folder}"]', "data.classes=[3, 7]"])
    with pytest.raises(DataError, match=r"\[7\] of data\.classes = \[3, 7\] have no sample in .*train-labels"):
        build_data(config)


@pytest.mark.parametrize("missing", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"])
def test_an_idx_folder_missing_a_file(tmp_path: Path, missing: str) -> None:
    folder = write_mnist_folder(tmp_path / "idx", n=20)
    (folder / f"{missing}.gz").unlink()
    config = load_config(CONFIG_DIR / "qssl_mnist.toml", [f'data.paths=["{folder}"]'])
    with pytest.raises(DataFileNotFoundError, match=f"no {missing}\\[.gz\\] in"):
        build_data(config)
