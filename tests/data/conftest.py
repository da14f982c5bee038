"""Fixtures writing small data files in the exact ML4SCI / IDX schemas under ``tmp_path``."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any, Callable

import h5py
import numpy as np
import pytest


def _write_h5(path: Path, arrays: dict[str, Any], chunks: dict[str, tuple[int, ...]] | None = None) -> Path:
    """Write each array as a dataset (chunked where ``chunks`` says so)."""
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value, chunks=(chunks or {}).get(key))
    return path


@pytest.fixture
def write_h5(tmp_path: Path) -> Callable[..., Path]:
    """``write_h5(name, {key: array}, chunks={key: chunk_shape})`` -> path under tmp_path."""
    return lambda name, arrays, chunks=None: _write_h5(tmp_path / name, arrays, chunks)


@pytest.fixture
def egamma_arrays() -> Callable[..., dict[str, np.ndarray]]:
    """``egamma_arrays(n, label, seed)``: X (n, 32, 32, 2) float32 (energy >= 0, time), y float32."""

    def make(n: int, label: float, seed: int = 0) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        x = rng.exponential(1.0, (n, 32, 32, 2)).astype(np.float32)
        x[..., 1] = rng.normal(0.0, 1.0, (n, 32, 32))
        return {"X": x, "y": np.full(n, label, dtype=np.float32)}

    return make


@pytest.fixture
def qg_arrays() -> Callable[..., dict[str, np.ndarray]]:
    """``qg_arrays(n, size, seed, key)``: X_jets (n, size, size, 3) float32, y (quark 1 / gluon 0), pt, m0,
    plus an unknown particle-level array that readers must ignore."""

    def make(n: int, size: int = 25, seed: int = 0, key: str = "X_jets") -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        x = rng.exponential(1.0, (n, size, size, 3)).astype(np.float32) * (rng.random((n, size, size, 3)) < 0.1)
        return {key: x.astype(np.float32), "y": (np.arange(n) % 2).astype(np.float32),
                "pt": rng.uniform(70, 200, n).astype(np.float32), "m0": rng.uniform(0, 30, n).astype(np.float32),
                "particles": rng.normal(size=(n, 5, 4)).astype(np.float32)}

    return make


def _write_idx(path: Path, array: np.ndarray, type_byte: int = 0x08) -> Path:
    """IDX file (gzipped when the name ends in .gz): 00 00 type ndim, big-endian dims, bytes."""
    header = bytes([0, 0, type_byte, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(array).astype(np.uint8).tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


@pytest.fixture
def write_idx() -> Callable[..., Path]:
    """``write_idx(path, uint8_array, type_byte=0x08)``."""
    return _write_idx


@pytest.fixture
def mnist_folder(tmp_path: Path) -> Callable[..., tuple[Path, np.ndarray, np.ndarray]]:
    """``mnist_folder(gz, sub, n)``: standard-named IDX train/test files; returns (root, images, labels)."""

    def make(gz: bool = True, sub: str = "", n: int = 30) -> tuple[Path, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(1)
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        ext = ".gz" if gz else ""
        folder = tmp_path / "mnist" / sub
        for split in ("train", "t10k"):
            _write_idx(folder / f"{split}-images-idx3-ubyte{ext}", images)
            _write_idx(folder / f"{split}-labels-idx1-ubyte{ext}", labels)
        return tmp_path / "mnist", images, labels

    return make
