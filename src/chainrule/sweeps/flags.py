"""The command-line flags that choose where trials run, for any command that runs trials (``chainrule
sweep``, and the labs):

    add_executor_arguments(parser)          # --workers N, --scheduler tcp://HOST:PORT, --dask-local N
    executor = executor_from_args(args)     # None of them given: local processes (or default_workers)
"""

from __future__ import annotations

__all__ = ["add_executor_arguments", "executor_from_args"]


def add_executor_arguments(parser):
    """Add ``--workers N``, ``--scheduler ADDRESS`` and ``--dask-local N`` to an argparse parser."""
    g = parser.add_argument_group("where trials run")
    g.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: one per CPU; 0 = "
                   "in this process)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run the trials on this Dask cluster (needs "
                   "chainrule[sweep] here and on the workers)")
    g.add_argument("--dask-local", type=int, metavar="N", help="start a Dask LocalCluster of N worker processes")
    return g


def executor_from_args(args, default_workers=None):
    """The executor the parsed ``add_executor_arguments`` flags ask for (``default_workers``: when
    none is given; 0 = in this process)."""
    from .executors import make_executor

    workers = args.workers
    if workers is None and args.scheduler is None and args.dask_local is None:
        workers = default_workers
    return make_executor(workers=workers, scheduler=args.scheduler, dask_local=args.dask_local)

