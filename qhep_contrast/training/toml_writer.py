"""Write nested dicts of plain values as TOML: :func:`dumps` is shared with the circuit store.

The implementation lives in :mod:`qhep_contrast._toml` (the circuit store's manifest writer needs it too,
and :mod:`qhep_contrast.circuits` may not import from :mod:`qhep_contrast.training`).
"""

from __future__ import annotations

from qhep_contrast._toml import dumps

__all__ = ["dumps"]
