"""What PyTorch's random streams cost: chainrule's torch mode vs its default (NumPy's PCG64), torch beside.

``chainrule.use_torch_random_streams()`` makes every draw follow torch's CPU generator bit for bit (an
mt19937 and torch's transforms, engine/torch_random.py); the default mode draws from NumPy's PCG64. Each
case below runs in both modes and in torch, rounds interleaved, and the median round is reported; the
machine is shared and noisy, so only the ratios within one run mean anything. Results:
benchmarks/results/random_streams.json.

    python benchmarks/random_streams.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path


def cases(lib, nn, F):
    """name → a call drawing the same numbers in chainrule (either mode) and in torch."""
    x = lib.ones(64, 512)
    w = lib.rand(100) + 0.01
    return {
        "randn(3)": lambda: lib.randn(3),
        "randn(1000, 1000)": lambda: lib.randn(1000, 1000),
        "randn(1000, 1000) float64": lambda: lib.randn(1000, 1000, dtype=lib.float64),
        "rand(1000, 1000)": lambda: lib.rand(1000, 1000),
        "randint(0, 10, (10**6,))": lambda: lib.randint(0, 10, (10**6,)),
        "randperm(60000)": lambda: lib.randperm(60000),  # a DataLoader's shuffle of MNIST
        "nn.Linear(2, 3)": lambda: nn.Linear(2, 3),
        "nn.Linear(784, 256)": lambda: nn.Linear(784, 256),
        "dropout mask (64, 512)": lambda: F.dropout(x, 0.5),
        "multinomial(100 weights, 1000, replacement)": lambda: lib.multinomial(w, 1000, True),
    }


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "random_streams.json"))
    args = ap.parse_args()

    import numpy as np
    import torch

    import chainrule as cr

    torch.set_num_threads(1)
    runs = {"numpy": cases(cr, cr.nn, cr.nn.functional), "torch mode": cases(cr, cr.nn, cr.nn.functional),
            "PyTorch": cases(torch, torch.nn, torch.nn.functional)}
    modes = {"numpy": False, "torch mode": True}
    times = {name: {case: [] for case in runs["numpy"]} for name in runs}
    for _ in range(args.rounds + 1):  # the first round warms up and is dropped
        for case in runs["numpy"]:
            for name, fns in runs.items():
                if name in modes:
                    cr.use_torch_random_streams(modes[name])  # re-seeds: outside the timed call
                times[name][case].append(timed(fns[case]))
    cr.use_torch_random_streams(False)
    med = {name: {case: round(statistics.median(t[1:]), 3) for case, t in per.items()} for name, per in times.items()}
    result = {
        "benchmark": "random draws: chainrule's torch-stream mode vs its default NumPy PCG64 mode, PyTorch beside (ms)",
        "median_ms": med,
        "torch mode / numpy mode": {c: round(med["torch mode"][c] / med["numpy"][c], 2) for c in med["numpy"]},
        "torch mode / PyTorch": {c: round(med["torch mode"][c] / med["PyTorch"][c], 2) for c in med["numpy"]},
        "rounds": args.rounds,
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'case':45s} {'numpy':>9s} {'torch mode':>11s} {'PyTorch':>9s}   ratio (torch mode / numpy)")
    for c in med["numpy"]:
        print(f"{c:45s} {med['numpy'][c]:9.3f} {med['torch mode'][c]:11.3f} {med['PyTorch'][c]:9.3f}   "
              f"{result['torch mode / numpy mode'][c]:.2f}")


if __name__ == "__main__":
    main()
