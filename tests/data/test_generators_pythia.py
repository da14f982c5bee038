"""Pythia + FastJet jet generation (skipped cleanly without the ``generate`` extra)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

pytest.importorskip("pythia8mc")
pytest.importorskip("fastjet")

from qhep_contrast.data.generators.jet_generation import generate_jets  # noqa: E402
from qhep_contrast.data.generators.jet_recipe import JetRecipe  # noqa: E402
from qhep_contrast.data.generators.pythia_jets import generate_jet_shard  # noqa: E402

_FAST = JetRecipe(mpi=False, n_pixels=16)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 160-jet job (MPI off) with one worker and with two."""
    folder = tmp_path_factory.mktemp("jets")
    one, two = folder / "one.h5", folder / "two.h5"
    generate_jets(one, 160, seed=42, recipe=_FAST, workers=1, shard_size=40, command="test", progress=False)
    generate_jets(two, 160, seed=42, recipe=_FAST, workers=2, shard_size=40, command="test", progress=False)
    return one, two


def test_same_seed_same_bytes_for_any_worker_count(files: tuple[Path, Path]) -> None:
    with h5py.File(files[0], "r") as a, h5py.File(files[1], "r") as b:
        assert set(a) == set(b) and {"X_jets", "particles", "particle_pid", "n_particles"} <= set(a)
        for key in a:
            assert a[key][:].tobytes() == b[key][:].tobytes(), key


def test_shard_reproducible_and_seed_sensitive() -> None:
    first = generate_jet_shard(_FAST, 0, 40, seed=7)
    again = generate_jet_shard(_FAST, 0, 40, seed=7)
    other = generate_jet_shard(_FAST, 0, 40, seed=8)
    for key in first:
        assert first[key].tobytes() == again[key].tobytes(), key
    assert first["X_jets"].tobytes() != other["X_jets"].tobytes()


def test_schema_cuts_and_physics(files: tuple[Path, Path]) -> None:
    with h5py.File(files[0], "r") as f:
        x, y, pt = f["X_jets"][:], f["y"][:], f["pt"][:]
        n, charge, parts = f["n_particles"][:], f["particle_charge"][:], f["particles"][:]
        assert f.attrs["seed"] == 42 and "qg2gmZq" in f.attrs["pythia_settings_quark"]
        assert '"mpi": false' in f.attrs["recipe"] and f["X_jets"].compression == "gzip"
        eta = f["jet_eta"][:]
    assert x.shape == (160, 16, 16, 3) and x.dtype == np.float32 and y.dtype == np.float32
    assert (y == 1).sum() == 80 and 0 < y[:80].sum() < 80  # balanced and mixed within blocks
    assert ((pt >= 100) & (pt < 150.01)).all() and (np.abs(eta) < 2).all()
    assert (x >= 0).all() and (x.sum(axis=(1, 2, 3)) <= 2 * pt).all()
    # padded particle list: hardest first, count matches, no neutrinos
    assert (np.diff(parts[:, :, 0], axis=1) <= 0).all()
    stored = (parts[:, :, 0] > 0).sum(axis=1)
    np.testing.assert_array_equal(stored, np.minimum(n, 100))
    with h5py.File(files[0], "r") as f:
        pid = np.abs(f["particle_pid"][:])
    assert not np.isin(pid, [12, 14, 16]).any()
    # gluon jets carry more constituents (Casimir scaling, C_A / C_F = 9/4)
    assert n[y == 0].mean() > n[y == 1].mean() + 2
    assert (charge != 0).sum(axis=1)[y == 0].mean() > (charge != 0).sum(axis=1)[y == 1].mean()
