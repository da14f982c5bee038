"""Timing and machine-description helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import torch

from qhep_contrast.execution.exact.allocator import allocator_tuned

__all__ = ["write_json", "median_seconds", "median_wall_and_cpu", "supervised_step", "machine_info", "matmul_gflops", "copy_gbps", "format_table"]


def median_seconds(step: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    """Median wall time of ``step()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_wall_and_cpu(step: Callable[[], object], repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (all its threads) per ``step()``.

    CPU time is less sensitive than wall time to other processes competing for a shared machine.
    """
    for _ in range(warmup):
        step()
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def supervised_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, inputs: torch.Tensor,
                    labels: torch.Tensor) -> Callable[[], None]:
    """One binary-cross-entropy training step of ``model`` on ``(inputs, labels)`` as a callable to time (it
    synchronises a CUDA device before returning)."""
    from qhep_contrast.objectives.supervised import model_logits

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model_logits(model, inputs), labels)
        loss.backward()
        optimizer.step()
        if inputs.device.type == "cuda":
            torch.cuda.synchronize(inputs.device)

    return step


def matmul_gflops(size: int = 1024, repeats: int = 10, device: str = "cpu") -> float:
    """Measured fp32 matmul rate (GFLOP/s) of ``size x size`` matrices on ``device``."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)

    def step() -> None:
        a @ b
        if device != "cpu":
            torch.cuda.synchronize()

    return 2 * size**3 / median_seconds(step, repeats) / 1e9


def copy_gbps(megabytes: int = 256, repeats: int = 10, device: str = "cpu") -> float:
    """Measured memory copy bandwidth (GB/s, bytes read + written) of a ``megabytes`` tensor clone."""
    a = torch.empty(megabytes * 2**20 // 4, device=device)

    def step() -> None:
        a.clone()
        if device != "cpu":
            torch.cuda.synchronize()

    return 2 * a.numel() * 4 / median_seconds(step, repeats) / 1e9


def machine_info(device: str) -> dict:
    """Cores, torch threads, device and package versions, printed and stored with every table."""
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    info = {
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device if device == "cpu" else torch.cuda.get_device_name(0),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "malloc_keeps_freed_memory": allocator_tuned(),
    }
    for pkg in ("torch", "qiskit", "qiskit-aer", "qiskit-machine-learning", "qhep-contrast"):
        info[pkg] = version(pkg)
    return info


def write_json(path: Path | None, result: dict) -> None:
    """Write a benchmark's numbers to ``path`` (creating folders) and say so; nothing when ``path`` is None."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    print(f"wrote {path}")


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A plain-text table: ``columns`` are (key, header) pairs; floats printed with 4 significant digits."""
    def fmt(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        return "" if v is None else str(v)

    cells = [[fmt(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h) in enumerate(columns)]
    line = "  ".join(h.ljust(w) for (_, h), w in zip(columns, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(out)
