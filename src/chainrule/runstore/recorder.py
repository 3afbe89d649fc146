"""Putting runs into the store: ``chainrule train``'s recorder, and ``record_run`` for anything else
(a lab, a notebook experiment).

    record_run({"lab": "dropout", "p": 0.5}, {"test": {"accuracy": 0.93}}, kind="lab")

A store that cannot be written never costs a training run: the run folder is the primary record, so a
store error is reported on standard error (once) and training goes on.
"""

from __future__ import annotations

import os
import sys

from ..train.callbacks import Callback
from .jsondata import StoreError
from .store import open_store

__all__ = ["StoreRecorder", "record_run", "recorded_train_run"]


def _warn(msg):
    print(f"chainrule: warning: {msg}", file=sys.stderr)


class StoreRecorder(Callback):
    """Records each epoch's logs of run ``run_id`` into ``store`` as training goes (``chainrule runs ls``
    shows a run in progress with its latest epoch)."""

    def __init__(self, store, run_id):
        self.store, self.run_id, self.failed = store, run_id, False

    def on_epoch_end(self, epoch, logs):
        if self.failed:
            return
        try:
            self.store.log_epoch(self.run_id, epoch, logs)
        except StoreError as e:
            self.failed = True
            _warn(f"{e}; this run's later epochs are not recorded in the store")


def record_run(config, summary=None, *, epochs=None, kind="lab", status="finished", dir=None, params=None,
               seconds=None, error=None, store=None):
    """Record one finished run; returns its id (None when the store is switched off).

    ``config``/``params``/``summary``: plain dicts (JSON); ``epochs``: ``[{"epoch": 1, "loss": ...}, ...]``;
    ``store``: a ``RunStore``, a path, or None for ``$CHAINRULE_STORE`` / ``runs/runs.db``.
    """
    from .store import RunStore

    store = store if isinstance(store, RunStore) else open_store(store)
    if store is None:
        return None
    run_id = store.start_run(config, kind=kind, dir=dir, params=params, seed=(config or {}).get("seed"))
    pairs = [(e["epoch"], {k: v for k, v in e.items() if k != "epoch"}) for e in epochs or ()]
    store.finish_run(run_id, summary, status=status, error=error, seconds=seconds, epochs=pairs)
    return run_id


def recorded_train_run(cfg, *, store=None, resume=False, stream=None):
    """``train_run(cfg)`` with the run recorded in the store (``store``: a path, "off", or None for the
    default). A resumed run (``resume=True``) continues its own record. Returns what ``train_run`` does."""
    from ..train.callbacks import DivergenceError
    from ..train.run import default_out, train_run

    cfg = dict(cfg)
    cfg["out"] = cfg["out"] or default_out(cfg)
    try:
        db = open_store(store)
        run_id = None
        if db is not None:
            run_id = db.find_run(dir=os.path.abspath(cfg["out"])) if resume else None
            if run_id is None:
                run_id = db.start_run(cfg, kind="train", dir=os.path.abspath(cfg["out"]), seed=cfg.get("seed"))
            else:
                db.set_status(run_id, "running")
    except StoreError as e:
        _warn(f"{e}; this run is not recorded in the store")
        db = None
    if db is None:
        return train_run(cfg, stream=stream, resume=resume)

    def close(status, summary=None, error=None):
        try:
            db.finish_run(run_id, summary, status=status, error=error,
                          seconds=(summary or {}).get("train_seconds"))
        except StoreError as e:
            _warn(f"{e}; run {run_id}'s final state is not recorded")

    try:
        summary, run_dir = train_run(cfg, stream=stream, resume=resume, callbacks=[StoreRecorder(db, run_id)])
    except DivergenceError as e:
        close("failed", error=f"DivergenceError: {e}")
        raise
    except KeyboardInterrupt:
        close("interrupted", error="interrupted (Ctrl-C); continue it with chainrule train --resume DIR")
        raise
    except Exception as e:
        close("failed", error=f"{type(e).__name__}: {e}")
        raise
    close("finished", summary)
    # on standard error, like the other notes: the run's own output ends with its folder, as before
    print(f"recorded as run {run_id} in {db.path} (chainrule runs show {run_id})", file=stream or sys.stderr)
    return summary, run_dir
