"""The run store: every ``chainrule train`` run, sweep trial and (optionally) lab, in one SQLite file.

    from chainrule.runstore import open_store
    store = open_store()                       # $CHAINRULE_STORE, or runs/runs.db
    for run in store.runs(sweep="lr-act-..."):
        print(run["id"], run["params"], run["summary"]["test"]["accuracy"])

``chainrule runs ls | show | compare | export`` (``cli.py``) read it; ``records.py`` flattens a run into
one row of columns and filters/sorts rows; ``compare.py`` groups runs by their swept values and plots.
"""

from .jsondata import StoreError, plain
from .recorder import StoreRecorder, record_run
from .records import flatten, parse_where, sort_rows
from .store import RunStore, default_path, open_store

__all__ = ["RunStore", "StoreError", "open_store", "default_path", "record_run", "StoreRecorder", "flatten",
           "parse_where", "sort_rows", "plain"]
