"""``qhep transpile``: how much the circuits cost on IBM backends (fake or real), by level, seed and layout.

Writes ``runs/transpile/<YYYYmmdd-HHMMSS>/`` with ``table.csv``, ``table.json``, ``summary.md`` and
``plots/`` (see :mod:`qhep_contrast.hardware.report` and :mod:`qhep_contrast.hardware.plots`).
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from qhep_contrast.exceptions import ConfigError

__all__ = ["register", "run", "run_folder"]

DEFAULT_BACKENDS = ("fake_torino", "fake_fez", "fake_sherbrooke", "fake_brisbane")

_EPILOG = """\
circuits:
  default: every builder family at its canonical size, plus W1 (angle encoder + hardware-efficient ansatz),
  its swap test and its compute-uncompute at 4, 8 and 12 qubits (names <family>_<n>q).
  --circuits/--sizes: the chosen families (default: all registry families and W1, W2; not compose, which is
  W1, nor swap_test_w2/compute_uncompute_w2) at the chosen sizes (default: canonical).
  --circuit-from RUN_DIR|FILE.qpy: a training run folder (runs/<experiment>/<stamp>/: the model's circuit from
  its config.toml, plus its compute-uncompute and swap-test circuits for fidelity losses) or a QPY file.
  Alone it replaces the default set; with --circuits/--sizes it adds to them.

backends: fake_* names resolve to qiskit_ibm_runtime.fake_provider (fake_torino -> FakeTorino); any other name
  is a real IBM device and needs a saved QiskitRuntimeService account.

examples:
  qhep transpile
  qhep transpile --circuits w1 compute_uncompute --sizes 4 8 12 --backends fake_fez fake_brisbane --levels 1 3
  qhep transpile --circuit-from runs/fidelity_infonce_jets/20261122-101500 --backends fake_torino --seeds 0 1 2 3 4
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep transpile``."""
    parser = sub.add_parser(
        "transpile",
        help="transpile circuits for IBM backends; table, summary and plots of their cost",
        description=(
            "Transpile the parametrized circuits for each backend, optimization level and seed; record depth, "
            "2-qubit depth and count, gate counts, duration, layout and estimated success probability, with "
            "the pass manager's layout and with an error-aware layout search."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--circuits", nargs="+", metavar="FAMILY",
                        help="circuit families (--list-families lists them)")
    parser.add_argument("--sizes", nargs="+", type=int, metavar="N", help="size argument (qubits) of each family")
    parser.add_argument("--circuit-from", nargs="+", default=[], metavar="PATH", type=Path,
                        help="training run folders or QPY files with more circuits (e.g. a trained model's)")
    parser.add_argument("--backends", nargs="+", default=list(DEFAULT_BACKENDS), metavar="NAME",
                        help=f"backend names (default: {' '.join(DEFAULT_BACKENDS)})")
    parser.add_argument("--levels", nargs="+", type=int, default=[0, 1, 2, 3], metavar="L",
                        help="optimization levels (default: 0 1 2 3)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], metavar="S",
                        help="seed_transpiler values (default: 0 1 2)")
    parser.add_argument("--no-layout-search", action="store_true",
                        help="only the pass manager's layout (no best-error rows)")
    parser.add_argument("--candidates", type=int, default=3, metavar="K",
                        help="error-aware layout candidates transpiled per job (default: 3)")
    parser.add_argument("--runs-root", "--out", dest="out", type=Path, default=Path("runs/transpile"),
                        help="parent folder of the run folder (default: runs/transpile)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--list-backends", action="store_true", help="list the fake backend names and exit")
    parser.add_argument("--list-families", action="store_true", help="list the circuit family names and exit")
    parser.set_defaults(func=run)


def run_folder(parent: Path) -> Path:
    """A new ``parent/<YYYYmmdd-HHMMSS>`` folder (``-2``, ``-3``, ... appended if that second is taken)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder, suffix = parent / stamp, 2
    while folder.exists():
        folder, suffix = parent / f"{stamp}-{suffix}", suffix + 1
    folder.mkdir(parents=True)
    return folder


def _circuits(args: argparse.Namespace) -> list:
    from qhep_contrast.hardware.circuit_sets import (
        DEFAULT_FAMILIES,
        FAMILIES,
        circuit_set,
        default_circuit_set,
        load_circuits_from,
    )
    from qhep_contrast.options import did_you_mean

    for family in args.circuits or []:
        if family not in FAMILIES:
            raise ConfigError(f"--circuits {family!r} is not a circuit family.{did_you_mean(family, FAMILIES)} "
                              f"Families: {', '.join(FAMILIES)}.")

    if args.circuits or args.sizes:
        chosen = circuit_set(args.circuits or DEFAULT_FAMILIES, args.sizes)
    elif args.circuit_from:
        chosen = []
    else:
        chosen = default_circuit_set()
    for path in args.circuit_from:
        chosen += load_circuits_from(path)
    names = [c.name for c in chosen]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"circuit names {duplicates} appear twice; pass each file or run folder once, rename the "
                          "QPY files, or drop a family.")
    return chosen


def _versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{p} {version(p)}" for p in ("qiskit", "qiskit-ibm-runtime", "rustworkx"))


def run(args: argparse.Namespace) -> int:
    """Run the study and write the run folder; print its path."""
    from qhep_contrast.execution.fake_backends import fake_backend_names
    from qhep_contrast.hardware.plots import plot_study
    from qhep_contrast.hardware.report import write_report
    from qhep_contrast.hardware.study import run_study

    if args.list_backends:
        print("\n".join(fake_backend_names()))
        return 0
    if args.list_families:
        from qhep_contrast.hardware.circuit_sets import FAMILIES

        print("\n".join(FAMILIES))
        return 0
    if args.candidates < 1:
        raise ConfigError(f"--candidates must be at least 1; got {args.candidates}.")
    circuits = _circuits(args)
    start = time.perf_counter()
    result = run_study(circuits, args.backends, args.levels, args.seeds, best_error=not args.no_layout_search,
                       max_candidates=args.candidates, progress=not args.no_progress)
    study_seconds = time.perf_counter() - start
    folder = run_folder(args.out)
    figures = plot_study(result.records, folder)
    settings = {
        "circuits": f"{len(circuits)}: " + " ".join(c.name for c in circuits),
        "backends": " ".join(args.backends),
        "optimization levels": " ".join(map(str, args.levels)),
        "transpiler seeds": " ".join(map(str, args.seeds)),
        "layouts": "default" + ("" if args.no_layout_search else f", best-error ({args.candidates} candidates)"),
        "rows": len(result.records),
        "study wall time (s)": round(study_seconds, 1),
        "versions": _versions(),
    }
    headline = [f for f in figures if "qubits_" in f or any(f"levels_{c}.png" in f for c in
                                                             ("w1_8q", "swap_test_8q", "compute_uncompute_8q"))]
    write_report(result, folder, settings, headline)
    print(f"qhep transpile: {len(result.records)} rows in {study_seconds:.1f} s -> {folder}")
    return 0
