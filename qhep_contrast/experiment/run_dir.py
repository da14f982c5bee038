"""Run folders: ``runs/<experiment>/<YYYYmmdd-HHMMSS>/``.

Contents (written by :func:`create_run_dir`, the fit loop and the evaluation):

==================  ===============================================================================
``config.toml``     the resolved configuration (every key, defaults filled in); rerun with it as is
``env.json``        git SHA and dirty flag, package versions, python, platform, seed, executor, device,
                    threads, command line, job ids of primitive executions (none on the exact engine)
``metrics.jsonl``   one JSON object per epoch
``checkpoints/``    ``last.pt`` (resume state) and ``best.pt`` (best validation loss)
``figures/``        ROC curve, loss curves, embedding plot, fidelity histograms
``summary.json``    the final metrics (training outcome and test-split evaluation)
``twin/``           the classical twin's own run folder, when ``[compare] twin = true``
==================  ===============================================================================
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from qhep_contrast import __version__
from qhep_contrast._toml import dumps
from qhep_contrast.exceptions import CheckpointError
from qhep_contrast.experiment.config import RunConfig, config_from_dict, config_to_dict, read_config_tree
from qhep_contrast.training.checkpoint import atomic_write_text
from qhep_contrast.training.metrics_log import json_safe

__all__ = ["PACKAGES", "create_run_dir", "write_config", "read_run_config", "environment", "write_json",
           "read_json", "git_revision"]

PACKAGES = ("torch", "numpy", "qiskit", "qiskit-aer", "qiskit-machine-learning", "qiskit-ibm-runtime",
            "scikit-learn", "h5py", "matplotlib", "tqdm")
"""Distributions whose versions are recorded in ``env.json``."""


def create_run_dir(runs_root: str | Path, experiment: str, now: float | None = None, prefix: str = "") -> Path:
    """Make a fresh ``runs_root/experiment/<prefix>YYYYmmdd-HHMMSS`` folder (suffix ``-1``, ``-2``... if taken).

    Raises:
        CheckpointError: ``runs_root`` exists but is not a folder.
    """
    stamp = prefix + time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    root = Path(runs_root)
    if root.exists() and not root.is_dir():
        raise CheckpointError(f"--runs-root {root} is a file, not a folder; give a folder for the run folders.")
    parent = root / experiment
    parent.mkdir(parents=True, exist_ok=True)
    candidate, k = parent / stamp, 0
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            k += 1
            candidate = parent / f"{stamp}-{k}"


def write_config(run_dir: Path, config: RunConfig, name: str = "config.toml") -> None:
    """Write the resolved configuration to ``run_dir / name``."""
    header = "# Resolved configuration of this run (every key); `qhep train` accepts this file as is.\n"
    atomic_write_text(run_dir / name, header + dumps(config_to_dict(config)))


def read_run_config(run_dir: str | Path, name: str = "config.toml") -> RunConfig:
    """The configuration stored in a run folder (``name``: ``study.toml`` for a ``qhep compare`` folder).

    Raises:
        CheckpointError: ``run_dir`` is not a run folder.
    """
    path = Path(run_dir) / name
    if not path.is_file():
        raise CheckpointError(f"{run_dir} is not a run folder (no config.toml); run folders look like "
                              "runs/<experiment>/<YYYYmmdd-HHMMSS>/.")
    return config_from_dict(read_config_tree(path))


def git_revision(cwd: str | Path | None = None) -> dict[str, Any]:
    """``{"sha": ..., "dirty": ..., "where": ...}`` of the git checkout holding the code that runs.

    The package's own folder is tried first (an editable install or a checkout on ``PYTHONPATH``); a package
    installed with ``pip install .`` lives in site-packages, so the working directory (usually the checkout it
    was installed from) is tried next. ``where`` says which answered; all None outside git.
    """
    if cwd is not None:
        return {**_git_at(Path(cwd)), "where": str(cwd)}
    for where, folder in (("package", Path(__file__).resolve().parent), ("working directory", Path.cwd())):
        found = _git_at(folder)
        if found["sha"] and (where == "package" or _holds_package(folder)):
            return {**found, "where": where}
    return {"sha": None, "dirty": None, "where": None}


def _holds_package(folder: Path) -> bool:
    """``folder`` lies in a git checkout of this project (its top level has ``qhep_contrast/__init__.py``)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return (Path(top) / "qhep_contrast" / "__init__.py").is_file()


def _git_at(folder: Path) -> dict[str, Any]:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder,
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"sha": None, "dirty": None}
    return {"sha": sha, "dirty": bool(status.strip())}


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"qhep-contrast": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def environment(config: RunConfig, device: str, threads: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``env.json`` record of a run (no credentials, no user secrets)."""
    return {"git": git_revision(), "versions": _versions(), "python": sys.version.split()[0],
            "platform": platform.platform(), "seed": config.seed, "executor": config.execution.name,
            "device": device, "threads": threads, "command": sys.argv, "job_ids": [],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(extra or {})}


def write_json(path: Path, value: Any) -> None:
    """Write strict JSON atomically (non-finite floats become ``"inf"``/``"nan"`` strings)."""
    atomic_write_text(path, json.dumps(json_safe(value), indent=2, allow_nan=False, sort_keys=True) + "\n")


def read_json(path: Path) -> Any:
    """Read a JSON file of a run folder.

    Raises:
        CheckpointError: the file is missing, or not valid UTF-8 JSON.
    """
    if not path.is_file():
        raise CheckpointError(f"{path} is missing; is {path.parent} a complete run folder?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{path} is damaged ({err}); restore it from a backup, or delete it and start a new "
                              "run.") from err
