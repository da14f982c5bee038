"""``qhep bench <workload>``: speed benchmarks (see ../shared/BENCHMARKS.md).

Each module ``qhep_contrast/bench/<name>.py`` defining ``add_arguments(parser)`` and ``run(args) -> int``
becomes ``qhep bench <name>``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep bench`` and one sub-command per benchmark module."""
    import qhep_contrast.bench as bench_pkg

    parser = sub.add_parser(
        "bench",
        help="speed benchmarks against baselines measured in the same run",
        description="Speed benchmarks. Figures are medians after warm-up, with a same-run baseline ratio.",
    )
    inner = parser.add_subparsers(dest="workload", metavar="<workload>")
    for info in sorted(pkgutil.iter_modules(bench_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"qhep_contrast.bench.{info.name}")
        if hasattr(module, "add_arguments") and hasattr(module, "run"):
            doc = (module.__doc__ or info.name).strip().splitlines()[0]
            p = inner.add_parser(info.name, help=doc, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
            module.add_arguments(p)
            p.set_defaults(func=module.run)
    parser.set_defaults(func=lambda args: parser.print_help() or 1)
