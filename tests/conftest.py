"""Suite-wide hooks: tests marked ``gpu`` skip themselves, with the reason, where torch sees no CUDA device."""

from __future__ import annotations

import pytest
import torch


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``@pytest.mark.gpu`` tests without CUDA (they stay in the default selection)."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(
        reason=f"no CUDA device: torch {torch.__version__} (CUDA build: {torch.version.cuda or 'none'}) sees no GPU; "
               "run `python -m pytest -m gpu` on a GPU machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
