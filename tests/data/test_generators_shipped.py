"""The small real jet file shipped with the package: present, in schema, balanced, small."""

from __future__ import annotations

import json
from importlib import resources

import h5py
import numpy as np

_SHIPPED = resources.files("qhep_contrast.data") / "shipped" / "qg_jets_2k_16x16.h5"
_README = resources.files("qhep_contrast.data") / "shipped" / "README.md"


def test_shipped_file_schema_balance_and_size() -> None:
    assert _SHIPPED.is_file(), f"missing shipped file {_SHIPPED}"
    size = _SHIPPED.stat().st_size
    assert size < 4_000_000, f"shipped file is {size / 1e6:.2f} MB"
    with h5py.File(_SHIPPED, "r") as f:
        x, y, pt, m0 = f["X_jets"][:], f["y"][:], f["pt"][:], f["m0"][:]
        recipe = json.loads(f.attrs["recipe"])
        command = f.attrs["command"]
        assert f["X_jets"].compression == "gzip"
    assert x.shape == (2000, 16, 16, 3) and x.dtype == np.float32
    assert y.shape == pt.shape == m0.shape == (2000,) and y.dtype == pt.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0} and (y == 1).sum() == 1000
    assert np.isfinite(x).all() and (x >= 0).all() and (x.sum(axis=(1, 2, 3)) > 0).all()
    assert ((pt >= recipe["pt_min_gev"]) & (pt < recipe["pt_max_gev"] + 0.01)).all() and (m0 > 0).all()
    assert recipe["n_pixels"] == 16 and recipe["mpi"] and recipe["hadronisation"]
    assert command.startswith("qhep data generate-jets") and "--seed" in command
    assert command in _README.read_text()


def test_shipped_file_loads_through_the_reader() -> None:
    from qhep_contrast.data.quark_gluon import QuarkGluonDataset

    with resources.as_file(_SHIPPED) as path:
        dataset = QuarkGluonDataset(path, with_extras=True)
        image, label, extras = dataset[0]
    assert len(dataset) == 2000 and tuple(image.shape) == (3, 16, 16) and int(label) in (0, 1)
    assert set(extras) == {"pt", "m0"}
