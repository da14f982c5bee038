"""``qhep train CONFIG.toml [--set key=value ...]`` and ``qhep train --resume RUN_DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qhep_contrast.exceptions import ConfigError

__all__ = ["register", "run"]

DEFAULT_CONFIG = "runs/configs/simclr_jets.toml"

_EPILOG = f"""\
examples:
  qhep train {DEFAULT_CONFIG}
      two-view NT-Xent on the shipped quark/gluon jets, then the classical twin; prints both AUCs
  qhep train runs/configs/siamese_digits.toml --set train.epochs=3 --set data.batch_size=32
  qhep train --resume runs/simclr_jets/20250101-120000
      continue a killed or interrupted run from its last checkpoint (same final result)
  qhep train {DEFAULT_CONFIG} --nproc 2
      data-parallel on 2 processes (torchrun; gloo on CPU, NCCL with one GPU each); the same as
      torchrun --nproc-per-node 2 -m qhep_contrast.cli train {DEFAULT_CONFIG}
      (several nodes: torchrun's --nnodes, --node-rank, --rdzv-backend, --rdzv-endpoint, --rdzv-id)

A run writes runs/<experiment>/<YYYYmmdd-HHMMSS>/: config.toml (resolved), env.json, metrics.jsonl,
checkpoints/, figures/, summary.json (and twin/ with [compare] twin = true).
"""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _overrides(items: list[str]) -> dict[str, object]:
    """``["train.epochs=5"]`` as ``{"train.epochs": 5}`` (values parsed as TOML)."""
    from qhep_contrast.experiment.config import apply_overrides

    tree = apply_overrides({}, items)
    flat: dict[str, object] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(tree, "")
    return flat


def _sets(args: argparse.Namespace) -> list[str]:
    """The ``--set`` overrides, with ``--no-progress`` as ``train.progress=false``."""
    return [*args.set, *(["train.progress=false"] if args.no_progress else [])]


def _launch(nproc: int) -> int:
    """Run this command again under torchrun with ``nproc`` processes on this node (``--nproc`` removed)."""
    import subprocess

    argv, skip = [], False
    for item in sys.argv[1:]:
        if skip:
            skip = False
        elif item == "--nproc":
            skip = True
        elif not item.startswith("--nproc="):
            argv.append(item)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
           "-m", "qhep_contrast.cli", *argv]
    return subprocess.call(cmd)


def _run_distributed(args: argparse.Namespace) -> int:
    """One of several torchrun processes: train (or resume) the primary run; rank 0 prints the results."""
    import os

    from qhep_contrast.experiment.config import load_config
    from qhep_contrast.pipeline import resume_run, train_run

    main = int(os.environ.get("RANK", "0")) == 0
    log = _stderr if main else None
    if args.resume is not None:
        outcome = resume_run(args.resume, overrides=_overrides(_sets(args)), log=log)
    else:
        config = load_config(args.config or DEFAULT_CONFIG, _sets(args))
        if config.compare.twin and main:
            _stderr("several processes train the configured model only; train the classical twin with "
                    "--set model.twin=true (compare.twin is not run here).")
        outcome = train_run(config, args.runs_root, log=log)
    if main:
        if outcome.interrupted:
            _stderr(f"interrupted after epoch {outcome.fit.last_epoch}; resume with:\n  qhep train --resume "
                    f"{outcome.run_dir} --nproc N")
            return 130
        print(f"run folder: {outcome.run_dir}")
        if "evaluation" in outcome.summary:
            print(f"evaluation: {outcome.run_dir / 'summary.json'}")
    return 130 if outcome.interrupted else 0


def run(args: argparse.Namespace) -> int:
    """Train (or resume), evaluate, and print the comparison table; 130 after Ctrl-C."""
    from qhep_contrast.training.distributed import world_size_from_env

    if args.nproc is not None:
        if args.nproc < 1:
            raise ConfigError(f"--nproc must be at least 1, got {args.nproc}.")
        if world_size_from_env() > 1:
            raise ConfigError("--nproc starts torchrun; this process already runs under torchrun: drop --nproc.")
        return _launch(args.nproc)
    if world_size_from_env() > 1:
        return _run_distributed(args)
    from qhep_contrast.experiment.config import load_config
    from qhep_contrast.pipeline import comparison_table, resume_compare, train_compare  # heavy: torch, sklearn

    if args.resume is not None:
        if args.config is not None:
            raise ConfigError("give either CONFIG (a new run) or --resume RUN_DIR (its own config.toml), not both.")
        comparison = resume_compare(args.resume, overrides=_overrides(_sets(args)), log=_stderr)
    else:
        config = load_config(args.config or DEFAULT_CONFIG, _sets(args))
        if args.dry_run:
            from qhep_contrast.experiment.cost import training_cost

            print(training_cost(config).line())
            return 0
        comparison = train_compare(config, args.runs_root, log=_stderr)
    run_dir = comparison.primary.run_dir
    if comparison.interrupted:
        stopped = comparison.twin if comparison.twin is not None else comparison.primary
        _stderr(f"interrupted after epoch {stopped.fit.last_epoch}; every completed epoch is checkpointed. "
                f"Resume with:\n  qhep train --resume {run_dir}")
        return 130
    print(f"run folder: {run_dir}")
    print(comparison_table(comparison))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep train``."""
    parser = sub.add_parser(
        "train", help="train a configuration (contrastive hybrid and optional classical twin), then evaluate",
        description=("Train the model of a TOML configuration on its [execution] executor (the exact engine by "
                     "default; aer or ibm primitives: one job forward and one backward per step; --dry-run shows "
                     "the cost first), checkpointing every epoch, "
                     "then evaluate the best checkpoint on the test split (linear probe and kNN ROC AUC, "
                     "background rejection) and print the results."),
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", nargs="?", type=Path, default=None,
                        help=f"configuration file (default: {DEFAULT_CONFIG})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a configuration value, e.g. --set train.epochs=3 (repeatable; values are "
                             "TOML: 0.5, true, \"text\", [16, 32])")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN_DIR",
                        help="continue the run in RUN_DIR from its last checkpoint (only train.epochs, "
                             "train.progress, train.device, train.threads, train.evaluate may be --set)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (the same as --set train.progress=false)")
    parser.add_argument("--runs-root", type=Path, default=Path("runs"),
                        help="where run folders are created (default: runs)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the jobs, PUBs, circuits, shots, transpiled two-qubit gate counts and estimated "
                             "QPU seconds of the run on its [execution] and exit; submits nothing")
    parser.add_argument("--nproc", type=int, default=None, metavar="N",
                        help="train data-parallel on N processes of this node through torchrun (gloo on CPU, NCCL "
                             "with one GPU per process); data.batch_size is the global batch, a multiple of N")
    parser.set_defaults(func=run)
