"""The run store: every ``chainrule train`` run, sweep trial and (optionally) lab, in one SQLite file.

    from chainrule.runstore import open_store
    store = open_store()                       # $CHAINRULE_STORE, or runs/runs.db
    for run in store.runs(sweep="lr-act-..."):
        print(run["id"], run["params"], run["summary"]["test"]["accuracy"])

``chainrule runs ls | show | compare | export`` (``cli.py``) read it; ``records.py`` flattens a run into
one row of columns and filters/sorts rows; ``compare.py`` groups runs by their swept values and plots.
"""

import importlib

_WHERE = {"RunStore": "store", "open_store": "store", "default_path": "store", "StoreError": "jsondata",
          "plain": "jsondata", "record_run": "recorder", "StoreRecorder": "recorder", "flatten": "records",
          "parse_where": "records", "sort_rows": "records"}
__all__ = list(_WHERE)


def __getattr__(name):  # imported on first use: `chainrule --help` stays instant
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
