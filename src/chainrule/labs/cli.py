"""``chainrule lab list | NAME [--out DIR] [--seed N] [--full] | all``: ``add_parser(subparsers)``."""

from __future__ import annotations

import argparse

from ..cli import UsageError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "lab", help="re-run the lectures' experiments (labs): figures + measured numbers",
        description="Re-run a claim from the lectures and see the figure and the number. "
        "`chainrule lab list` shows the labs; `chainrule lab all` runs every lab and writes one HTML report.")
    p.add_argument("name", metavar="NAME", help="a lab's name, 'list', or 'all'")
    p.add_argument("--out", default="lab-results", help="folder for the results: OUT/NAME/*.png, "
                   "OUT/NAME/numbers.json, and OUT/report.html for 'all' (default: lab-results)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same numbers "
                   "(default: 0)")
    p.add_argument("--full", action="store_true", help="the longer version (more epochs, more data, more seeds)")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # the test suite's smaller size
    p.add_argument("--docs", metavar="DIR", help=argparse.SUPPRESS)  # 'all': refresh docs/labs and docs/labs.md
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from .. import labs

    mode = "quick" if args.quick else "full" if args.full else "fast"
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.name == "list":
        width = max(len(n) for n in labs.names())
        for lab in labs.LABS:
            print(f"{lab.name:<{width}}  {lab.title}")
        print("\nrun one: chainrule lab NAME [--seed N] [--full];  all + HTML report: chainrule lab all")
        return 0
    if args.name == "all":
        results, report = labs.run_all(out=args.out, seed=args.seed, mode=mode)
        total = sum(r.seconds for r in results)
        print(f"\n{len(results)} labs in {total:.0f} s; report: {report}")
        if args.docs:
            from .report import write_docs

            print(f"docs: {write_docs(results, args.docs)}")
        return 0
    if args.name not in labs.names():
        raise UsageError(f"unknown lab {args.name!r}; choose one of: "
                         f"{', '.join(labs.names())}, or 'list' / 'all'")
    result = labs.run(args.name, out=args.out, seed=args.seed, mode=mode)
    files = ", ".join(f.path for f in result.figures)
    print(f"({result.seconds:.1f} s) files in {result.out_dir}/: numbers.json" + (f", {files}" if files else ""))
    return 0
