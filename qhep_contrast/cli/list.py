"""``qhep list [WHAT ...]``: every registered dataset, view, objective, circuit, model, loss, optimizer,
schedule and executor, with its one-line help, its configuration keys and its traits."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]

def run(args: argparse.Namespace) -> int:
    """Print the listings asked for (all by default)."""
    from qhep_contrast.exceptions import ConfigError
    from qhep_contrast.experiment.catalog import REGISTRIES, describe
    from qhep_contrast.options import did_you_mean

    for name in args.what:
        if name not in REGISTRIES:
            raise ConfigError(f"qhep list {name!r}: no such listing.{did_you_mean(name, list(REGISTRIES))} "
                              f"Listings: {', '.join(REGISTRIES)}.")
    chosen = args.what or list(REGISTRIES)
    print("\n\n".join(describe(name) for name in chosen))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qhep list``."""
    parser = sub.add_parser(
        "list", help="list what a configuration can choose: datasets, models, losses, circuits, executors, ...",
        description="List every registered entry that a run configuration can name, generated from the "
                    "registries: its one-line help, the keys its table accepts (default, range or choices, help) "
                    "and its traits. A table picks an entry with its tag key, e.g. [loss] name = \"nt_xent\".")
    parser.add_argument("what", nargs="*", metavar="WHAT",
                        help="which listings (default: all, each headed by its name), e.g. losses models executors")
    parser.set_defaults(func=run)
