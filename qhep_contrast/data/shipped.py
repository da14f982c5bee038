"""The quark/gluon jet file shipped with the package (``data.paths = ["shipped"]``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from qhep_contrast.exceptions import DataFileNotFoundError

__all__ = ["SHIPPED", "SHIPPED_JETS", "shipped_jet_file", "resolve_path", "resolve_data_path"]

SHIPPED_JETS = "qg_jets_2k_16x16.h5"
"""File name of the quark/gluon jets shipped in ``qhep_contrast/data/shipped/``."""

SHIPPED = "shipped"
"""The path alias that names the shipped jet file in configs and commands."""


def shipped_jet_file() -> Path:
    """Path of the quark/gluon jet file shipped with the package.

    Raises:
        DataFileNotFoundError: the package was installed without it.
    """
    path = Path(str(resources.files("qhep_contrast.data") / "shipped" / SHIPPED_JETS))
    if not path.is_file():
        raise DataFileNotFoundError(f"the shipped jet file {path} is missing; reinstall qhep-contrast, or point "
                                    "data.paths at quark/gluon HDF5 files (qhep data generate-jets makes them).")
    return path


def resolve_path(path: str | Path) -> Path:
    """``path``, or the shipped jet file for the alias ``"shipped"`` (``./shipped`` names a real file so called)."""
    return shipped_jet_file() if str(path) == SHIPPED else Path(path)


resolve_data_path = resolve_path
"""Alias of :func:`resolve_path` used by the data commands."""
