"""``qhep circuits export | check``: the stored circuits in the repository's ``circuits/`` folder."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "run_check", "run_export"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep circuits`` with ``export`` and ``check``."""
    from qhep_contrast.hardware.isa_settings import ISA_BACKENDS, ISA_LEVEL, ISA_SEED

    parser = sub.add_parser(
        "circuits",
        help="export or verify the stored circuits (QPY + OpenQASM 3 + manifest.toml)",
        description="The canonical circuits (every builder at its default size, the fidelity circuits, W1, W2) "
        "stored as QPY and OpenQASM 3 with a manifest, plus ISA versions for fake backends.",
    )
    inner = parser.add_subparsers(dest="action", metavar="<action>")
    export = inner.add_parser(
        "export",
        help="write circuits/ (run from the repository root and commit the result)",
        description="Write every default_specs() circuit to FOLDER as QPY and OpenQASM 3, ISA versions under "
        "FOLDER/transpiled/<backend>/, and FOLDER/manifest.toml. QPY files that already hold the same circuit "
        "are kept as they are; files no longer in the manifest are deleted.",
    )
    export.add_argument("--folder", type=Path, default=Path("circuits"), help="store folder (default: circuits)")
    export.add_argument("--backends", nargs="+", default=list(ISA_BACKENDS), metavar="NAME",
                        help=f"backends of the ISA versions (default: {' '.join(ISA_BACKENDS)})")
    export.add_argument("--level", type=int, default=ISA_LEVEL, help=f"optimization level (default: {ISA_LEVEL})")
    export.add_argument("--seed", type=int, default=ISA_SEED, help=f"seed_transpiler (default: {ISA_SEED})")
    export.set_defaults(func=run_export)
    check = inner.add_parser(
        "check",
        help="verify circuits/ against its manifest and the current builders",
        description="Verify that every stored file loads and matches its manifest hash, and that every builder "
        "still produces its stored circuit. Exit code 1 lists the problems.",
    )
    check.add_argument("--folder", type=Path, default=Path("circuits"), help="store folder (default: circuits)")
    check.add_argument("--retranspile", action="store_true",
                       help="also transpile again and require identical ISA circuits (same versions only)")
    check.set_defaults(func=run_check)
    parser.set_defaults(func=lambda args: parser.print_help() or 1)


def run_export(args: argparse.Namespace) -> int:
    """Regenerate the store in ``args.folder``."""
    from qhep_contrast.circuits.store import canonical_entries, prune, write_manifest
    from qhep_contrast.hardware.isa_store import transpiled_entries

    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    circuits = canonical_entries(folder)
    transpiled = transpiled_entries(folder, circuits, args.backends, args.level, args.seed)
    path = write_manifest(folder, {"circuits": circuits, "transpiled": transpiled})
    entries = [*circuits.values(), *(e for table in transpiled.values() for e in table.values())]
    removed = prune(folder, {entry[key] for entry in entries for key in ("qpy", "qasm3")})
    print(f"qhep circuits export: {len(entries)} circuits -> {folder}/ (manifest {path}); "
          f"{len(removed)} stale file(s) removed")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Verify the store; print problems and return 1 if any."""
    from qhep_contrast.circuits.store import EXPORT_COMMAND, check_canonical, read_manifest
    from qhep_contrast.hardware.isa_store import check_transpiled

    manifest = read_manifest(args.folder)
    problems = check_canonical(args.folder, manifest) + check_transpiled(args.folder, manifest, args.retranspile)
    if problems:
        print("\n".join(problems))
        print(f"qhep circuits check: {len(problems)} problem(s); if the builders changed on purpose, run "
              f"`{EXPORT_COMMAND}` from the repository root and commit circuits/.")
        return 1
    print(f"qhep circuits check: {args.folder}/ matches its manifest and the current builders.")
    return 0
