"""Device and thread selection, seeding, and capture/restore of every global random state.

The fit loop draws its data order and augmentations from generators seeded by ``(seed, epoch)``, so a
resumed run does not depend on these global states; they are still saved in checkpoints and restored so
that any other use of torch/numpy/python randomness (e.g. dropout in a user model) resumes exactly too.
"""

from __future__ import annotations

import os
import random
from typing import Any, cast

import numpy as np
import torch

from qhep_contrast.exceptions import ConfigError

__all__ = ["select_device", "available_cores", "configure_threads", "seed_everything", "capture_rng_state",
           "restore_rng_state"]


def select_device(name: str) -> torch.device:
    """``"auto"`` (CUDA when available, else CPU), ``"cpu"`` or ``"cuda"``.

    Raises:
        ConfigError: ``"cuda"`` without a CUDA device, or an unknown name.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError("train.device = \"cuda\" but torch sees no CUDA device (CPU build or no GPU); "
                              "use \"auto\" or \"cpu\".")
        return torch.device("cuda")
    raise ConfigError(f"train.device must be 'auto', 'cpu' or 'cuda', got {name!r}.")


def available_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return os.cpu_count() or 1


def configure_threads(threads: int) -> int:
    """Set torch's intra-op CPU threads: ``threads``, or every available core for 0. Returns the count.

    Raises:
        ConfigError: more threads than the cores this process may use (oversubscribed OpenMP threads spin
            against each other and can abort).
    """
    cores = available_cores()
    if threads > cores:
        raise ConfigError(f"train.threads = {threads} but this process may use {cores} core(s); set train.threads to "
                          f"at most {cores}, or 0 for all of them.")
    count = cores if threads == 0 else int(threads)
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def seed_everything(seed: int) -> None:
    """Seed python's ``random``, numpy's legacy global generator and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def capture_rng_state() -> dict[str, Any]:
    """Every global random state as checkpoint-safe values (tensors, lists, ints; no numpy arrays)."""
    kind, keys, pos, has_gauss, cached = cast(tuple[str, np.ndarray, int, int, float], np.random.get_state())
    state: dict[str, Any] = {
        "python": _to_lists(random.getstate()),
        "numpy": {"kind": kind, "keys": keys.tolist(), "pos": int(pos), "has_gauss": int(has_gauss),
                  "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`capture_rng_state` returned."""
    random.setstate(_to_tuples(state["python"]))
    n = state["numpy"]
    np.random.set_state((n["kind"], np.asarray(n["keys"], dtype=np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _to_lists(value: Any) -> Any:
    return [_to_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _to_tuples(value: Any) -> Any:
    return tuple(_to_tuples(v) for v in value) if isinstance(value, list) else value
