"""Run one program of this folder under PyTorch or under chainrule's torch shim, seeded alike.

    python launch.py torch program.py          # the real PyTorch
    python launch.py chainrule program.py      # chainrule as torch, with PyTorch's random streams

Both seed the default generator with 0 first, so a program that does not seed itself starts from the
same random numbers under both; everything else is the program's own.
"""

import runpy
import sys


def main(backend, program, *args):
    if backend == "chainrule":
        from chainrule import torch_compat

        torch_compat.install(torch_random_streams=True)
    elif backend != "torch":
        raise SystemExit(f"launch.py: backend must be torch or chainrule, not {backend!r}")
    import torch

    torch.manual_seed(0)
    sys.argv = [program, *args]
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main(*sys.argv[1:])
