"""``qhep eval RUN_DIR``: evaluate a trained run's best checkpoint (optionally on another executor)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register", "run"]

_RUNTIME = ("mode", "resilience_level", "twirling", "dynamical_decoupling", "max_execution_time")

_FIDELITY = ("fidelity_same_class_mean", "fidelity_other_class_mean", "kernel_svc_auc", "fidelity_knn_auc")
_SHOWN = ("classifier_auc", "classifier_auc_error", "classifier_accuracy", "classifier_rejection",
          "probe_auc", "probe_accuracy", "probe_rejection", "knn_auc", "knn_accuracy",
          "anomaly_auc", "anomaly_auc_error", "anomaly_rejection_0.3", "anomaly_rejection_0.5", *_FIDELITY,
          *(f"{m}_{f}" for f in ("exact", "swap", "cu") for m in _FIDELITY))


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the headline metrics."""
    from qhep_contrast.pipeline import evaluate_run  # heavy: torch, sklearn, matplotlib
    from qhep_contrast.training.metrics_log import json_safe

    values = evaluate_run(args.run_dir, execution=args.execution, shots=args.shots, noise=args.noise,
                          backend=args.backend, limit=args.limit, plots=not args.no_plots, device=args.device,
                          fidelity=args.fidelity, runtime={k: getattr(args, k) for k in _RUNTIME},
                          data_file=args.data)
    for warning in values.get("data_warnings", []):
        print(f"warning: {args.data}: {warning}", file=sys.stderr)
    print(f"evaluation of {args.run_dir} (checkpoint epoch {values['checkpoint_epoch']}) -> {values['folder']}")
    if args.data is not None:
        print(f"  test data: {args.data} (probe and kNN fitted on the run's training split)")
    sizes = (f"N_test {values['n_test']} ({values['n_normal']} normal + {values['n_anomaly']} anomalous)"
             if "n_anomaly" in values else f"N_train {values['n_train']}, N_test {values['n_test']}")
    print(f"  {sizes}, executor {args.execution}, "
          f"shots {args.shots or 'exact'}, noise {args.noise or args.backend or 'none'}")
    context = (f"[N_test {values['n_test']}, {args.execution}, shots {args.shots or 'exact'}, "
               f"noise {args.noise or args.backend or 'none'}]")
    for key in _SHOWN:
        if values.get(key) is not None:
            print(f"  {key:<26} {json.dumps(json_safe(values[key]))}  {context}")
    _warn_small(values)
    return 0


def _warn_small(values: dict) -> None:
    """Warn when the test split is too small for the AUC to mean much (Hanley-McNeil error)."""
    if values.get("probe_auc") is None or values["n_test"] >= 200:
        return
    from qhep_contrast.evaluation.auc_error import auc_standard_error

    half = max(values["n_test"] // 2, 1)
    sigma = auc_standard_error(float(values["probe_auc"]), half, half)
    print(f"warning: N_test = {values['n_test']}: the probe AUC's statistical error is about +-{sigma:.2f}; "
          f"kNN uses k = {values.get('knn_k')} of {values['n_train']} training images. Raise --limit (or drop it) "
          "for figures to quote.", file=sys.stderr)


def _count(text: str) -> int:
    """A non-negative integer option value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0 (0: all), got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep eval``."""
    parser = sub.add_parser(
        "eval", help="evaluate a run folder: linear probe, kNN, ROC AUC, background rejection, figures",
        description=("Rebuild the model of RUN_DIR from its config.toml, load its best checkpoint, embed the "
                     "train and test splits, and write evaluation.json and figures/ (linear-probe and kNN ROC "
                     "AUC, background rejection 1/eps_B at the configured signal efficiencies, ROC curve, loss "
                     "curves, PCA embedding, fidelity histograms for state outputs). With --execution aer (or "
                     "ibm) the trained weights are loaded into a quantum layer on Qiskit Aer (IBM Runtime) "
                     "primitives instead, with shots and a fake-backend noise model if asked "
                     "(evaluation-aer.json, figures-aer/). Statevector-output (fidelity-trained) models embed on "
                     "the exact engine, and their fidelities (test pairs, fidelity-kernel SVC) are also estimated "
                     "on the executor with swap-test or compute-uncompute circuits (--fidelity), next to the exact "
                     "ones."),
        epilog="example:\n  qhep eval runs/simclr_jets/<stamp> --execution aer --shots 1024 --noise fake_torino "
               "--limit 200", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="a run folder written by qhep train")
    parser.add_argument("--data", type=Path, default=None, metavar="FILE",
                        help="score on every image of FILE (same schema as the run's data, e.g. another generated "
                             "jet file) with the run's own preprocessing, instead of its test split; warns when "
                             "pixel scales or channel meanings differ detectably from the training data")
    parser.add_argument("--execution", default="exact", metavar="KIND",
                        help="executor of the quantum layers: exact (default), aer or ibm (qhep list executors)")
    parser.add_argument("--shots", type=int, default=0, help="shots per circuit for aer/ibm (0: exact values)")
    parser.add_argument("--noise", default="", help="aer: noise model of a fake backend large enough for the circuit, e.g. fake_torino "
                             "(qhep transpile --list-backends lists them)")
    parser.add_argument("--backend", default="",
                        help="ibm: fake_<name> (local testing mode, no account) or a device name (saved account)")
    parser.add_argument("--limit", type=_count, default=0,
                        help="evaluate at most this many train and test images each (0: all); for slow executors")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None,
                        help="override the run's train.device")
    parser.add_argument("--fidelity", choices=("swap", "cu"), default="swap",
                        help="fidelity circuits for state-output models on aer/ibm: swap test (2n+1 qubits) or "
                             "compute-uncompute (n qubits, fewer two-qubit gates); for the SQAE: its 15-qubit swap "
                             "test or the 9-qubit inverse-reference circuit")
    runtime = parser.add_argument_group("IBM Runtime options (--execution ibm on a real device)")
    runtime.add_argument("--mode", choices=("job", "batch", "session"), default=None,
                         help="execution mode (default: job)")
    runtime.add_argument("--resilience-level", type=int, choices=(0, 1, 2), default=None,
                         help="estimator error mitigation level (default: 1)")
    runtime.add_argument("--twirling", action="store_true", default=None, help="Pauli-twirl gates and measurements")
    runtime.add_argument("--dynamical-decoupling", action="store_true", default=None,
                         help="insert dynamical-decoupling sequences in idle windows")
    runtime.add_argument("--max-execution-time", type=int, default=None, metavar="SECONDS",
                         help="QPU seconds allowed per job (1..10800)")
    parser.add_argument("--no-plots", action="store_true", help="skip the figures")
    parser.set_defaults(func=run)
