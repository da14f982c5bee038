"""Entry point of the ``qhep`` console script.

Commands are discovered: every public module of :mod:`qhep_contrast.cli` with a ``register`` function
adds a sub-parser and sets ``func`` (called with the parsed namespace, returning an exit code). Command
modules and their ``register`` import nothing heavy (torch, qiskit, sympy, h5py, ...): those load inside
``func`` when a command runs, so ``qhep --help`` and ``qhep <command> --help`` answer at once.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from qhep_contrast import __version__
from qhep_contrast.exceptions import QHEPError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every discovered command."""
    parser = argparse.ArgumentParser(
        prog="qhep",
        description=(
            "qhep-contrast: learn quantum representations of HEP data with contrastive learning. "
            "Train on the exact torch statevector engine, evaluate on Aer (shots, noise) or IBM devices."
        ),
        epilog="Run `qhep <command> --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"qhep-contrast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    import qhep_contrast.cli as cli_pkg

    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "main":
            continue
        module = importlib.import_module(f"qhep_contrast.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command.

    Package errors and environment faults (read-only or full disk, missing files, out of memory) become one
    line on stderr and exit code 2; Ctrl-C exits 130. ``QHEP_DEBUG=1`` re-raises them with the traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 1
    from qhep_contrast.execution.exact.allocator import keep_freed_memory

    keep_freed_memory()  # glibc: reuse freed state buffers instead of page-faulting fresh ones every step
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"qhep {args.command}: interrupted", file=sys.stderr)
        return 130
    except (QHEPError, OSError, MemoryError) as err:
        if os.environ.get("QHEP_DEBUG") == "1":
            raise
        print(f"qhep {args.command}: error: {_one_line(err)}", file=sys.stderr)
        return 2


_HINTS = {
    errno.ENOSPC: "free disk space or write somewhere else (--runs-root)",
    errno.EDQUOT: "free disk space or write somewhere else (--runs-root)",
    errno.EACCES: "choose a folder you may write (--runs-root) or fix its permissions",
    errno.EROFS: "the file system is read-only: choose another folder (--runs-root)",
    errno.ENOENT: "check the path",
}


def _one_line(err: BaseException) -> str:
    """The error as one line: package errors as they are, environment faults with what to do.

    ``QHEP_DEBUG=1`` shows the traceback instead.
    """
    if isinstance(err, QHEPError):
        text = str(err)
    elif isinstance(err, MemoryError):
        text = "out of memory; use less data (data.limit), smaller batches, or a smaller circuit"
    elif isinstance(err, OSError):
        where = f" ({err.filename})" if err.filename else ""
        hint = _HINTS.get(err.errno or -1, "")
        text = f"{err.strerror or err}{where}" + (f": {hint}" if hint else "")
    else:
        text = str(err)
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
