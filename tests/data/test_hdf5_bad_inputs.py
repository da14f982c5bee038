"""Every bad HDF5 input raises a QHEPError subclass naming the file, the key and what was expected."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from qhep_contrast.data import ChunkedRows, ElectronPhotonDataset, QuarkGluonDataset
from qhep_contrast.exceptions import (
    ConfigError,
    CorruptFileError,
    DataFileNotFoundError,
    QHEPError,
    SchemaError,
)


def _raises(error, *fragments):
    """Context manager: ``error`` whose message contains every fragment."""

    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(error)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert isinstance(self.info.value, QHEPError)
            for fragment in fragments:
                assert fragment in str(self.info.value), (fragment, str(self.info.value))
            return handled

    return _Check()


def test_missing_file_and_directory(tmp_path):
    with _raises(DataFileNotFoundError, "nope.h5", "does not exist"):
        QuarkGluonDataset(tmp_path / "nope.h5")
    with _raises(DataFileNotFoundError, "is a directory"):
        QuarkGluonDataset(tmp_path)
    with pytest.raises(ConfigError):
        QuarkGluonDataset([])


def test_not_hdf5_and_truncated(tmp_path, write_h5, qg_arrays):
    text = tmp_path / "notes.h5"
    text.write_text("this is not an HDF5 file\n" * 50)
    with _raises(CorruptFileError, "notes.h5", "not a readable HDF5"):
        QuarkGluonDataset(text)
    good = write_h5("good.h5", qg_arrays(20))
    cut = tmp_path / "cut.h5"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with _raises(CorruptFileError, "cut.h5"):
        QuarkGluonDataset(cut)


def test_empty_files(tmp_path, write_h5):
    zero = tmp_path / "zero.h5"
    zero.write_bytes(b"")
    with _raises(CorruptFileError, "zero.h5", "0 bytes"):
        QuarkGluonDataset(zero)
    with _raises(SchemaError, "nothing.h5", "missing dataset", "has keys []"):
        QuarkGluonDataset(write_h5("nothing.h5", {}))


def test_group_instead_of_dataset(tmp_path, qg_arrays):
    path = tmp_path / "grp.h5"
    with h5py.File(path, "w") as f:
        for key, value in qg_arrays(3).items():
            if key != "pt":
                f[key] = value
        f.create_group("pt")
    with _raises(SchemaError, "grp.h5", "'pt'", "group"):
        QuarkGluonDataset(path)


def test_chunked_rows_missing_key(write_h5, qg_arrays):
    with _raises(SchemaError, "'X_missing'"):
        ChunkedRows(write_h5("qg.h5", qg_arrays(2)), "X_missing")


@pytest.mark.parametrize("drop, fragment", [("X_jets", "'X_jets' or 'X'"), ("y", "'y'")])
def test_missing_keys(write_h5, qg_arrays, drop, fragment):
    arrays = qg_arrays(4)
    del arrays[drop]
    with _raises(SchemaError, "qg.h5", "missing dataset", fragment, "has keys"):
        QuarkGluonDataset(write_h5("qg.h5", arrays))


def test_missing_egamma_key(write_h5, egamma_arrays):
    arrays = egamma_arrays(3, 0.0)
    arrays["X_jets"] = arrays.pop("X")  # the e/gamma schema has no X_jets
    with _raises(SchemaError, "eg.h5", "'X'"):
        ElectronPhotonDataset(write_h5("eg.h5", arrays))


@pytest.mark.parametrize("image, fragment", [
    (np.zeros((4, 25, 25), np.float32), "shape (4, 25, 25)"),             # wrong rank
    (np.zeros((4, 25, 25, 2), np.float32), "shape (4, 25, 25, 2)"),       # wrong channel count
    (np.zeros((4, 25, 25, 3), np.int32), "dtype int32"),                  # wrong dtype
    (np.zeros((0, 25, 25, 3), np.float32), "no samples"),                 # empty file
])
def test_wrong_image_rank_shape_dtype_or_empty(write_h5, qg_arrays, image, fragment):
    arrays = qg_arrays(4)
    arrays["X_jets"] = image
    arrays["y"] = arrays["y"][: image.shape[0]]
    for k in ("pt", "m0", "particles"):
        del arrays[k]
    with _raises(SchemaError, "qg.h5", "'X_jets'", "(N, H, W, 3)", fragment):
        QuarkGluonDataset(write_h5("qg.h5", arrays))


@pytest.mark.parametrize("labels, fragment", [
    (np.array([0, 1, 2, 1], np.float32), "label 2.0 at sample 2"),
    (np.array([0, 0.5, 1, 1], np.float32), "label 0.5 at sample 1"),
    (np.array([0, 1, np.nan, 1], np.float32), "at sample 2"),
    (np.array([0, 1, 1], np.float32), "expected 4 entries"),
    (np.array([[0, 1, 1, 0]], np.float32), "shape (1, 4)"),
    (np.array([b"q", b"g", b"q", b"g"]), "dtype |S1"),
])
def test_bad_labels(write_h5, qg_arrays, labels, fragment):
    arrays = qg_arrays(4)
    arrays["y"] = labels
    with _raises(SchemaError, "qg.h5", "'y'", fragment):
        QuarkGluonDataset(write_h5("qg.h5", arrays))


def test_bad_extra_column(write_h5, qg_arrays):
    arrays = qg_arrays(4)
    arrays["pt"] = arrays["pt"][:3]
    with _raises(SchemaError, "qg.h5", "'pt'", "expected 4 entries"):
        QuarkGluonDataset(write_h5("qg.h5", arrays))
    arrays = qg_arrays(4)
    arrays["m0"][1] = np.inf
    with _raises(SchemaError, "'m0'", "sample 1"):
        QuarkGluonDataset(write_h5("qg2.h5", arrays))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_pixels_named_on_read(write_h5, qg_arrays, bad):
    arrays = qg_arrays(12)
    arrays["X_jets"][9, 3, 4, 1] = bad
    path = write_h5("qg.h5", arrays, chunks={"X_jets": (4, 25, 25, 3)})
    ds = QuarkGluonDataset(path, block_bytes=1)  # one chunk (4 samples) per block; init reads no images
    ds[0]  # a clean block reads fine
    with _raises(SchemaError, "qg.h5", "'X_jets'", "sample 9", "NaN or inf", "rows 8..11"):
        ds[8]  # same block as sample 9: the whole block is checked when read
    with _raises(SchemaError, "sample 9"):
        QuarkGluonDataset(path)[0]  # default blocks: the whole small file is one block
    unchecked = QuarkGluonDataset(path, check_finite=False)
    assert not np.isfinite(unchecked[9][0].numpy()).all()


def test_files_with_different_image_shapes(write_h5, qg_arrays):
    a = write_h5("a.h5", qg_arrays(3, size=25))
    b = write_h5("b.h5", qg_arrays(3, size=21))
    with _raises(SchemaError, "a.h5", "b.h5", "image shape"):
        QuarkGluonDataset([a, b])


@pytest.mark.parametrize("channels", [["muons"], [3], [-1], [True], []])
def test_unknown_channel(write_h5, qg_arrays, channels):
    with _raises(ConfigError, "channel"):
        QuarkGluonDataset(write_h5("qg.h5", qg_arrays(2)), channels=channels)


def test_egamma_wrong_channel_count_names_schema(write_h5, qg_arrays):
    arrays = qg_arrays(3, key="X")  # 3 channels: a quark/gluon file passed as e/gamma
    with _raises(SchemaError, "qg.h5", "'X'", "(N, H, W, 2) [energy, time]", "shape (3, 25, 25, 3)"):
        ElectronPhotonDataset(write_h5("qg.h5", arrays))


def test_negative_pixels_refused_only_where_a_log_scale_follows(write_h5, egamma_arrays):
    from qhep_contrast.data import LogScale, Preprocess

    arrays = egamma_arrays(4, 0.0)  # channel 1 (time) is negative by nature
    arrays["X"][2, 5, 6, 0] = -0.75  # a negative energy
    path = write_h5("eg.h5", arrays)
    ElectronPhotonDataset(path)[2]  # no log scale: negative values are data
    with _raises(SchemaError, "eg.h5", "'X'", "sample 2", "-0.75", "'energy'", "drop log_scale"):
        ElectronPhotonDataset(path, channels=["energy"], transform=Preprocess.from_options(log=1.0))[2]
    arrays["X"][2, 5, 6, 0] = 0.0
    clean = write_h5("eg2.h5", arrays)
    out = ElectronPhotonDataset(clean, channels=["energy"], transform=LogScale())[2][0]
    assert torch_isfinite(out)  # the time channel is not selected, so its negative values do not matter
    with _raises(SchemaError, "'time'"):
        ElectronPhotonDataset(clean, channels=["time"], transform=LogScale())[0]


def torch_isfinite(x) -> bool:
    return bool(np.isfinite(x.numpy()).all())


def test_log_scale_rejects_values_at_or_below_minus_scale():
    import torch

    from qhep_contrast.data import log_scale
    from qhep_contrast.exceptions import InputValueError

    x = torch.tensor([0.0, 1.0, -0.5])
    assert torch.allclose(log_scale(x), torch.log1p(x))  # -scale < x < 0 stays defined
    with pytest.raises(InputValueError, match="-1 <= -scale.*drop log_scale"):
        log_scale(torch.tensor([0.0, -1.0]))


def test_in_memory_images_with_negative_values_and_log_scale():
    from qhep_contrast.data import InMemoryImageDataset, LogScale
    from qhep_contrast.exceptions import InputValueError

    images = np.zeros((3, 1, 2, 2), np.float32)
    images[1, 0, 1, 1] = -4.0
    InMemoryImageDataset(images, np.array([0, 1, 0]), 2)
    with pytest.raises(InputValueError, match="image 1 has negative value -4 in channel 0"):
        InMemoryImageDataset(images, np.array([0, 1, 0]), 2, transform=LogScale())


def test_whole_read_budget(write_h5, qg_arrays, monkeypatch):
    import qhep_contrast.data.hdf5 as hdf5

    path = write_h5("qg.h5", qg_arrays(16))
    monkeypatch.setattr(hdf5, "WHOLE_READ_BUDGET", 8 * 15)
    with _raises(SchemaError, "qg.h5", "'y'", "16 samples", "split the file"):
        QuarkGluonDataset(path)


def test_partly_written_chunked_labels(tmp_path, qg_arrays):
    """A chunked label array with one of its two chunks never written reads as zeros: refused."""
    arrays = qg_arrays(8)
    path = tmp_path / "part.h5"
    with h5py.File(path, "w") as f:
        f["X_jets"] = arrays["X_jets"]
        y = f.create_dataset("y", shape=(8,), dtype="f4", chunks=(4,), compression="gzip")
        y[:4] = arrays["y"][:4]
    with _raises(CorruptFileError, "part.h5", "'y'", "only 1 chunks are stored"):
        QuarkGluonDataset(path)


def test_compressed_complete_file_passes_the_storage_check(tmp_path, qg_arrays):
    """All-zero images compress to almost nothing but every chunk is stored: accepted."""
    arrays = qg_arrays(40)
    path = tmp_path / "zeros.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("X_jets", data=np.zeros_like(arrays["X_jets"]), chunks=(4, 25, 25, 3), compression="gzip")
        f["y"] = arrays["y"]
    assert len(QuarkGluonDataset(path)) == 40
