"""Lazy imports of optional execution stacks, with install hints (private)."""

from __future__ import annotations

import importlib
from types import ModuleType

from qhep_contrast.exceptions import DependencyError

__all__ = ["require"]


def require(module: str, purpose: str, install: str) -> ModuleType:
    """Import ``module`` or raise :class:`DependencyError` saying what needs it and how to install it.

    Args:
        module: dotted module name, e.g. ``"qiskit_ibm_runtime"``.
        purpose: what the caller was doing, e.g. ``"kind='ibm'"``.
        install: the command that installs it, e.g. ``"pip install qiskit-ibm-runtime"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyError(
            f"{purpose} needs the Python module {module!r}, which cannot be imported ({exc.__class__.__name__}: "
            f"{exc}); install it with `{install}`."
        ) from exc
