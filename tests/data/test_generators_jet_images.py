"""Pure-numpy jet imaging, particle arrays, recipe and sharding: no Pythia needed, runs everywhere."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qhep_contrast.data.generators.jet_arrays import JetConstituents, jet_file_arrays
from qhep_contrast.data.generators.jet_images import (
    detector_channel_weights,
    pixelise,
    pt_weighted_centroid,
    wrap_phi,
)
from qhep_contrast.data.generators.jet_recipe import PYTHIA_SEED_MAX, JetRecipe, pythia_settings
from qhep_contrast.data.generators.sharding import block_permutation, plan_shards, shard_seed
from qhep_contrast.exceptions import ConfigError, ShapeError


def _pixelise_loop(rel_eta, rel_phi, weights, jet_index, n_jets, n_pixels, half_width):
    """Reference: one particle at a time, pixel edges compared explicitly."""
    edges = np.linspace(-half_width, half_width, n_pixels + 1)
    out = np.zeros((n_jets, n_pixels, n_pixels, weights.shape[1]))
    for e, p, w, j in zip(rel_eta, rel_phi, weights, jet_index):
        for i in range(n_pixels):
            for k in range(n_pixels):
                if edges[i] <= e < edges[i + 1] and edges[k] <= p < edges[k + 1]:
                    out[j, i, k] += w
    return out


def test_pixelise_matches_loop_reference() -> None:
    rng = np.random.default_rng(0)
    n = 300
    eta, phi = rng.uniform(-0.5, 0.5, n), rng.uniform(-0.5, 0.5, n)
    weights, jets = rng.exponential(5.0, (n, 3)), rng.integers(0, 4, n)
    got = pixelise(eta, phi, weights, jets, 4, 8, 0.4)
    want = _pixelise_loop(eta, phi, weights, jets, 4, 8, 0.4)
    assert got.dtype == np.float32 and got.shape == (4, 8, 8, 3)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5)
    assert (np.abs(eta) > 0.4).any() and got.sum() < weights.sum()  # some particles fell outside


def test_pixelise_hand_made_positions() -> None:
    # 32 pixels over +-0.4: pixel width 0.025; 0 sits at the lower edge of pixel 16.
    eta = np.array([0.0, -0.4, 0.3999, 0.4, 0.0124])
    phi = np.array([0.0, 0.3999, -0.4, 0.0, -0.0001])
    w = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    img = pixelise(eta, phi, w, np.zeros(5, int), 1, 32, 0.4)[0, :, :, 0]
    assert img[16, 16] == 1.0 and img[0, 31] == 2.0 and img[31, 0] == 3.0 and img[16, 15] == 5.0
    assert img.sum() == 11.0  # eta = +0.4 is outside the half-open window


def test_pixelise_rejects_bad_arguments() -> None:
    with pytest.raises(ConfigError):
        pixelise(np.zeros(1), np.zeros(1), np.ones((1, 1)), np.zeros(1, int), 1, 0, 0.4)
    with pytest.raises(ShapeError):
        pixelise(np.zeros(2), np.zeros(2), np.ones(2), np.zeros(2, int), 1, 4, 0.4)


def test_detector_channels_by_particle_type() -> None:
    pid = np.array([211, -211, 22, 11, -11, 2112, 130, 310, 13, 3122])
    charge = np.array([1, -1, 0, -1, 1, 0, 0, 0, -1, 0])
    pt = np.arange(1.0, 11.0)
    w = detector_channel_weights(pt, pid, charge)
    expected = np.array([  # Tracks, ECAL, HCAL
        [1, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1], [1, 0, 0],
        [0, 0, 1]]) * pt[:, None]
    np.testing.assert_array_equal(w, expected)


def test_wrap_phi_range_and_identity() -> None:
    phi = np.array([-7.0, -np.pi, 0.0, 3.0, np.pi, 7.0])
    wrapped = wrap_phi(phi)
    assert np.all((wrapped >= -np.pi) & (wrapped < np.pi))
    np.testing.assert_allclose(np.cos(wrapped), np.cos(phi), atol=1e-12)
    np.testing.assert_allclose(np.sin(wrapped), np.sin(phi), atol=1e-12)


def test_centroid_across_the_phi_seam_matches_loop() -> None:
    eta = np.array([0.1, 0.3, -1.0, -1.2, 0.5])
    phi = np.array([3.1, -3.1, 0.2, 0.4, 1.0])
    pt = np.array([1.0, 3.0, 2.0, 2.0, 7.0])
    jets = np.array([0, 0, 1, 1, 2])
    axis = np.array([np.pi, 0.3, 1.0])
    eta_c, phi_c = pt_weighted_centroid(eta, phi, pt, jets, axis)
    for j in range(3):
        sel = jets == j
        dphi = [math.remainder(p - axis[j], 2 * math.pi) for p in phi[sel]]
        assert eta_c[j] == pytest.approx(np.dot(pt[sel], eta[sel]) / pt[sel].sum())
        want = math.remainder(axis[j] + np.dot(pt[sel], dphi) / pt[sel].sum(), 2 * math.pi)
        assert math.cos(phi_c[j] - want) == pytest.approx(1.0)
    assert abs(abs(phi_c[0]) - np.pi) < 0.1  # near the seam, not near 0


def _constituents(pts, etas, phis, pids, charges, counts, mass=0.0):
    pts, etas, phis = map(np.asarray, (pts, etas, phis))
    px, py, pz = pts * np.cos(phis), pts * np.sin(phis), pts * np.sinh(etas)
    energy = np.sqrt(px**2 + py**2 + pz**2 + mass**2)
    return JetConstituents(counts=np.asarray(counts), px=px, py=py, pz=pz, energy=energy, pid=np.asarray(pids),
                           charge=np.asarray(charges, dtype=float))


def test_jet_file_arrays_hand_made_jets() -> None:
    # Jet 0: two massless back-to-back-in-phi-ish particles with a closed-form mass; jet 1: one photon.
    c = _constituents([30.0, 10.0, 50.0], [0.5, 0.5, -1.0], [1.0, 1.2, 2.0], [211, 130, 22], [1, 0, 0], [2, 1])
    recipe = JetRecipe(n_pixels=16, max_particles=3, centre="axis")
    out = jet_file_arrays(c, recipe, label=1)
    px, py = c.px[:2].sum(), c.py[:2].sum()
    assert out["pt"][0] == pytest.approx(math.hypot(px, py), rel=1e-6)
    # m^2 = 2 pT1 pT2 (cosh(deta) - cos(dphi)) for massless particles
    assert out["m0"][0] == pytest.approx(math.sqrt(2 * 30 * 10 * (1 - math.cos(0.2))), rel=1e-5)
    assert out["m0"][1] == pytest.approx(0.0, abs=1e-3)
    np.testing.assert_array_equal(out["y"], [1.0, 1.0])
    np.testing.assert_array_equal(out["n_particles"], [2, 1])
    np.testing.assert_allclose(out["particles"][0, :, 0], [30.0, 10.0, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(out["particle_pid"][1], [22, 0, 0])
    np.testing.assert_array_equal(out["particle_charge"][0], [1, 0, 0])
    # single photon on its own axis: all its pT in the ECAL channel, in the pixel just above the centre
    img = out["X_jets"][1]
    assert img[8, 8, 1] == pytest.approx(50.0) and img.sum() == pytest.approx(50.0)
    np.testing.assert_allclose(out["X_jets"][0].sum(axis=(0, 1)), [30.0, 0.0, 10.0], rtol=1e-6)


def test_jet_file_arrays_sorts_truncates_and_centres() -> None:
    rng = np.random.default_rng(3)
    counts = np.array([7, 4])
    n = counts.sum()
    pts = rng.uniform(1, 20, n)
    c = _constituents(pts, rng.normal(0, 0.1, n), 0.5 + rng.normal(0, 0.1, n), np.full(n, 211), np.ones(n), counts)
    out = jet_file_arrays(c, JetRecipe(max_particles=5), label=0)
    assert out["particles"].shape == (2, 5, 4)
    np.testing.assert_allclose(out["particles"][0, :, 0], np.sort(pts[:7])[::-1][:5], rtol=1e-5)
    np.testing.assert_allclose(out["particles"][1, :4, 0], np.sort(pts[7:])[::-1], rtol=1e-5)
    assert (out["particles"][1, 4] == 0).all() and out["n_particles"].tolist() == [7, 4]
    # centroid centring: the pT-weighted mean pixel position sits at the image centre (+- a pixel)
    centres = (np.arange(32) - 16 + 0.5) * 0.025
    img = out["X_jets"][..., 0]
    mean_eta = (img.sum(axis=2) * centres).sum(axis=1) / img.sum(axis=(1, 2))
    mean_phi = (img.sum(axis=1) * centres).sum(axis=1) / img.sum(axis=(1, 2))
    assert np.all(np.abs(mean_eta) < 0.0125) and np.all(np.abs(mean_phi) < 0.0125)
    no_particles = jet_file_arrays(c, JetRecipe(), label=0, with_particles=False)
    assert "particles" not in no_particles and "X_jets" in no_particles


def test_constituents_shape_validation() -> None:
    with pytest.raises(ShapeError):
        JetConstituents(counts=np.array([3]), px=np.zeros(2), py=np.zeros(3), pz=np.zeros(3),
                        energy=np.zeros(3), pid=np.zeros(3), charge=np.zeros(3))


def test_recipe_and_settings_validation() -> None:
    with pytest.raises(ConfigError):
        JetRecipe(pt_min_gev=200.0, pt_max_gev=150.0)
    with pytest.raises(ConfigError):
        JetRecipe(centre="middle")  # type: ignore[arg-type]
    for bad_seed in (0, PYTHIA_SEED_MAX + 1):
        with pytest.raises(ConfigError):
            pythia_settings(JetRecipe(), 1, bad_seed)
    with pytest.raises(ConfigError):
        pythia_settings(JetRecipe(), 2, 5)
    quark = pythia_settings(JetRecipe(mpi=False), 1, 5)
    gluon = pythia_settings(JetRecipe(), 0, 5)
    assert "WeakBosonAndParton:qg2gmZq = on" in quark and "PartonLevel:MPI = off" in quark
    assert "WeakBosonAndParton:qqbar2gmZg = on" in gluon and "PartonLevel:MPI = on" in gluon
    assert "Random:setSeed = on" in gluon and "Random:seed = 5" in gluon and "23:onIfAny = 12 14 16" in gluon


def test_shard_seeds_are_valid_and_distinct() -> None:
    seeds = [shard_seed(s, i) for s in (0, 1, 2**40) for i in range(200)]
    assert all(1 <= s <= PYTHIA_SEED_MAX for s in seeds)
    assert len(set(seeds)) == len(seeds)
    assert shard_seed(7, 3) == shard_seed(7, 3)


@pytest.mark.parametrize(("n_jets", "fraction", "size"), [(2000, 0.5, 250), (7, 0.5, 3), (10, 0.3, 4), (5, 1.0, 2)])
def test_plan_shards_counts_and_order(n_jets: int, fraction: float, size: int) -> None:
    blocks = plan_shards(n_jets, seed=11, shard_size=size, quark_fraction=fraction)
    shards = [s for block in blocks for s in block]
    assert sum(s.n_jets for s in shards) == n_jets
    assert sum(s.n_jets for s in shards if s.label == 1) == round(n_jets * fraction)
    assert all(0 < s.n_jets <= size for s in shards)
    assert [s.index for s in shards] == sorted(s.index for s in shards)
    assert all(s.seed == shard_seed(11, s.index) for s in shards)
    assert plan_shards(n_jets, 11, size, fraction) == blocks
    with pytest.raises(ConfigError):
        plan_shards(0, 1)


def test_block_permutation_is_seeded() -> None:
    a = block_permutation(3, 1, 50)
    assert sorted(a.tolist()) == list(range(50))
    np.testing.assert_array_equal(a, block_permutation(3, 1, 50))
    assert not np.array_equal(a, block_permutation(3, 2, 50))


def test_sum_pooling_32_to_16_equals_imaging_at_16() -> None:
    # pixel edges of the 16-pixel grid are every other edge of the 32-pixel grid
    rng = np.random.default_rng(8)
    n = 500
    eta, phi = rng.uniform(-0.45, 0.45, n), rng.uniform(-0.45, 0.45, n)
    w, jets = rng.random((n, 3)), rng.integers(0, 3, n)
    fine = pixelise(eta, phi, w, jets, 3, 32, 0.4).astype(np.float64)
    pooled = fine.reshape(3, 16, 2, 16, 2, 3).sum(axis=(2, 4))
    np.testing.assert_allclose(pooled, pixelise(eta, phi, w, jets, 3, 16, 0.4), rtol=1e-5, atol=1e-6)
