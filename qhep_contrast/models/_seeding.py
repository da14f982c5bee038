"""Explicitly seeded parameter initialisation for models (private)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

__all__ = ["seeded", "reset_parameters"]


@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Run the block with torch's CPU generator seeded by ``seed``, restoring the global state afterwards.

    ``seed=None`` leaves the global generator alone (torch's usual, unseeded behaviour). Parameters are
    created on the CPU, so only the CPU generator is forked.
    """
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def reset_parameters(module: nn.Module, seed: int | None) -> None:
    """Call ``reset_parameters()`` on every sub-module that has one, under :func:`seeded`."""
    with seeded(seed):
        for sub in module.modules():
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset):
                reset()
