"""``chainrule sweep CONFIG.toml``: run a sweep; ``add_parser(subparsers)`` registers it."""

from __future__ import annotations

import argparse
import sys

from .flags import add_executor_arguments

_EPILOG = """a sweep file:
  [sweep]
  method = "grid"                 # grid | random | optuna (random/optuna: trials = N)
  seeds = 3                       # every point with seeds 0, 1, 2
  [train]                         # the base config: any chainrule train option
  epochs = 20
  hidden = [64]
  [space]                         # what to vary: lists, or {log_uniform = [1e-4, 1e-1]} ...
  lr = [0.001, 0.01, 0.1]
  activation = ["relu", "tanh", "sigmoid"]

examples:
  chainrule sweep lr.toml                              # local processes, one per CPU
  chainrule sweep lr.toml --scheduler tcp://10.0.0.5:8786
  chainrule sweep lr.toml --dask-local 4
  chainrule sweep lr.toml --resume                     # continue the last unfinished sweep of lr.toml
  chainrule runs compare --sweep ID                    # table and plots of a finished sweep
"""


def add_parser(subparsers):
    p = subparsers.add_parser(
        "sweep", help="run many training runs over a search space (grid, random, optuna), locally or on Dask",
        description="Run a sweep: a base chainrule train config, a search space and seeds; every trial is a "
                    "chainrule train run recorded in the run store (see chainrule runs).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", nargs="?", metavar="CONFIG.toml", help="the sweep file ([sweep], [train], [space])")
    p.add_argument("--resume", nargs="?", const=True, metavar="SWEEP_ID",
                   help="continue a stopped sweep: the latest unfinished one of CONFIG, or SWEEP_ID; finished "
                        "trials are skipped")
    p.add_argument("--store", metavar="FILE.db", help="the run store (default: $CHAINRULE_STORE or runs/runs.db)")
    p.add_argument("--retries", type=int, metavar="N", help="extra attempts of a trial whose worker died "
                   "(default: the file's, else 2)")
    p.add_argument("--dry-run", action="store_true", help="check the file and list the trials; run nothing")
    add_executor_arguments(p)
    p.set_defaults(func=run)
    return p


def _error(msg, code=2):
    print(f"chainrule sweep: error: {msg}", file=sys.stderr)
    return code


def run(args) -> int:
    from ..runstore.jsondata import StoreError
    from ..train.config import ConfigError
    from .executors import ExecutorError
    from .runner import SweepInterrupted
    from .spec import read_spec

    if args.config is None and (args.resume is None or args.resume is True):
        return _error("give the sweep file (chainrule sweep CONFIG.toml), or --resume SWEEP_ID")
    try:
        spec = read_spec(args.config, retries=args.retries) if args.config else None
        if args.dry_run:
            return _dry_run(spec) if spec else _error("--dry-run needs the sweep file")
        from .api import sweep

        result = sweep(spec, workers=args.workers, scheduler=args.scheduler, dask_local=args.dask_local,
                       store=args.store, resume=args.resume or False)
    except (ConfigError, ExecutorError, StoreError, ValueError, ImportError) as e:
        return _error(e)
    except SweepInterrupted as e:
        print(f"\n{e}", file=sys.stderr)
        return 130 if isinstance(e.__cause__, KeyboardInterrupt) else 1
    table = result.table()
    print(f"\n{table.text(limit=10)}")
    if len(table.rows) > 10:
        print(f"... {len(table.rows) - 10} more points")
    print(f"\ncompare: chainrule runs compare --sweep {result.id}" + (f" --store {args.store}" if args.store else ""))
    return 0


def _dry_run(spec):
    from ..runstore.records import format_params
    from .search import make_search

    print(spec.describe())
    if spec.method == "optuna":
        print(f"optuna asks for points as results come in: {spec.trials} points × {len(spec.seeds)} seeds")
        return 0
    for t in make_search(spec).planned:
        spec.trial_config(t["params"], t["seed"])  # every trial's config is checked
        print(f"  {t['key']}  {format_params(t['params'])} seed={t['seed']}")
    return 0
