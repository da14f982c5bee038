"""SYNTHETIC e/gamma toy: schema, reproducibility, and physics pieces against closed forms / references."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from qhep_contrast.data.generators.egamma_generation import EGAMMA_BATCH, egamma_labels, generate_egamma
from qhep_contrast.data.generators.egamma_toy import EgammaToyConfig, simulate_egamma
from qhep_contrast.data.generators.shower_profile import gp_containment, sample_gp_offsets
from qhep_contrast.data.generators.tracker_material import (
    TrackerGeometry,
    brem_positions,
    bremsstrahlung,
    conversions,
    looper_pt,
)
from qhep_contrast.exceptions import ConfigError


@pytest.fixture(scope="module")
def showers() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(123)
    return simulate_egamma(rng, egamma_labels(rng, 2048))


def _phi_width(energy: np.ndarray) -> np.ndarray:
    """Energy-weighted phi RMS (crystals) in the 5x5 around the seed crystal (16, 16)."""
    window = energy[:, 14:19, 14:19].astype(np.float64)
    w = window / window.sum(axis=(1, 2), keepdims=True)
    g = np.arange(5) - 2.0
    mean = (w * g).sum(axis=(1, 2))
    return np.sqrt((w * (g - mean[:, None, None]) ** 2).sum(axis=(1, 2)))


def test_schema_dtypes_and_labels(showers: dict[str, np.ndarray]) -> None:
    x, y = showers["X"], showers["y"]
    assert x.shape == (2048, 32, 32, 2) and x.dtype == np.float32
    assert y.shape == (2048,) and y.dtype == np.float32 and set(np.unique(y)) == {0.0, 1.0}
    assert (y == 1).sum() == 1024
    assert np.isfinite(x).all() and (x[..., 0] >= 0).all()
    assert ((x[..., 0] == 0) == (x[..., 1] == 0)).mean() > 0.999  # time only where energy is read out
    seed_crystal = x[:, 16, 16, 0]
    assert (seed_crystal >= x[..., 0].max(axis=(1, 2)) * 0.9).mean() > 0.99  # centred on the maximum
    assert (showers["charge"][y == 0] == 0).all() and set(np.unique(showers["charge"][y == 1])) == {-1, 1}
    assert not showers["converted"][y == 1].any() and (showers["brem_fraction"][y == 0] == 0).all()


def test_energy_is_mostly_contained(showers: dict[str, np.ndarray]) -> None:
    # unconverted photons: the window holds the shower energy up to resolution, noise and tails
    photons = (showers["y"] == 0) & ~showers["converted"]
    ratio = showers["X"][photons, :, :, 0].sum(axis=(1, 2)) / showers["energy"][photons]
    assert 0.95 < np.median(ratio) < 1.03


def test_same_seed_same_bytes_other_seed_differs() -> None:
    def run(seed: int) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return simulate_egamma(rng, egamma_labels(rng, 64))

    a, b, c = run(5), run(5), run(6)
    for key in a:
        assert a[key].tobytes() == b[key].tobytes()
    assert a["X"].tobytes() != c["X"].tobytes()


def test_electrons_wider_in_phi_and_charge_asymmetric(showers: dict[str, np.ndarray]) -> None:
    y, energy = showers["y"], showers["X"][..., 0]
    width = _phi_width(energy)
    assert width[y == 1].mean() > 1.1 * width[y == 0].mean()
    unconverted = (y == 0) & ~showers["converted"]
    assert width[y == 1].mean() > 1.25 * width[unconverted].mean()
    # brem photons land on the side the electron bends away from: sign follows the charge
    phi_profile = energy.sum(axis=1).astype(np.float64)
    offset = (phi_profile * (np.arange(32) - 16.0)).sum(axis=1) / phi_profile.sum(axis=1)
    plus, minus = offset[showers["charge"] == 1].mean(), offset[showers["charge"] == -1].mean()
    assert plus * minus < 0 and abs(plus - minus) > 0.2


def test_separation_is_learnable_but_imperfect(showers: dict[str, np.ndarray]) -> None:
    energy, y = showers["X"][..., 0].astype(np.float64), showers["y"]
    total = energy.sum(axis=(1, 2))
    features = np.stack([energy[:, 16, 16] / total, energy[:, 15:18, 15:18].sum(axis=(1, 2)) / total,
                         _phi_width(showers["X"][..., 0]), (energy > 0).sum(axis=(1, 2))], axis=1)
    features = (features - features.mean(0)) / features.std(0)
    half = len(y) // 2
    model = LogisticRegression().fit(features[:half], y[:half])
    auc = roc_auc_score(y[half:], model.decision_function(features[half:]))
    assert 0.6 < auc < 0.85


def test_gp_profile_matches_closed_form_containment() -> None:
    rng = np.random.default_rng(0)
    dx, dy = sample_gp_offsets(rng, np.array(0.15), np.array(0.9), np.array(0.85), 200_000)
    r = np.hypot(dx, dy)
    for radius in (0.1, 0.5, 1.0, 2.0):
        assert (r < radius).mean() == pytest.approx(gp_containment(radius, 0.15, 0.9, 0.85), abs=0.005)


def test_bethe_heitler_mean_energy_loss() -> None:
    # E[z] = E[exp(-Gamma(t / ln 2))] = 2^(-t / ln 2) = exp(-t) (Bethe-Heitler)
    rng = np.random.default_rng(1)
    n, t = 100_000, 0.8
    fractions, _ = bremsstrahlung(rng, np.full(n, 50.0), np.ones(n), np.full(n, t), 3, TrackerGeometry())
    assert fractions[:, 0].mean() == pytest.approx(np.exp(-t), abs=0.005)
    np.testing.assert_allclose(fractions.sum(axis=1), 1.0, atol=1e-12)


def _stepped_track(r_emit: np.ndarray, pts: np.ndarray, charge: float, geometry: TrackerGeometry,
                   steps: int = 20000) -> np.ndarray:
    """Reference: march a particle in small radial steps; pts[m] applies after emission m (r_emit sorted)."""
    ds = geometry.ecal_radius_m / steps
    psi, y = 0.0, 0.0
    leave = {}
    for s in range(steps):
        r = (s + 0.5) * ds
        m = int(np.searchsorted(r_emit, r))
        kappa = charge * 0.3 * geometry.field_t / pts[m]
        for i, re in enumerate(r_emit):
            if i not in leave and r > re:
                leave[i] = (y, psi)
        y += psi * ds - kappa * ds**2 / 2
        psi -= kappa * ds
    photons = [leave[i][0] + (geometry.ecal_radius_m - r_emit[i]) * leave[i][1] for i in range(len(r_emit))]
    return np.array([y, *photons]) / geometry.ecal_radius_m


@pytest.mark.parametrize("charge", [-1.0, 1.0])
def test_brem_positions_match_stepped_reference(charge: float) -> None:
    geometry = TrackerGeometry()
    radii = np.array([0.1, 0.45, 0.9])
    after = np.array([1.0, 0.7, 0.5, 0.2])
    dphi = brem_positions(np.array([20.0]), np.array([charge]), after[None], radii[None], geometry)[0]
    reference = _stepped_track(radii, 20.0 * after, charge, geometry)
    np.testing.assert_allclose(dphi, reference, rtol=1e-3, atol=1e-7)
    # photons emitted later sit closer to the (more bent) electron; all on one side, sign = -charge
    assert np.all(np.sign(dphi) == -charge)
    assert abs(dphi[0]) > abs(dphi[3]) > abs(dphi[2]) > abs(dphi[1])


def test_conversion_probability_and_pair_geometry() -> None:
    geometry = TrackerGeometry()
    rng = np.random.default_rng(2)
    n, t = 50_000, 0.9
    converted, fractions, dphi = conversions(rng, np.full(n, 30.0), np.full(n, t), geometry)
    assert converted.mean() == pytest.approx(1 - np.exp(-7 / 9 * t), abs=0.01)
    np.testing.assert_allclose(fractions.sum(axis=1), 1.0)
    assert (dphi[~converted] == 0).all()
    assert (dphi[converted, 0] > 0).all() and (dphi[converted, 1] < 0).all()  # e- and e+ bend apart
    assert looper_pt(geometry) == pytest.approx(0.3 * 3.8 * 1.29 / 2)


def test_generate_egamma_file(tmp_path) -> None:
    path = tmp_path / "eg.h5"
    report = generate_egamma(path, EGAMMA_BATCH + 10, seed=3, command="test", progress=False)
    assert report.n_samples == EGAMMA_BATCH + 10 and not (tmp_path / "eg.h5.partial").exists()
    with h5py.File(path, "r") as f:
        assert f.attrs["synthetic"] and f.attrs["schema"] == "electron-photon"
        assert f["X"].shape == (EGAMMA_BATCH + 10, 32, 32, 2) and f["X"].compression == "gzip"
        assert abs(f["y"][:].mean() - 0.5) < 0.01
        first = f["X"][:EGAMMA_BATCH]
    rng = np.random.default_rng([3, 0])
    np.testing.assert_array_equal(first, simulate_egamma(rng, egamma_labels(rng, EGAMMA_BATCH))["X"])
    with pytest.raises(ConfigError):
        generate_egamma(tmp_path / "bad.h5", 0, seed=1, progress=False)
    with pytest.raises(ConfigError):
        EgammaToyConfig(energy_min_gev=50.0, energy_max_gev=10.0)


def test_generated_file_loads_through_the_reader(tmp_path) -> None:
    from qhep_contrast.data.egamma import ElectronPhotonDataset

    path = tmp_path / "eg.h5"
    generate_egamma(path, 50, seed=1, progress=False)
    dataset = ElectronPhotonDataset(path)
    image, label = dataset[3]
    assert len(dataset) == 50 and tuple(image.shape) == (2, 32, 32) and int(label) in (0, 1)
