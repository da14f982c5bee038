"""``qhep bench <workload>``: speed benchmarks against baselines measured in the same run.

Each module ``qhep_contrast/bench/<name>.py`` defining ``add_arguments(parser)`` and ``run(args) -> int``
becomes ``qhep bench <name>``. Workload modules import torch and qiskit, so they are imported only when
their workload runs (or its ``--help`` is asked for); listing them reads their docstrings from source.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

__all__ = ["register", "workloads", "workload_parser"]


def workloads() -> dict[str, str]:
    """Workload name -> first line of its module docstring (read from source, nothing imported)."""
    spec = importlib.util.find_spec("qhep_contrast.bench")
    assert spec is not None and spec.submodule_search_locations is not None
    out = {}
    for info in sorted(pkgutil.iter_modules(spec.submodule_search_locations), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        path = Path(spec.submodule_search_locations[0]) / f"{info.name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        if {"add_arguments", "run"} <= names:
            out[info.name] = (ast.get_docstring(tree) or info.name).strip().splitlines()[0]
    return out


def workload_parser(name: str) -> argparse.ArgumentParser:
    """The option parser of workload ``name`` (imports its module)."""
    module = importlib.import_module(f"qhep_contrast.bench.{name}")
    parser = argparse.ArgumentParser(prog=f"qhep bench {name}", description=module.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(parser)
    parser.set_defaults(func=module.run)
    return parser


def _run_workload(args: argparse.Namespace) -> int:
    workload = workload_parser(args.workload).parse_args(args.workload_args)
    return int(workload.func(workload) or 0)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep bench`` and one sub-command per benchmark module."""
    parser = sub.add_parser(
        "bench",
        help="speed benchmarks against baselines measured in the same run",
        description="Speed benchmarks. Figures are medians after warm-up, with a same-run baseline ratio. "
                    "`qhep bench <workload> --help` shows a workload's options.",
    )
    inner = parser.add_subparsers(dest="workload", metavar="<workload>")
    for name, doc in workloads().items():
        # The workload parses its own options (its module is imported only now): everything after the name
        # (--help included) is handed to it.
        p = inner.add_parser(name, help=doc, add_help=False, prefix_chars="\0")
        p.add_argument("workload_args", nargs=argparse.REMAINDER)
        p.set_defaults(func=_run_workload)
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
