"""``summarise_h5``: datasets, label balance, attributes, and clear errors."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from qhep_contrast.data.h5_summary import label_counts, summarise_h5
from qhep_contrast.exceptions import CorruptFileError, DataFileNotFoundError


def test_summary_lists_datasets_labels_and_attrs(tmp_path) -> None:
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("X", data=np.zeros((5, 4, 4, 2), np.float32), compression="gzip")
        f.create_dataset("y", data=np.array([0, 1, 1, 1, 0], np.float32))
        f.create_dataset("group/inner", data=np.arange(3))
        f.attrs["synthetic"] = True
        f.attrs["recipe"] = "line one\nline two"
    text = summarise_h5(path)
    assert "X " in text and "(5, 4, 4, 2)" in text and "float32" in text and "gzip" in text
    assert "group/inner" in text
    assert "labels y: 0: 2 (40.0%), 1: 3 (60.0%)" in text
    assert "synthetic = True" in text and "line one\n      line two" in text


def test_label_counts_reads_in_chunks(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qhep_contrast.data.h5_summary as module

    monkeypatch.setattr(module, "_LABEL_CHUNK", 3)
    with h5py.File(tmp_path / "y.h5", "w") as f:
        ds = f.create_dataset("y", data=np.array([1, 0, 1, 1, 0, 1, 1], np.float32))
        assert label_counts(ds) == {0.0: 2, 1.0: 5}


def test_summary_errors(tmp_path) -> None:
    with pytest.raises(DataFileNotFoundError, match="does not exist"):
        summarise_h5(tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(CorruptFileError, match="not a readable HDF5"):
        summarise_h5(bad)


def test_summary_counts_a_bounded_number_of_labels(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qhep_contrast.data.h5_summary as module

    monkeypatch.setattr(module, "LABEL_ROWS", 4)
    monkeypatch.setattr(module, "_LABEL_CHUNK", 3)
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["X"] = np.zeros((9, 2, 2, 2), np.float32)
        f["y"] = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0], np.float32)
    text = summarise_h5(path)
    assert "labels y (first 4 of 9 rows): 0: 1 (25.0%), 1: 3 (75.0%)" in text


def test_summary_pixel_statistics_from_a_bounded_sample(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qhep_contrast.data.h5_summary as module

    x = np.zeros((10, 4, 4, 2), np.float32)
    x[:, 0, 0, 0] = np.arange(10)
    x[:, 0, 0, 1] = -1.0
    x[9, 1, 1, 0] = np.nan  # beyond the blocks that hold the sample
    path = tmp_path / "eg.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("X", data=x, chunks=(2, 4, 4, 2))
        f["y"] = np.arange(10) % 2
    monkeypatch.setattr(module, "PIXEL_SAMPLE_BYTES", 5 * 4 * 4 * 4 * 2)  # five samples
    text = summarise_h5(path)
    assert "pixels X (first 5 of 10 samples):" in text
    assert "energy   min=0 max=4 mean=0.125" in text
    assert "time     min=-1 max=0" in text and "NEGATIVE" in text


def test_summary_tolerates_non_utf8_attributes(tmp_path) -> None:
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f["v"] = np.arange(3)
        f.attrs["raw"] = np.frombuffer(b"\xff\xfeok", dtype="S4")[0]
    assert "raw = \ufffd\ufffdok" in summarise_h5(path)
