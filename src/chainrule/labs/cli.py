"""``chainrule lab list | NAME | all [--live | --full] [--seeds N] [--seed N] [--out DIR] [--docs DIR]
[--workers N | --scheduler ADDRESS | --dask-local N]``: ``add_parser(subparsers)``."""

from __future__ import annotations

import argparse

EPILOG = """modes:
  --live (the default)  3 seeds, in this process (unless --workers, --scheduler or --dask-local asks for
                        more): each lab finishes in about 10 s or less on a 2-core laptop and `chainrule
                        lab all` in about 2 minutes (measured numbers: README, "The lectures' claims")
  --full                5 seeds (or --seeds N), run on the sweep executor: local worker processes (one per
                        CPU, or --workers N), or a Dask cluster (--scheduler, --dask-local). A seed is the
                        same experiment in both modes and wherever it runs: the live run's numbers are the
                        full run's first three seeds.

Every lab quotes the slide it tests, the textbook answer, and what it measured as mean ± spread over the
seeds, with a verdict those numbers support.

examples:
  chainrule lab list
  chainrule lab dead-relu                     # live: 3 seeds, figures + numbers.json in lab-results/dead-relu/
  chainrule lab optimizers --full --workers 2
  chainrule lab all                           # every lab, live, and lab-results/report.html
  chainrule lab all --full --docs docs/labs   # regenerate docs/labs.md, its figures and docs/labs/claims.json
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "lab", help="re-run the lectures' claims over seeds (labs): figures, mean ± spread, verdicts",
        description="Re-run claims from the lectures and see the figures and the numbers, over several seeds. "
        "`chainrule lab list` shows the labs; `chainrule lab all` runs every lab and writes one HTML report.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", metavar="NAME", help="a lab's name, 'list', or 'all'")
    p.add_argument("--out", default="lab-results", help="folder for the results: OUT/NAME/*.png, "
                   "OUT/NAME/numbers.json, and OUT/report.html for 'all' (default: lab-results)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="3 seeds in this process, ≤ ~10 s per lab (the default)")
    mode.add_argument("--full", action="store_true", help="5 seeds on the sweep executor (worker processes or Dask)")
    mode.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # the old name of --live
    p.add_argument("--seeds", type=int, metavar="N", help="how many seeds (default: 3 live, 5 full)")
    p.add_argument("--seed", type=int, default=0, help="the first seed; a lab runs seeds "
                   "SEED, SEED+1, ... (default: 0)")
    p.add_argument("--docs", metavar="DIR", help="with 'all': also write DIR/../labs.md, its figures in DIR and "
                   "DIR/claims.json (the repository's docs: --full --docs docs/labs)")
    from ..sweeps.flags import add_executor_arguments

    add_executor_arguments(p)  # --workers, --scheduler, --dask-local: the sweep executor's flags
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from .. import labs

    mode = "full" if args.full else "live"
    if args.seed < 0:
        raise SystemExit(f"chainrule lab: --seed must be a non-negative integer, got {args.seed}")
    if args.seeds is not None and args.seeds < 1:
        raise SystemExit(f"chainrule lab: --seeds must be at least 1, got {args.seeds}")
    if args.workers is not None and args.workers < 0:
        raise SystemExit(f"chainrule lab: --workers must be 0 or more, got {args.workers}")
    if args.name not in ("list", "all") and args.name not in labs.names():
        raise SystemExit(f"chainrule lab: unknown lab {args.name!r}; choose one of: "
                         f"{', '.join(labs.names())}, or 'list' / 'all'")
    if args.name == "list":
        width = max(len(n) for n in labs.names())
        for lab in labs.LABS:
            print(f"{lab.name:<{width}}  {lab.title}")
        print("\nrun one: chainrule lab NAME [--full];  all + HTML report: chainrule lab all")
        return 0
    if args.docs and args.name != "all":
        raise SystemExit("chainrule lab: --docs goes with 'all' (the docs page lists every lab)")
    from ..sweeps.executors import ExecutorError
    from ..sweeps.flags import executor_from_args

    # live: this process unless a flag asks for workers; full: local processes, one per CPU, by default
    try:
        executor = executor_from_args(args, default_workers=None if mode == "full" else 0)
    except ExecutorError as e:
        raise SystemExit(f"chainrule lab: {e}") from None
    try:
        return _run(args, labs, mode, executor)
    finally:
        executor.close()


def _run(args, labs, mode, executor) -> int:
    if args.name == "all":
        results, report = labs.run_all(out=args.out, seed=args.seed, mode=mode, seeds=args.seeds,
                                       executor=executor)
        total = sum(r.seconds for r in results)
        print(f"\n{len(results)} labs in {total:.0f} s ({mode}); report: {report}")
        if args.docs:
            from .report import write_docs

            print(f"docs: {write_docs(results, args.docs)}")
        return 0
    result = labs.run(args.name, out=args.out, seed=args.seed, mode=mode, seeds=args.seeds, executor=executor)
    for c in result.claims:
        print(f"  [{c['verdict']}] {c['slide']['quote']}")
    files = ", ".join(f.path for f in result.figures)
    print(f"({result.seconds:.1f} s, {len(result.seeds)} seeds) files in {result.out_dir}/: numbers.json"
          + (f", {files}" if files else ""))
    return 0
