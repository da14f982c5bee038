"""``qhep compare CONFIG [--seeds N] [--controls ...]``: a hybrid and its controls over seeds, one report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from qhep_contrast.exceptions import ConfigError

__all__ = ["register", "run"]

_CONTROLS = ("frozen_circuit", "product_standin", "equal_width_twin", "matched_twin")  # as experiment.STUDY_CONTROLS

_EPILOG = """\
controls (each replaces only the circuit; everything else is the hybrid's):
  frozen_circuit    the circuit kept at its initial weights
  product_standin   the circuit without entanglers and trainable gates (a product state;
                    RY angle encoding gives <Z_i> = cos(x_i)), no weights
  equal_width_twin  Linear(n_in, n_out) with the circuit's output range (tanh for <Z>)
  matched_twin      the parameter-matched classical twin (an MLP bottleneck n_in -> h -> n_out)

examples:
  qhep compare runs/configs/simclr_jets.toml --seeds 5
  qhep compare runs/configs/simclr_jets.toml --seeds 3 --controls frozen_circuit equal_width_twin
  qhep compare runs/configs/simclr_jets.toml --unseen-data other_jets_16x16.h5
      also re-measure every trained model on jets it never saw
  qhep compare --resume runs/simclr_jets/compare-20260101-120000
      finish an interrupted study (finished runs are kept, interrupted ones continue)

A study writes runs/<experiment>/compare-<stamp>/: study.toml, study.json, <model>/seed-<s>/ (complete run
folders), report.md, report.json and figures/ (per-seed metrics, paired differences, mean ROC).
Every model and seed is scored on the same test set (the configuration's split); runs of one seed are
paired, so the report gives paired differences to the hybrid with 95 % t intervals, flags collapsed runs,
and measures how much the trained circuit matters (probe AUC with its weights reset to their initial values,
R^2 of trained from reset circuit outputs).
"""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Plan (or load) the study, train what is missing, write and print the report; 130 after Ctrl-C."""
    from qhep_contrast.experiment.config import load_config
    from qhep_contrast.pipeline.study import load_study, plan_study, run_study
    from qhep_contrast.pipeline.study_report import summary_table, write_report

    if args.resume is not None:
        if (args.config is not None or args.set or args.seeds is not None or args.controls is not None
                or args.unseen_data is not None):
            raise ConfigError("--resume STUDY_DIR continues a study with its own study.toml, seeds, controls and "
                              "unseen-data file; give no CONFIG, --set, --seeds, --controls or --unseen-data with it.")
        study = load_study(args.resume)
    else:
        if args.config is None:
            raise ConfigError("give a configuration (e.g. runs/configs/simclr_jets.toml) or --resume STUDY_DIR.")
        config = load_config(args.config, args.set)
        study = plan_study(config, args.runs_root, seeds=args.seeds, controls=args.controls,
                           unseen_data=args.unseen_data)
    _stderr(f"study folder: {study.folder}")
    _stderr(f"models: {', '.join(study.models)}; seeds: {', '.join(map(str, study.seeds))}")
    start = time.perf_counter()
    try:
        run_study(study, jobs=args.jobs, log=_stderr, progress=not args.no_progress)
    except KeyboardInterrupt:
        _stderr(f"interrupted; finished runs are kept. Continue with:\n  qhep compare --resume {study.folder}")
        return 130
    results = write_report(study, wall_seconds=time.perf_counter() - start, plots=not args.no_plots)
    print(f"study folder: {study.folder}")
    print(summary_table(results))
    for line in results["verdict"]:
        print(f"- {line}")
    print(f"report: {study.folder / 'report.md'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep compare``."""
    parser = sub.add_parser(
        "compare", help="train a hybrid and its controls over several seeds and report what the circuit adds",
        description=("Train the configuration's hybrid model and its controls (circuit frozen, product-state "
                     "stand-in, equal-width classical twin, parameter-matched twin) for several seeds on one fixed "
                     "data split, evaluate all on the same test set, and write a report with means, standard "
                     "deviations, paired differences with confidence intervals, collapse flags and the "
                     "circuit-contribution diagnostic."),
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", nargs="?", type=Path, default=None, help="the hybrid's configuration file")
    parser.add_argument("--seeds", type=int, default=None, metavar="N",
                        help="training seeds seed, seed + 1, ..., seed + N - 1 (default: compare.seeds, 5)")
    parser.add_argument("--controls", nargs="+", choices=_CONTROLS, default=None, metavar="CONTROL",
                        help=f"controls to train beside the hybrid, from {', '.join(_CONTROLS)} (default: "
                             "compare.controls, every control the model kind offers)")
    parser.add_argument("--unseen-data", type=Path, default=None, metavar="FILE",
                        help="also score every trained model on every image of FILE (another file of the same "
                             "schema, e.g. jets generated with another seed), with a second set of tables")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="runs trained in parallel, each with cores / N torch threads (default: compare.jobs; "
                             "0: one per core, at most 4)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a configuration value, e.g. --set train.epochs=5 (repeatable)")
    parser.add_argument("--resume", type=Path, default=None, metavar="STUDY_DIR",
                        help="continue the study in STUDY_DIR (finished runs are kept)")
    parser.add_argument("--runs-root", type=Path, default=Path("runs"),
                        help="where study folders are created (default: runs)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-plots", action="store_true", help="no figures in the report")
    parser.set_defaults(func=run)
