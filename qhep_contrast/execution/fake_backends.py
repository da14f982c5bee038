"""Fake IBM backends by name: ``"fake_torino"`` -> ``qiskit_ibm_runtime.fake_provider.FakeTorino()``.

Fake backends carry a real device's target (coupling map, basis gates, calibrated errors and durations).
The ``ibm`` executor runs them in Runtime's local testing mode, the ``aer`` executor uses them as a noise
source.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from qiskit.providers import BackendV2

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution._imports import require

__all__ = ["fake_backend", "fake_backend_names", "is_fake_name", "fake_backend_sizes", "fitting_fake_backends"]

_PREFIX = "fake_"


def is_fake_name(name: str) -> bool:
    """True for names of the form ``fake_<device>``."""
    return name.startswith(_PREFIX)


@lru_cache(maxsize=1)
def _fake_classes() -> dict[str, type]:
    provider = require("qiskit_ibm_runtime.fake_provider", "fake backends", "pip install qiskit-ibm-runtime")
    classes: dict[str, type] = {}
    for attr in sorted(dir(provider)):  # sorted: 'FakeManila' < 'FakeManilaV2', so V2 wins a tie
        cls = getattr(provider, attr)
        if attr.startswith("Fake") and isinstance(cls, type) and issubclass(cls, BackendV2):
            key = attr[len("Fake"):].removesuffix("V2").lower()
            if key and key != "fractionalbackend":
                classes[key] = cls
    return classes


def fake_backend_names() -> tuple[str, ...]:
    """Every accepted name, e.g. ``("fake_aachen", ..., "fake_torino", ...)``."""
    return tuple(_PREFIX + key for key in sorted(_fake_classes()))


def fake_backend(name: str) -> BackendV2:
    """A fresh fake backend instance for ``name`` (``"fake_torino"``, ``"fake_manila"``, ...).

    Raises:
        ConfigError: ``name`` is not a known fake backend (the message lists a few valid names).
    """
    key = name[len(_PREFIX):].replace("_", "").lower() if is_fake_name(name) else ""
    cls = _fake_classes().get(key)
    if cls is None:
        some = ", ".join(n for n in fake_backend_names() if n in {"fake_manila", "fake_torino", "fake_fez",
                                                                   "fake_sherbrooke", "fake_brisbane"})
        raise ConfigError(f"unknown fake backend {name!r}; names look like {some} "
                          f"({len(_fake_classes())} available, see fake_backend_names()).")
    return cls()


@lru_cache(maxsize=1)
def fake_backend_sizes() -> dict[str, int]:
    """Qubit count of every fake backend, read from its configuration file (no backend is instantiated)."""
    sizes: dict[str, int] = {}
    for key, cls in _fake_classes().items():
        path = Path(getattr(cls, "dirname", "")) / str(getattr(cls, "conf_filename", ""))
        if path.is_file():
            sizes[_PREFIX + key] = int(json.loads(path.read_text()).get("n_qubits", 0))
    return sizes


def fitting_fake_backends(num_qubits: int, limit: int = 5) -> tuple[str, ...]:
    """The ``limit`` smallest fake backends with at least ``num_qubits`` qubits (smallest first)."""
    fits = sorted((n, name) for name, n in fake_backend_sizes().items() if n >= num_qubits)
    return tuple(name for _, name in fits[:limit])
