"""Settings of the stored ISA circuits (``circuits/transpiled/``), importable without qiskit."""

from __future__ import annotations

__all__ = ["ISA_BACKENDS", "ISA_LEVEL", "ISA_SEED"]

ISA_BACKENDS: tuple[str, ...] = ("fake_torino", "fake_sherbrooke")
"""One Heron (CZ) and one Eagle (ECR) fake backend."""
ISA_LEVEL = 3
"""Optimization level of the stored ISA circuits."""
ISA_SEED = 1234
"""``seed_transpiler`` of the stored ISA circuits."""
