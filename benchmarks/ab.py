"""A/B: the same chainrule benchmark cases for two source trees (before and after a change), interleaved.

Two worker processes, one per tree (``PYTHONPATH=<tree>``), each build the cases of benchmarks/engine.py
once; the parent then asks them for one timed round at a time, alternating A and B, and reports the median
round of each and the ratio B/A in steps (or ops) per second. Only the ratio means anything on a shared
machine. Used to show that a refactor or a new device seam did not slow the CPU path down.

    python benchmarks/ab.py --a ../base/src --b src [--rounds 15] [--out benchmarks/results/ab-layout.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORKER = r"""
import json, sys, time
sys.path.insert(0, {bench!r})
import engine  # benchmarks/engine.py: case_x() returns ({{"chainrule": fn, ...}}, calls per round)
cases = {{name: getattr(engine, "case_" + name)() for name in ("a", "b", "c")}}
for line in sys.stdin:
    fns, n = cases[line.strip()]
    fn = fns["chainrule"]
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    print(json.dumps((time.perf_counter() - t0) / n), flush=True)
"""

LABELS = {"a": "one elementwise op fwd+bwd (ops/s)", "b": "2-8-8-1 tanh SGD step, tensor ops (steps/s)",
          "c": "784-512-512-10 ReLU SGD step, float32 (steps/s)"}


def start(tree):
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()))
    return subprocess.Popen([sys.executable, "-c", WORKER.format(bench=str(HERE))], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def ask(worker, name):
    worker.stdin.write(name + "\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="source tree A (the 'before'), e.g. a worktree's src/")
    ap.add_argument("--b", required=True, help="source tree B (the 'after')")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--out", help="write the result as JSON here")
    args = ap.parse_args(argv)
    workers = {"A": start(args.a), "B": start(args.b)}
    result = {}
    try:
        for name in LABELS:
            times = {"A": [], "B": []}
            for _ in range(args.rounds):
                for k in ("A", "B"):
                    times[k].append(ask(workers[k], name))
            med = {k: statistics.median(v) for k, v in times.items()}
            result[name] = {"label": LABELS[name], "A_per_s": 1 / med["A"], "B_per_s": 1 / med["B"],
                            "B_over_A": med["A"] / med["B"]}
            print(f"{LABELS[name]:<50} A {1 / med['A']:>10.0f}  B {1 / med['B']:>10.0f}  B/A {med['A'] / med['B']:.3f}")
    finally:
        for w in workers.values():
            w.stdin.close()
            w.wait()
    if args.out:
        Path(args.out).write_text(json.dumps({"a": args.a, "b": args.b, "rounds": args.rounds, **result}, indent=2))


if __name__ == "__main__":
    main()
