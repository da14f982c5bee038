"""Particle-jet reader: both layouts, truncation, four-momenta, scalars, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch

from qhep_contrast.data.particle_jets import ParticleJetDataset, read_particle_jets
from qhep_contrast.data.particles import SPECIES, unpack_particles
from qhep_contrast.exceptions import DataError

_MASS = {22: 0.0, 211: 0.13957, 2112: 0.939565}


def _generated(n: int = 6, p: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Generated-file schema with particles in random (not pt) order and per-jet padding."""
    rng = np.random.default_rng(seed)
    parts = np.zeros((n, p, 4), np.float32)
    pid = np.zeros((n, p), np.int32)
    for k in range(n):
        count = 2 + k % (p - 1)
        pt = rng.uniform(1, 50, count)
        eta = rng.uniform(-1, 1, count)
        phi = rng.uniform(-np.pi, np.pi, count)
        ids = rng.choice([22, 211, -211, 2112], count)
        m = np.array([_MASS[abs(int(i))] for i in ids])
        e = np.sqrt((pt * np.cosh(eta)) ** 2 + m**2)
        slots = rng.permutation(p)[:count]
        parts[k, slots] = np.stack([pt, eta, phi, e], -1)
        pid[k, slots] = ids
    charge = np.sign(pid) * np.isin(np.abs(pid), [211]).astype(np.int8)
    return {"particles": parts, "particle_pid": pid, "particle_charge": charge.astype(np.int8),
            "y": (np.arange(n) % 2).astype(np.float32)}


def test_generated_layout_four_momenta_order_and_scalars(write_h5: Callable[..., Path]) -> None:
    arrays = _generated()
    path = write_h5("gen.h5", arrays)
    jets, labels = read_particle_jets(path, 3)
    mask, p4, s = unpack_particles(torch.from_numpy(jets))
    assert jets.shape == (6, 1, 3, 13) and labels.tolist() == [0, 1, 0, 1, 0, 1]
    for k in range(6):
        kin = arrays["particles"][k]
        order = np.argsort(-kin[:, 0], kind="stable")[:3]
        keep = kin[order, 0] > 0
        assert mask[k].numpy().tolist() == keep.astype(float).tolist()
        ref = kin[order][keep].astype(np.float64)
        expected = np.stack([ref[:, 3], ref[:, 0] * np.cos(ref[:, 2]), ref[:, 0] * np.sin(ref[:, 2]),
                             ref[:, 0] * np.sinh(ref[:, 1])], -1)
        np.testing.assert_allclose(p4[k][mask[k] > 0].numpy(), expected, rtol=1e-5, atol=1e-5)
        ids = np.abs(arrays["particle_pid"][k][order][keep])
        assert (s[k][mask[k] > 0].argmax(1).numpy() == [SPECIES.index(int(i)) for i in ids]).all()
        assert (p4[k][mask[k] == 0] == 0).all() and (s[k][mask[k] == 0] == 0).all()


def test_mass_charge_scalars(write_h5: Callable[..., Path]) -> None:
    arrays = _generated()
    jets, _ = read_particle_jets(write_h5("gen.h5", arrays), 5, scalars="mass_charge")
    mask, _, s = unpack_particles(torch.from_numpy(jets).double())
    kin, pid = arrays["particles"], arrays["particle_pid"]
    for k in range(kin.shape[0]):
        order = np.argsort(-kin[k, :, 0], kind="stable")
        ids = pid[k][order][kin[k][order, 0] > 0]
        real = mask[k] > 0
        mass = np.array([_MASS[abs(int(i))] for i in ids])
        charge = np.sign(ids) * (np.abs(ids) == 211)
        np.testing.assert_allclose(s[k][real][:, 0].numpy(), np.log1p(mass), atol=0.02)  # float32 energies
        np.testing.assert_allclose(s[k][real][:, 1].numpy(), np.sign(charge) * np.log1p(np.abs(charge)), atol=1e-6)


def test_energyflow_layout_matches_generated(write_h5: Callable[..., Path]) -> None:
    arrays = _generated()
    kin = arrays["particles"].astype(np.float64)
    pid = arrays["particle_pid"]
    real = kin[..., 0] > 0
    pz = kin[..., 0] * np.sinh(kin[..., 1])
    e = np.where(real, kin[..., 3], 2.0)
    rapidity = np.where(real, 0.5 * np.log((e + pz) / (e - pz)), 0.0)
    x = np.stack([kin[..., 0], rapidity, kin[..., 2], pid], -1)
    ef, _ = read_particle_jets(write_h5("ef.h5", {"X": x, "y": arrays["y"]}), 4)
    gen, _ = read_particle_jets(write_h5("gen.h5", arrays), 4)
    np.testing.assert_allclose(ef, gen, rtol=1e-4, atol=1e-4)


def test_dataset_items(write_h5: Callable[..., Path]) -> None:
    d = ParticleJetDataset([write_h5("a.h5", _generated(4)), write_h5("b.h5", _generated(3, seed=1))], 4)
    assert len(d) == 7 and d.image_shape == (1, 4, 13) and d[6][0].shape == (1, 4, 13)


@pytest.mark.parametrize("case, words", [
    ("no_particles", ["no particle key", "'particles'"]),
    ("too_many", ["key 'particles'", "stores 5"]),
    ("nan", ["key 'particles'", "non-finite"]),
    ("negative_energy", ["key 'particles'", "negative energy"]),
    ("ef_nan", ["key 'X'", "non-finite"]),
])
def test_bad_input_names_file_and_key(case: str, words: list[str], write_h5: Callable[..., Path]) -> None:
    arrays = _generated()
    m = 3
    if case == "no_particles":
        arrays = {"X_jets": np.zeros((6, 4, 4, 3), np.float32), "y": arrays["y"]}
    elif case == "too_many":
        m = 6
    elif case == "nan":
        arrays["particles"][2, 0, 1] = np.nan
    elif case == "negative_energy":
        arrays["particles"][3, 1] = [1.0, 0.0, 0.0, -2.0]
    elif case == "ef_nan":
        x = arrays["particles"].copy()
        x[..., 3] = arrays["particle_pid"]
        x[1, 0, 0] = np.nan
        arrays = {"X": x, "y": arrays["y"]}
    path = write_h5("bad.h5", arrays)
    with pytest.raises(DataError) as info:
        read_particle_jets(path, m)
    assert str(path) in str(info.value)
    for w in words:
        assert w in str(info.value)
