"""MNIST-format IDX reader and scikit-learn digits."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from qhep_contrast.data import DigitsDataset, MNISTDataset, read_idx
from qhep_contrast.exceptions import ConfigError, CorruptFileError, DataFileNotFoundError, SchemaError


@pytest.mark.parametrize("gz, sub", [(True, ""), (False, ""), (True, "raw")])
def test_mnist_reads_standard_files(mnist_folder, gz, sub):
    root, images, labels = mnist_folder(gz=gz, sub=sub)
    ds = MNISTDataset(root, "test")
    assert len(ds) == 30 and ds.num_classes == 10 and ds.image_shape == (1, 28, 28)
    image, label = ds[13]
    assert image.dtype == torch.float32 and label.dtype == torch.int64 and int(label) == 3
    np.testing.assert_allclose(image.numpy()[0], images[13] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.labels, labels)


def test_mnist_class_selection_remaps_labels(mnist_folder):
    root, images, labels = mnist_folder()
    ds = MNISTDataset(root, classes=(7, 2))
    keep = np.flatnonzero((labels == 7) | (labels == 2))
    assert len(ds) == keep.size and ds.num_classes == 2 and ds.class_names == ("7", "2")
    np.testing.assert_array_equal(ds.labels, np.where(labels[keep] == 7, 0, 1))
    np.testing.assert_allclose(ds[0][0].numpy()[0], images[keep[0]] / 255.0, rtol=1e-6)
    for bad in [(1, 1), (10,), ()]:
        with pytest.raises(ConfigError):
            MNISTDataset(root, classes=bad)
    with pytest.raises(ConfigError, match="split"):
        MNISTDataset(root, "validation")


def test_mnist_missing_folder_or_file(tmp_path, mnist_folder):
    with pytest.raises(DataFileNotFoundError, match="does not exist"):
        MNISTDataset(tmp_path / "absent")
    root, _, _ = mnist_folder()
    (root / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFileNotFoundError, match="train-labels-idx1-ubyte"):
        MNISTDataset(root, "train")
    MNISTDataset(root, "test")  # the other split is still complete


def test_idx_corruption(tmp_path, write_idx):
    good = write_idx(tmp_path / "a-idx3-ubyte", np.zeros((4, 3, 3), np.uint8))
    raw = good.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(raw[:-5])
    with pytest.raises(CorruptFileError, match="truncated"):
        read_idx(cut, 3)
    long = tmp_path / "long"
    long.write_bytes(raw + b"\x00")
    with pytest.raises(CorruptFileError, match="longer"):
        read_idx(long, 3)
    magic = tmp_path / "magic"
    magic.write_bytes(b"\x01" + raw[1:])
    with pytest.raises(CorruptFileError, match="magic"):
        read_idx(magic, 3)
    bad_gz = tmp_path / "b.gz"
    bad_gz.write_bytes(gzip.compress(raw)[:-10])
    with pytest.raises(CorruptFileError, match="gzip"):
        read_idx(bad_gz, 3)
    with pytest.raises(SchemaError, match="rank 3"):
        read_idx(good, 1)
    with pytest.raises(SchemaError, match="type 0x0d"):
        read_idx(write_idx(tmp_path / "f-idx3", np.zeros((2, 2, 2), np.uint8), type_byte=0x0D), 3)
    with pytest.raises(SchemaError, match="no samples"):
        read_idx(write_idx(tmp_path / "e-idx3", np.zeros((0, 2, 2), np.uint8)), 3)
    np.testing.assert_array_equal(read_idx(good, 3), np.zeros((4, 3, 3), np.uint8))


def test_mnist_count_mismatch_and_bad_labels(tmp_path, write_idx):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((5, 4, 4), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4, np.uint8))
    with pytest.raises(SchemaError, match="5 images but .* 4 labels"):
        MNISTDataset(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([0, 1, 12, 3, 4], np.uint8))
    with pytest.raises(SchemaError, match="label 12 at sample 2"):
        MNISTDataset(tmp_path)


def test_digits_all_and_selected():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    ds = DigitsDataset()
    assert len(ds) == 1797 and ds.num_classes == 10 and ds.image_shape == (1, 8, 8)
    np.testing.assert_allclose(ds[100][0].numpy()[0], bunch.images[100] / 16.0, rtol=1e-6)
    assert int(ds[100][1]) == bunch.target[100]
    pair = DigitsDataset(classes=(0, 1))
    keep = np.flatnonzero(bunch.target <= 1)
    assert len(pair) == keep.size == 360 and pair.num_classes == 2
    np.testing.assert_array_equal(pair.labels, bunch.target[keep])
    images = torch.stack([pair[i][0] for i in range(len(pair))])
    assert images.min() >= 0 and images.max() == 1.0
