"""The ``chainrule`` command. Each subcommand lives with its feature and registers itself here.

A feature module exposes ``add_parser(subparsers)``, which adds its subparser and sets
``func=run`` (``run(args) -> exit code``). Heavy imports happen inside ``run``, so ``--help`` is instant.

One convention for every subcommand: exit 0 on success, 2 for a usage error (a bad flag or value, an unknown
name, a file given that cannot be read: ``raise UsageError(msg)`` or ``return error(cmd, msg)``), 1 for a
failure (training diverged, the doctor found an error, a missing optional package); messages go to standard
error as ``chainrule CMD: error: ...``. Output to a closed pipe (``chainrule train | head``) ends quietly with
exit 0, and a terminal that cannot show a character (``→``, ``∂``) gets an ASCII spelling instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ._console import ascii_fallback
from ._optional import MissingDependency

USAGE, FAILURE = 2, 1


class UsageError(SystemExit):
    """A mistake on the command line: ``main`` prints ``chainrule CMD: error: <message>`` and exits 2. (A
    ``SystemExit``, so a subcommand's ``run`` called on its own still stops with the message.)"""


def error(cmd: str, msg: object, code: int = USAGE) -> int:
    """Print ``chainrule CMD: error: msg`` on standard error; the exit code (a missing package: 1)."""
    print(f"chainrule {cmd}: error: {msg}", file=sys.stderr)
    return FAILURE if isinstance(msg, ImportError) else code

# (module, what it adds) in the order `chainrule --help` lists them
SUBCOMMANDS = [
    "chainrule.train.cli",  # train, evaluate, predict
    "chainrule.sweeps.cli",  # sweep
    "chainrule.runstore.cli",  # runs ls/show/compare/export/sweeps
    "chainrule.playground.cli",  # playground
    "chainrule.explain.cli",  # explain
    "chainrule.labs.cli",  # lab
    "chainrule.doctor.cli",  # doctor
    "chainrule.export_cli",  # export
    "chainrule.torch_compat.cli",  # run-torch
]


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: a readable deep-learning library -- train, explain backprop, run the labs, "
        "open the playground.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name and name.startswith(err.name):  # that feature is not installed/built yet
                continue
            raise
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        ascii_fallback(stream)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        try:
            code = int(args.func(args) or 0)
        except UsageError as e:
            code = error(args.command, e.code)
        except MissingDependency as e:  # one line naming the extra to install
            code = error(args.command, e)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        sys.stdout.flush()  # here, so that a closed pipe is met inside the try
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """The reader went away (``chainrule train | head``): as ``head`` expects, stop quietly. stdout is pointed
    at /dev/null so that the interpreter's own flush at exit finds no broken pipe either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
