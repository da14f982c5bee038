"""Electron/photon and quark/gluon readers on small files written in the exact schemas."""

from __future__ import annotations

import pickle

import h5py
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from qhep_contrast.data import (
    ChunkedRows,
    ElectronPhotonDataset,
    Preprocess,
    QuarkGluonDataset,
    subset,
)


def test_egamma_two_files_item_format(write_h5, egamma_arrays):
    photons, electrons = egamma_arrays(7, 0.0, seed=1), egamma_arrays(5, 1.0, seed=2)
    ds = ElectronPhotonDataset([write_h5("g.h5", photons), write_h5("e.h5", electrons)])
    assert len(ds) == 12 and ds.num_classes == 2 and ds.image_shape == (2, 32, 32)
    assert ds.labels.dtype == np.int64 and ds.labels.tolist() == [0] * 7 + [1] * 5
    image, label = ds[8]
    assert image.dtype == torch.float32 and image.shape == (2, 32, 32)
    assert label.dtype == torch.int64 and label.dim() == 0 and int(label) == 1
    # channels-first: image[c, h, w] == X[n, h, w, c]
    np.testing.assert_array_equal(image.numpy(), np.moveaxis(electrons["X"][1], -1, 0))
    np.testing.assert_array_equal(ds[-1][0].numpy(), np.moveaxis(electrons["X"][4], -1, 0))


@pytest.mark.parametrize("channels, expected", [(["energy"], [0]), (["TIME"], [1]), ([1, 0], [1, 0]), ("time", [1])])
def test_egamma_channel_selection(write_h5, egamma_arrays, channels, expected):
    arrays = egamma_arrays(3, 1.0)
    ds = ElectronPhotonDataset(write_h5("e.h5", arrays), channels=channels)
    assert ds.image_shape == (len(expected), 32, 32)
    np.testing.assert_array_equal(ds[2][0].numpy(), np.moveaxis(arrays["X"][2][..., expected], -1, 0))


@pytest.mark.parametrize("key", ["X_jets", "X"])
def test_quark_gluon_keys_extras_and_unknown_keys(write_h5, qg_arrays, key):
    arrays = qg_arrays(9, key=key)
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays), with_extras=True)
    assert ds.image_shape == (3, 25, 25) and ds.num_classes == 2 and ds.class_names == ("gluon", "quark")
    np.testing.assert_array_equal(ds.labels, np.arange(9) % 2)
    image, label, extras = ds[4]
    np.testing.assert_array_equal(image.numpy(), np.moveaxis(arrays[key][4], -1, 0))
    assert set(extras) == {"pt", "m0"} and extras["pt"].dtype == torch.float32
    assert float(extras["m0"]) == pytest.approx(float(arrays["m0"][4]))
    np.testing.assert_allclose(ds.extras["pt"], arrays["pt"], rtol=1e-6)
    assert len(QuarkGluonDataset(write_h5("qg2.h5", arrays))[0]) == 2  # (image, label) by default


def test_quark_gluon_extras_optional(write_h5, qg_arrays):
    arrays = qg_arrays(4)
    del arrays["pt"], arrays["m0"]
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays), channels=["ecal", "hcal"], with_extras=True)
    image, _, extras = ds[1]
    assert extras == {} and image.shape == (2, 25, 25)
    np.testing.assert_array_equal(image.numpy(), np.moveaxis(arrays["X_jets"][1][..., 1:], -1, 0))


@pytest.mark.parametrize("chunks", [(3, 25, 25, 3), (1, 25, 25, 3), (4, 5, 5, 1), None])
def test_chunked_reads_match_file_with_bounded_cache(write_h5, qg_arrays, chunks):
    arrays = qg_arrays(23)
    path = write_h5("qg.h5", arrays, chunks={"X_jets": chunks})
    row_bytes = 25 * 25 * 3 * 4
    rows = ChunkedRows(path, "X_jets", cache_bytes=2 * 4 * row_bytes, block_bytes=4 * row_bytes)
    if chunks is not None:
        assert rows.block_rows % chunks[0] == 0  # blocks are whole chunks along axis 0
    got = np.stack([rows.row(i) for i in np.random.default_rng(0).permutation(23)])
    order = np.random.default_rng(0).permutation(23)
    np.testing.assert_array_equal(got, arrays["X_jets"][order])
    cached = sum(block.nbytes for block in rows._cache.values())
    assert 0 < cached <= max(2 * 4 * row_bytes, rows.block_rows * row_bytes)
    with pytest.raises(ValueError):
        rows.row(0)[0, 0, 0] = 1.0  # cached blocks are read-only


def test_cache_reuses_blocks(write_h5, qg_arrays):
    rows = ChunkedRows(write_h5("qg.h5", qg_arrays(12), chunks={"X_jets": (4, 25, 25, 3)}), "X_jets",
                       block_bytes=1)
    assert rows.block_rows == 4
    calls = []
    original = rows._read
    rows._read = lambda ds, a, b: calls.append((a, b)) or original(ds, a, b)
    for i in [0, 1, 2, 3, 5, 4, 0, 11]:
        rows.row(i)
    assert calls == [(0, 4), (4, 8), (8, 12)]


def test_block_ids_follow_chunks_across_files(write_h5, qg_arrays):
    a = write_h5("a.h5", qg_arrays(10), chunks={"X_jets": (4, 25, 25, 3)})
    b = write_h5("b.h5", qg_arrays(5), chunks={"X_jets": (2, 25, 25, 3)})
    ds = QuarkGluonDataset([a, b], block_bytes=1)  # one chunk per block
    assert ds.block_ids.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_pickle_drops_handle_and_reopens(write_h5, qg_arrays):
    arrays = qg_arrays(6)
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays))
    first = ds[3][0]
    clone = pickle.loads(pickle.dumps(ds))
    assert clone._sources[0].rows._file is None and not clone._sources[0].rows._cache
    torch.testing.assert_close(clone[3][0], first)
    ds.close()
    torch.testing.assert_close(ds[3][0], first)  # reopens lazily


# Python >= 3.12 warns when forking a multi-threaded process; the fork is what this test is about.
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_dataloader_workers_match_direct_reads(write_h5, qg_arrays):
    arrays = qg_arrays(16)
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays, chunks={"X_jets": (4, 25, 25, 3)}))
    ds[0]  # the parent opens its handle before the workers fork
    loader = DataLoader(ds, batch_size=5, num_workers=2, shuffle=False)
    images = torch.cat([x for x, _ in loader])
    np.testing.assert_array_equal(images.numpy(), np.moveaxis(arrays["X_jets"], -1, 1))


def test_transform_and_subset(write_h5, qg_arrays):
    arrays = qg_arrays(10)
    pre = Preprocess.from_options(crop=21, size=7)
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays), transform=pre)
    assert ds.image_shape == (3, 7, 7) and ds[0][0].shape == (3, 7, 7)
    part = subset(ds, [7, 2, -1])
    assert part.labels.tolist() == [1, 0, 1] and part.image_shape == (3, 7, 7) and part.num_classes == 2
    torch.testing.assert_close(part[1][0], ds[2][0])
    torch.testing.assert_close(part[2][0], ds[9][0])
    with pytest.raises(IndexError):
        subset(ds, [10])
    with pytest.raises(IndexError):
        ds[10]


def test_float64_images_are_returned_as_float32(write_h5, qg_arrays):
    arrays = qg_arrays(3)
    arrays["X_jets"] = arrays["X_jets"].astype(np.float64)
    ds = QuarkGluonDataset(write_h5("qg.h5", arrays))
    assert ds[0][0].dtype == torch.float32


def test_h5py_file_untouched_by_reading(write_h5, qg_arrays):
    path = write_h5("qg.h5", qg_arrays(3))
    ds = QuarkGluonDataset(path)
    ds[0]
    with h5py.File(path, "r") as f:  # a second reader in the same process still works
        assert f["X_jets"].shape == (3, 25, 25, 3)
