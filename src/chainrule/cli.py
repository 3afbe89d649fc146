"""The ``chainrule`` command. Each subcommand lives with its feature and registers itself here.

A feature module exposes ``add_parser(subparsers)``, which adds its subparser and sets
``func=run`` (``run(args) -> exit code``). Heavy imports happen inside ``run``, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

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


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
