"""What the training benchmarks share: their flags and thread limit, the interleaved rounds, the record of the
machine.

    args = arguments(__doc__, "cnn.json", "--steps", 30, "steps per variant per round")   # threads limited
    limit_threads(n)                 before NumPy/torch load their BLAS: n threads for both libraries
    rates = interleaved(variants, rounds, n)    {name: [units/s per round]}, the order alternating
    median_round(fns, n, rounds, sync)   {name: median seconds per call}, each round after a warm-up call
    environment(np, torch)           versions and machine, for the results file
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path


def arguments(doc, results_file, count_flag, count_default, count_help):
    """--rounds, the per-round count flag, --threads (limited at once: call before importing NumPy), --out."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument(count_flag, type=int, default=count_default, help=count_help)
    ap.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (the same for both libraries)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / results_file))
    args = ap.parse_args()
    limit_threads(args.threads)
    return args


def limit_threads(n):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def interleaved(variants, rounds, n):
    """Run each variant ``fn(n)`` once per round, forward order in even rounds and reversed in odd ones (no
    variant always goes first); return the rate n/seconds of every round, by variant."""
    rates = {k: [] for k in variants}
    for r in range(rounds):
        for name in list(variants) if r % 2 == 0 else list(reversed(variants)):
            t0 = time.perf_counter()
            variants[name](n)
            rates[name].append(n / (time.perf_counter() - t0))
    return rates


def median_round(fns, n, rounds, sync=None):
    """Per implementation, the median over ``rounds`` of the seconds per call of ``fn`` (n calls a round, after
    one untimed call; the implementations take turns round by round). ``sync``: wait for queued GPU work
    before reading the clock."""
    sync = sync or (lambda: None)
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            fn()
            sync()
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            sync()
            times[name].append((time.perf_counter() - t0) / n)
    return {k: statistics.median(v) for k, v in times.items()}


def environment(np, torch):
    import chainrule

    return {
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__,
                     "chainrule": chainrule.__version__},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def report(result, out, medians, unit, ratios):
    """Write the result as JSON to ``out`` and print the medians and the ratios."""
    import json

    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=2) + "\n")
    width = max(map(len, [*medians, *ratios]))
    for k, v in medians.items():
        print(f"{k:>{width}}  {v:8.1f} {unit}")
    for k, v in ratios.items():
        print(f"{k:>{width}}  {v:.3f}")
    print(f"wrote {out}")
