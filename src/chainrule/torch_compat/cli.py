"""``chainrule run-torch program.py [ARGS]`` (also ``python -m chainrule.torch_compat``): run an unchanged
PyTorch program with chainrule imported under the name ``torch``."""

from __future__ import annotations

import argparse
import os
import sys

_DESCRIPTION = """Run a PyTorch program on chainrule: inside it, `import torch` (torch.nn, torch.nn.functional,
torch.optim, torch.utils.data, ...) imports chainrule. Random numbers follow PyTorch's CPU streams, so a
seeded program prints the numbers it prints under PyTorch. A part of PyTorch that chainrule lacks
stops the program with an error that names it."""


def add_parser(subparsers):
    p = subparsers.add_parser("run-torch", help="run a PyTorch program with chainrule as torch",
                              description=_DESCRIPTION)
    _arguments(p)
    p.set_defaults(func=run)
    return p


def _arguments(p):
    p.add_argument("--numpy-streams", action="store_true",
                   help="keep chainrule's NumPy random streams (faster; the numbers then differ from PyTorch's)")
    p.add_argument("program", help="the Python file to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the program's own arguments")


def run(args) -> int:
    from . import run_program

    if not os.path.isfile(args.program):
        print(f"chainrule run-torch: error: no such file: {args.program}", file=sys.stderr)
        return 2
    return run_program(args.program, args.args, torch_random_streams=not args.numpy_streams)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m chainrule.torch_compat", description=_DESCRIPTION)
    _arguments(p)
    return run(p.parse_args(argv))
