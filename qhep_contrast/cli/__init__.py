"""Command-line interface: ``qhep <command> ...``.

Each module ``qhep_contrast/cli/<command>.py`` that defines ``register(subparsers)`` adds one command;
:func:`qhep_contrast.cli.main.main` discovers them, so adding a command never edits a shared list.
"""
