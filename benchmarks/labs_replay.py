"""The labs in live mode (what ``chainrule lab all`` runs), their training helpers' replayed steps against eager
ones, in one process: each lab runs with ``labs._common.REPLAY`` off and on, the two taking turns round by round
(the machine is shared: the order alternates and the median round is reported), after one untimed run of each
lab (data sets and imports loaded). Seconds are the lab's own wall time and the process's CPU time for it; the
lab's numbers are checked to be the same both ways (timing labs excepted).
Writes benchmarks/results/labs_replay.json.

    python benchmarks/labs_replay.py [--rounds 3] [--labs xor,dropout,...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from playground_common import machine, write_results

TIMINGS = {"exp-cost"}  # labs whose numbers are timings: not compared


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--labs", default="", help="comma-separated lab names (default: every lab)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "labs_replay.json"))
    args = ap.parse_args()
    from chainrule import labs
    from chainrule.labs import _common

    names = [n for n in args.labs.split(",") if n] or labs.names()

    def once(name, replay):
        _common.REPLAY = replay
        t0, c0 = time.perf_counter(), time.process_time()
        r = labs.run(name, save=False, echo=None)
        return time.perf_counter() - t0, time.process_time() - c0, (r.numbers, r.claims)

    rows, total = {}, {"eager": [0.0, 0.0], "replay": [0.0, 0.0]}
    for name in names:
        numbers = {v: once(name, v == "replay")[2] for v in ("eager", "replay")}  # untimed
        same = name in TIMINGS or numbers["eager"] == numbers["replay"]
        times = {"eager": [], "replay": []}
        for r in range(args.rounds):
            for v in ("eager", "replay") if r % 2 == 0 else ("replay", "eager"):
                times[v].append(once(name, v == "replay")[:2])
        med = {v: [round(statistics.median(t[i] for t in times[v]), 3) for i in (0, 1)] for v in times}
        rows[name] = {"wall_s": {v: med[v][0] for v in med}, "cpu_s": {v: med[v][1] for v in med},
                      "same_numbers": same}
        for v in med:
            total[v][0] += med[v][0]
            total[v][1] += med[v][1]
        print(f"{name:22s} wall {med['eager'][0]:6.2f} -> {med['replay'][0]:6.2f} s   cpu {med['eager'][1]:6.2f} -> "
              f"{med['replay'][1]:6.2f} s   numbers {'same' if same else 'DIFFER'}", flush=True)
    print(f"{'all':22s} wall {total['eager'][0]:6.1f} -> {total['replay'][0]:6.1f} s   cpu {total['eager'][1]:6.1f} -> "
          f"{total['replay'][1]:6.1f} s")
    write_results(args.out, {
        "benchmark": "labs in live mode (3 seeds), training helpers' steps replayed vs eager (_common.REPLAY), in one "
                     "process, interleaved rounds, median", "rounds": args.rounds, "labs": rows,
        "total_s": {"wall": {v: round(t[0], 2) for v, t in total.items()},
                    "cpu": {v: round(t[1], 2) for v, t in total.items()}},
        "machine": machine()})


if __name__ == "__main__":
    main()
