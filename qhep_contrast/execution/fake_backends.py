"""Fake IBM backends by name: ``"fake_torino"`` -> ``qiskit_ibm_runtime.fake_provider.FakeTorino()``.

Fake backends carry a real device's target (coupling map, basis gates, calibrated errors and durations).
The ``ibm`` executor runs them in Runtime's local testing mode, the ``aer`` executor uses them as a noise
source.
"""

from __future__ import annotations

from functools import lru_cache

from qiskit.providers import BackendV2

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution._imports import require

__all__ = ["fake_backend", "fake_backend_names", "is_fake_name"]

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
