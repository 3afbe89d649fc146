"""``chainrule runs ls | show | compare | export | sweeps``: what the run store holds.

    chainrule runs ls                                   # the latest runs
    chainrule runs ls --sweep ID --where "lr<0.1" --sort test_accuracy
    chainrule runs show 12                              # one run: config, metrics, epochs (or a sweep id)
    chainrule runs compare --sweep ID                   # table + plots into runs/compare-ID/
    chainrule runs compare 3 7 12                       # runs by id
    chainrule runs export --csv runs.csv                # one row per run (config and final metrics)
    chainrule runs sweeps                               # the sweeps and their progress
"""

from __future__ import annotations

import argparse
import json
import sys
import time

S = "  "


def add_parser(subparsers):
    p = subparsers.add_parser("runs", help="list, show, compare and export the runs in the run store",
                              description="The run store (SQLite; default $CHAINRULE_STORE or runs/runs.db) "
                              "records every chainrule train run and sweep trial.",
                              epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="runs_command", metavar="COMMAND", required=True)

    def cmd(name, help, func):
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("--store", metavar="FILE.db", help="the run store (default: $CHAINRULE_STORE or runs/runs.db)")
        c.set_defaults(func=func)
        return c

    def filters(c):
        c.add_argument("--sweep", metavar="ID", help="only the trials of this sweep")
        c.add_argument("--where", action="append", default=[], metavar="EXPR",
                       help="KEY OP VALUE (OP: = != < <= > >=), e.g. \"lr<0.1\", \"activation=relu\"; repeat or "
                            "join with 'and'")
        c.add_argument("--status", help="only runs with this status (finished, failed, running, pending, ...)")

    ls = cmd("ls", "list runs (newest first)", run_ls)
    filters(ls)
    ls.add_argument("--sort", metavar="KEY", help="sort by a column: metrics best first (test_accuracy, val_loss), "
                    "anything else ascending")
    ls.add_argument("--reverse", action="store_true", help="reverse the order")
    ls.add_argument("--limit", type=int, default=30, metavar="N", help="show N runs (default 30; 0 = all)")
    ls.add_argument("--columns", metavar="A,B,...", help="the columns to show (default: chosen for the runs)")
    ls.add_argument("--json", action="store_true", help="print JSON rows")

    show = cmd("show", "one run (or sweep): config, status, metrics, epochs", run_show)
    show.add_argument("id", metavar="ID", help="a run id (chainrule runs ls) or a sweep id")
    show.add_argument("--json", action="store_true", help="print JSON")

    cmp_ = cmd("compare", "compare runs: a table (mean ± sd over seeds) and plots", run_compare)
    cmp_.add_argument("ids", nargs="*", type=int, metavar="ID", help="run ids (or use --sweep)")
    filters(cmp_)
    cmp_.add_argument("--metric", help="the metric to rank and plot (default: the sweep's, else val_accuracy or "
                      "val_loss)")
    cmp_.add_argument("--heatmap", metavar="A,B", help="the two options of the heatmap (default: the first two)")
    cmp_.add_argument("--out", metavar="DIR", help="where to write the table and plots (default "
                      "runs/compare-<sweep id or time>)")
    cmp_.add_argument("--no-plots", action="store_true", help="only the table")
    cmp_.add_argument("--json", action="store_true", help="print the table as JSON")

    ex = cmd("export", "export runs as CSV or JSON lines (one run per row: config and final metrics)", run_export)
    filters(ex)
    fmt = ex.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", nargs="?", const="-", metavar="FILE", help="CSV to FILE (default: standard output)")
    fmt.add_argument("--jsonl", nargs="?", const="-", metavar="FILE", help="JSON lines, with the epochs")

    cmd("sweeps", "list the sweeps and their progress", run_sweeps)
    return p


def _error(cmd, msg, code=2):
    print(f"chainrule runs {cmd}: error: {msg}", file=sys.stderr)
    return code


def _store(args):
    from .jsondata import StoreError
    from .store import default_path, open_store

    path = args.store or default_path()
    if path is None:
        raise StoreError("the run store is switched off (CHAINRULE_STORE=off); give --store FILE.db")
    import os

    if not os.path.exists(path):
        raise StoreError(f"no run store at {path} yet (chainrule train and chainrule sweep create it; or give "
                         f"--store FILE.db)")
    return open_store(path)


def _select(store, args):
    """The runs the filters pick, as (records, flat rows)."""
    from .records import columns_of, flatten, parse_where

    if getattr(args, "sweep", None):
        store.sweep(args.sweep)  # an unknown sweep id is an error, not an empty list
    runs = store.runs(sweep=getattr(args, "sweep", None), status=getattr(args, "status", None),
                      ids=getattr(args, "ids", None) or None)
    flat = [flatten(r) for r in runs]
    for expr in getattr(args, "where", []):
        keep = parse_where(expr, columns_of(flat) or None)
        pairs = [(r, f) for r, f in zip(runs, flat) if keep(f)]
        runs, flat = [p[0] for p in pairs], [p[1] for p in pairs]
    return runs, flat


def _guarded(cmd):
    """A store, filter or value error ends the command with its message (exit 2), not a traceback."""

    def wrap(func):
        def run(args):
            from .jsondata import StoreError

            try:
                return func(args)
            except (StoreError, ValueError) as e:  # WhereError is a ValueError
                return _error(cmd, e)

        run.__doc__ = func.__doc__
        return run

    return wrap


def _when(t):
    return "-" if t is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _default_columns(runs, flat):
    from .compare import swept_params

    metrics = [m for m in ("val_accuracy", "test_accuracy", "val_rmse", "test_rmse", "val_loss", "test_loss")
               if any(f.get(m) is not None for f in flat)][:2]
    if runs and all(r["sweep"] == runs[0]["sweep"] for r in runs) and runs[0]["sweep"]:
        return ["id", "status", *swept_params(runs), "seed", *metrics, "seconds", "worker"]
    return ["id", "kind", "status", "dataset", "hidden", "activation", "optimizer", "lr", "seed", "epochs_run",
            *metrics, "created"]


def _cell(key, value):
    from .records import format_value

    if key == "created":
        return _when(value)
    if key == "seconds" and isinstance(value, (int, float)):
        return f"{value:.1f}"
    return format_value(value)


@_guarded("ls")
def run_ls(args):
    from .records import columns_of, sort_rows, text_table

    store = _store(args)
    runs, flat = _select(store, args)
    if args.sort:
        if args.sort not in columns_of(flat):
            raise ValueError(f"--sort {args.sort}: no such column; columns: {', '.join(columns_of(flat))}")
        flat = sort_rows(flat, args.sort, reverse=args.reverse)
    else:
        flat = flat[::-1] if not args.reverse else flat  # newest first
    shown = flat[:args.limit] if args.limit else flat
    if args.json:
        print(json.dumps(shown, indent=1))
        return 0
    if not flat:
        print("no runs" + (" match" if args.where or args.status else f" in {store.path}"))
        return 0
    columns = args.columns.split(",") if args.columns else _default_columns(runs, flat)
    unknown = [c for c in columns if c not in columns_of(flat)]
    if args.columns and unknown:
        raise ValueError(f"--columns: no column {unknown[0]!r}; columns: {', '.join(columns_of(flat))}")
    columns = [c for c in columns if c in columns_of(flat)]
    print(text_table(columns, [[_cell(c, row.get(c)) for c in columns] for row in shown]))
    if len(shown) < len(flat):
        print(f"({len(flat) - len(shown)} more; --limit 0 shows all)")
    return 0


@_guarded("show")
def run_show(args):
    store = _store(args)
    if not args.id.isdigit():
        return _show_sweep(store, args)
    run = store.run(int(args.id))
    epochs = store.epochs(run["id"])
    if args.json:
        print(json.dumps({**run, "epochs": epochs}, indent=1))
        return 0
    from .records import format_params, format_value

    print(f"run {run['id']} ({run['kind']}{', sweep ' + run['sweep'] + ' ' + run['trial_key'] if run['sweep'] else ''}"
          f"): {run['status']}")
    if run["error"]:
        print(f"{S}error: {run['error']}")
    if run["params"]:
        print(f"{S}swept: {format_params(run['params'])}  seed={run['seed']}")
    secs = f", {run['seconds']:.1f} s" if run["seconds"] is not None else ""
    print(f"{S}started {_when(run['started'] or run['created'])}{secs}, {run['attempts']} attempt(s), host "
          f"{run['host']}{', worker ' + run['worker'] if run['worker'] else ''}")
    print(f"{S}folder: {run['dir'] or '-'}")
    print(f"{S}config: " + ", ".join(f"{k}={format_value(v)}" for k, v in (run["config"] or {}).items()
                                      if k != "out" and v is not None))
    summary = run["summary"] or {}
    for part in ("train", "val", "test"):
        if isinstance(summary.get(part), dict):
            print(f"{S}{part}: " + ", ".join(f"{k} {format_value(v)}" for k, v in summary[part].items()))
    if epochs:
        from .records import text_table

        keys = [k for k in epochs[-1] if k != "time"]
        rows = epochs if len(epochs) <= 12 else [*epochs[:5], None, *epochs[-5:]]
        body = [["..."] * len(keys) if e is None else [format_value(e.get(k)) for k in keys] for e in rows]
        print("\n" + "\n".join(S + line for line in text_table(keys, body).splitlines()))
    return 0


def _show_sweep(store, args):
    from ..sweeps.spec import SweepSpec

    sw = store.sweep(args.id)
    if args.json:
        print(json.dumps(sw, indent=1))
        return 0
    spec = SweepSpec.from_json(sw["spec"])
    counts = ", ".join(f"{n} {s}" for s, n in sorted(sw["counts"].items()))
    print(f"sweep {sw['id']}: {sw['status']}; {spec.describe()}")
    print(f"{S}started {_when(sw['created'])}" + (f", finished {_when(sw['finished'])}" if sw["finished"] else "")
          + f"; trials: {counts or 'none yet'}")
    print(f"{S}run folders: {sw['out']}/{sw['id']}/")
    runs = store.runs(sweep=sw["id"])
    if any(r["status"] == "finished" for r in runs):
        from .compare import compare_table

        print("\n" + "\n".join(S + x for x in compare_table(runs, spec.metric, list(spec.space)).text(10).split("\n")))
    print(f"\n{S}chainrule runs ls --sweep {sw['id']}   chainrule runs compare --sweep {sw['id']}")
    return 0


@_guarded("compare")
def run_compare(args):
    import os

    from .report import write_comparison

    store = _store(args)
    if not args.ids and not args.sweep:
        raise ValueError("give run ids (chainrule runs compare 3 7 12) or --sweep ID")
    runs, _ = _select(store, args)
    if not runs:
        raise ValueError("no runs match")
    metric = args.metric
    if args.sweep and metric is None:
        metric = store.sweep(args.sweep)["spec"]["metric"]
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(store.path)),
                                   f"compare-{args.sweep or time.strftime('%Y%m%d-%H%M%S')}")
    heat = args.heatmap.split(",") if args.heatmap else None
    table, files = write_comparison(store, runs, out, metric=metric, heatmap=heat, plots=not args.no_plots,
                                    title=args.sweep)
    if args.json:
        print(json.dumps(table.to_json(), indent=1))
        return 0
    print(table.text())
    print(f"\nwritten to {out}/: {', '.join(os.path.basename(p) for p in files.values())}")
    return 0


@_guarded("export")
def run_export(args):
    from .records import columns_of
    from .report import csv_text

    store = _store(args)
    runs, flat = _select(store, args)
    if args.csv:
        cols = columns_of(flat)
        text = csv_text(cols, [[row.get(c) for c in cols] for row in flat])
        target = args.csv
    else:
        text = "".join(json.dumps({**r, "epochs": store.epochs(r["id"])}) + "\n" for r in runs)
        target = args.jsonl
    if target == "-":
        sys.stdout.write(text)
    else:
        from ..train.history import atomic_write_text

        atomic_write_text(target, text)
        print(f"wrote {len(runs)} runs to {target}", file=sys.stderr)
    return 0


@_guarded("sweeps")
def run_sweeps(args):
    from .records import text_table

    store = _store(args)
    rows = []
    for sw in store.sweeps():
        c = sw["counts"]
        done = c.get("finished", 0) + c.get("failed", 0)
        total = sw["n_trials"] or sum(c.values())
        rows.append([sw["id"], sw["method"], sw["status"], f"{done}/{total}" + (f" ({c['failed']} failed)"
                     if c.get("failed") else ""), _when(sw["created"])])
    if not rows:
        print(f"no sweeps in {store.path}")
        return 0
    print(text_table(["id", "method", "status", "trials", "started"], rows))
    return 0

