"""The quark/gluon jet file shipped with the package (``"shipped"`` in configs and on the command line)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from qhep_contrast.exceptions import DataFileNotFoundError

__all__ = ["SHIPPED_JETS", "SHIPPED_NAME", "shipped_jet_file", "resolve_data_path"]

SHIPPED_JETS = "qg_jets_2k_16x16.h5"
"""File name of the quark/gluon jets shipped in ``qhep_contrast/data/shipped/``."""

SHIPPED_NAME = "shipped"
"""The path value that stands for the shipped jet file."""


def shipped_jet_file() -> Path:
    """Path of the quark/gluon jet file shipped with the package.

    Raises:
        DataFileNotFoundError: the package was installed without it.
    """
    path = Path(str(resources.files("qhep_contrast.data") / "shipped" / SHIPPED_JETS))
    if not path.is_file():
        raise DataFileNotFoundError(f"the shipped jet file {path} is missing; reinstall qhep-contrast, or give the "
                                    "path of a quark/gluon HDF5 file (qhep data generate-jets makes them)")
    return path


def resolve_data_path(path: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, with ``"shipped"`` standing for :func:`shipped_jet_file`.

    A real file or folder named ``shipped`` in the working directory is not shadowed: ``./shipped`` names it.
    """
    return shipped_jet_file() if path == SHIPPED_NAME else Path(path)
