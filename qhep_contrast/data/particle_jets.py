"""Particle-level jets read from HDF5 files into the packed layout of :mod:`qhep_contrast.data.particles`.

Two layouts are read (chosen by the keys present):

* the package's generated jet files: ``particles`` ``(N, P, 4)`` = ``(pT, eta, phi, E)`` with
  ``particle_pid`` and ``particle_charge`` ``(N, P)``, labels ``y`` (1 quark, 0 gluon), zero-padded;
* the energyflow layout: ``X`` ``(N, P, 4)`` = ``(pT, y, phi, pid)``, labels ``y``, zero-padded.

A particle is a row with ``pT > 0``. Each jet keeps its ``M`` leading particles in ``pT`` (leading first);
jets with fewer are zero-padded to ``M``. All jets are held in memory (``N * M * (5 + S)`` float32).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np
import torch

from qhep_contrast.data.base import LabelledImageDataset
from qhep_contrast.data.hdf5 import check_array, open_hdf5, read_labels
from qhep_contrast.data.particles import (
    SCALAR_KINDS,
    leading_order,
    mass_charge_scalars,
    p4_from_pt_eta_phi_e,
    p4_from_pt_y_phi_pid,
    pack_particles,
    pid_charge,
    pid_one_hot,
    scalar_width,
)
from qhep_contrast.exceptions import ConfigError, SchemaError

__all__ = ["ParticleJetDataset", "read_particle_jets"]

_LABELS = "y"


def _read_rows(file: h5py.File, key: str, n: int, p: int, width: int | None, kinds: str) -> np.ndarray:
    shape: tuple[int | None, ...] = (n, p) if width is None else (n, p, width)
    expected = f"{'x'.join(str(s) for s in shape)} numbers (jets, particles{', columns' if width else ''})"
    return np.asarray(check_array(file, key, shape=shape, kinds=kinds, expected=expected)[()])


def _check_values(path: str, key: str, values: np.ndarray, column: int, name: str) -> None:
    finite = np.isfinite(values)
    if not finite.all():
        jet = int(np.flatnonzero(~finite.reshape(values.shape[0], -1).all(axis=1))[0])
        raise SchemaError(f"{path!r}, key {key!r}: non-finite particle momenta (NaN or inf) in jet {jet}; "
                          "regenerate the file or drop those jets")
    if column >= 0 and (values[..., column] < 0).any():
        jet = int(np.flatnonzero((values[..., column] < 0).any(axis=1))[0])
        raise SchemaError(f"{path!r}, key {key!r}: negative {name} in jet {jet} (column {column}); padded "
                          "particles must be all zero and real ones have a positive energy and pT")


def read_particle_jets(path: str | Path, max_particles: int, scalars: str = "pid",
                       scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Read one file: packed jets ``(N, 1, M, 5 + S)`` float32 and labels ``(N,)`` int64.

    Args:
        path: HDF5 file in one of the two layouts of the module docstring.
        max_particles: ``M``; at most the stored number of particles per jet.
        scalars: ``"pid"`` or ``"mass_charge"`` (see :data:`~qhep_contrast.data.particles.SCALAR_KINDS`).
        scale: factor on every four-momentum (e.g. 0.01 for units of 100 GeV).

    Raises:
        SchemaError: no ``particles`` or ``X`` key, a shape or dtype off the schema, ``M`` larger than
            stored, non-finite momenta, negative energies or pT; each names the file and the key.
    """
    if scalars not in SCALAR_KINDS:
        raise ConfigError(f"scalars = {scalars!r}: choose one of {SCALAR_KINDS}.")
    with open_hdf5(path) as file:
        name = str(file.filename)
        key = "particles" if "particles" in file else "X" if "X" in file else None
        if key is None:
            raise SchemaError(f"{name!r}: no particle key 'particles' (pT, eta, phi, E) or 'X' (pT, y, phi, pid); "
                              f"the file has keys {sorted(file.keys())}; write particles with `qhep data "
                              "generate-jets`, or use an image dataset for image-only files")
        ds = check_array(file, key, shape=(None, None, 4), kinds="fiu",
                         expected="(N, P, 4) particle rows (zero-padded)")
        n, p = ds.shape[0], ds.shape[1]
        if max_particles > p:
            raise SchemaError(f"{name!r}, key {key!r}: {max_particles} particles per jet asked, but the file "
                              f"stores {p}; set data.max_particles <= {p}")
        kin = np.asarray(ds[()], dtype=np.float64)
        labels = read_labels(file, _LABELS, n, (0, 1), "gluon 0, quark 1")
        if key == "particles":
            _check_values(name, key, kin, 3, "energy")
            _check_values(name, key, kin, 0, "pT")
            pid = _read_rows(file, "particle_pid", n, p, None, "iu")
            charge = _read_rows(file, "particle_charge", n, p, None, "iuf").astype(np.float64)
            p4 = p4_from_pt_eta_phi_e(kin)
        else:
            _check_values(name, key, kin, 0, "pT")
            pid = kin[..., 3].astype(np.int64)
            charge = pid_charge(pid)
            p4 = p4_from_pt_y_phi_pid(kin)
    order = leading_order(kin[..., 0])[:, :max_particles]
    take = lambda a: np.take_along_axis(a, order.reshape(order.shape + (1,) * (a.ndim - 2)), axis=1)  # noqa: E731
    mask, p4, pid, charge = take(kin[..., 0] > 0), take(p4) * scale, take(pid), take(charge)
    node = pid_one_hot(pid) if scalars == "pid" else mass_charge_scalars(p4 / scale, charge)
    return pack_particles(mask, p4, node), labels


class ParticleJetDataset(LabelledImageDataset):
    """Particle jets of one or more files, items ``(jet (1, M, 5 + S) float32, label)``.

    Args:
        paths: HDF5 files (their jets are concatenated in order).
        max_particles: leading particles kept per jet, ``M``.
        scalars: node scalars, ``"pid"`` (8) or ``"mass_charge"`` (2).
        scale: factor on every four-momentum.

    Raises:
        SchemaError: see :func:`read_particle_jets`.
    """

    def __init__(self, paths: Sequence[str | Path], max_particles: int = 30, scalars: str = "pid",
                 scale: float = 1.0) -> None:
        super().__init__(None)
        parts = [read_particle_jets(p, max_particles, scalars, scale) for p in paths]
        self._jets = np.concatenate([j for j, _ in parts]) if parts else np.zeros((0, 1, max_particles, 5 + scalar_width(scalars)), np.float32)
        self._labels = np.concatenate([y for _, y in parts]) if parts else np.zeros(0, np.int64)

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_classes(self) -> int:
        return 2

    @property
    def raw_image_shape(self) -> tuple[int, int, int]:
        return (1, int(self._jets.shape[2]), int(self._jets.shape[3]))

    def _raw_image(self, index: int) -> torch.Tensor:
        return torch.from_numpy(self._jets[index])
