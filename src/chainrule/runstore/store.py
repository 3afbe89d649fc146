"""The run store: one SQLite file (WAL mode) holding every run, its config, per-epoch metrics, final
metrics, status, timings, host and artifact folder — and the sweeps that grouped them.

    store = RunStore("runs/runs.db")            # created on first use; the default path: default_path()
    run_id = store.start_run(config, kind="train", dir="runs/digits-...")
    store.log_epoch(run_id, 1, {"loss": 0.71, "val_accuracy": 0.91})
    store.finish_run(run_id, summary)           # or status="failed", error="..."
    store.runs(sweep="lr-x-act-...")            # records: plain dicts

Values are stored as JSON text (no pickle: a store file is data, never code). Many processes may write
at once: each write is one short ``BEGIN IMMEDIATE`` transaction, WAL lets readers run beside the
writer, and a writer that finds the file locked waits (``busy_timeout``) instead of failing. WAL needs
a local file system: keep the store off NFS/SMB (a Dask cluster's workers never write to it — the
sweep's own process records what they return).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time

from .jsondata import DONE, STATUSES, StoreError, dumps, loads
from .sweep_tables import SweepTables

__all__ = ["RunStore", "StoreError", "default_path", "open_store", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1
ENV = "CHAINRULE_STORE"
DEFAULT = os.path.join("runs", "runs.db")
OFF = ("off", "none", "")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    spec TEXT NOT NULL,              -- JSON: the whole sweep spec (base config, space, seeds, metric...)
    spec_hash TEXT NOT NULL,
    status TEXT NOT NULL,            -- running / finished / interrupted
    n_trials INTEGER,                -- planned trials (NULL while an adaptive search is still asking)
    out TEXT,                        -- root of the trials' run folders
    owner_host TEXT, owner_pid INTEGER,
    created REAL NOT NULL, finished REAL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,              -- train / trial / lab / ...
    sweep_id TEXT REFERENCES sweeps(id),
    trial_key TEXT,                  -- unique within a sweep: a result is recorded once
    point INTEGER, seed INTEGER,
    status TEXT NOT NULL,
    config TEXT NOT NULL,            -- JSON
    params TEXT NOT NULL DEFAULT '{}',   -- JSON: the values a sweep chose for this run
    summary TEXT,                    -- JSON: final metrics
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    host TEXT, worker TEXT, dir TEXT,
    created REAL NOT NULL, started REAL, finished REAL, seconds REAL,
    UNIQUE (sweep_id, trial_key)
);
CREATE INDEX IF NOT EXISTS runs_by_sweep ON runs (sweep_id, status);
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    metrics TEXT NOT NULL,           -- JSON: loss, metrics, val_*, lr, time
    PRIMARY KEY (run_id, epoch)
);
"""

_RUN_COLUMNS = ("id", "kind", "sweep_id", "trial_key", "point", "seed", "status", "config", "params", "summary",
                "error", "attempts", "host", "worker", "dir", "created", "started", "finished", "seconds")
_JSON_COLUMNS = ("config", "params", "summary")


def default_path():
    """``$CHAINRULE_STORE`` if set, else ``runs/runs.db``; None when the variable says ``off``."""
    path = os.environ.get(ENV)
    if path is None:
        return DEFAULT
    return None if path.strip().lower() in OFF else path


def open_store(path=None):
    """A ``RunStore`` at ``path`` (default: ``default_path()``); None if the store is switched off."""
    if path is None:
        path = default_path()
    elif str(path).strip().lower() in OFF:
        return None
    return None if path is None else RunStore(path)


class RunStore(SweepTables):
    """The SQLite run store at ``path`` (parent folders are created). The sweeps' methods come from
    ``SweepTables`` (``sweep_tables.py``)."""

    def __init__(self, path, timeout=60.0):
        self.path = os.fspath(path)
        self.timeout = float(timeout)
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        self._conn = None
        self._pid = None
        self._setup()

    # ------------------------------------------------------------------------------ connection
    def _connection(self):
        if self._conn is None or self._pid != os.getpid():  # a forked child opens its own
            conn = None
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                conn.execute("PRAGMA foreign_keys = ON")
                # WAL + NORMAL: a commit survives any crash of a process (a killed worker, a killed sweep);
                # only a power cut may lose the last ones. FULL would fsync every epoch (~7 ms vs 0.3 ms).
                conn.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as e:
                if conn is not None:
                    conn.close()
                if isinstance(e, sqlite3.OperationalError):
                    raise StoreError(f"cannot open the run store {self.path}: {e}") from None
                raise StoreError(f"{self.path} is not a chainrule run store (SQLite said: {e})") from None
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def close(self):
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"RunStore({self.path!r})"

    @contextlib.contextmanager
    def _write(self):
        """One write transaction. BEGIN IMMEDIATE takes the write lock up front (waiting up to ``timeout``
        for it), so two writers never deadlock upgrading a read lock to a write lock."""
        conn = self._connection()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    raise StoreError(f"run store {self.path}: {e} (waited {self.timeout:g} s)") from None
                time.sleep(0.05)
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql, args=()):
        try:
            return self._connection().execute(sql, args).fetchall()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"run store {self.path}: {e}") from None

    def _setup(self):
        conn = self._connection()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer chainrule (store schema {version}; this "
                                 f"one reads up to {SCHEMA_VERSION}): upgrade chainrule")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")  # persistent: set once per file
            if version < SCHEMA_VERSION:
                with self._write() as w:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            w.execute(statement)
                    w.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a chainrule run store (SQLite said: {e})") from None

    # ------------------------------------------------------------------------------------ runs
    def start_run(self, config, *, kind="train", dir=None, status="running", host=None, params=None, seed=None,
                  sweep_id=None, trial_key=None, point=None):
        """Insert a run and return its id. ``config``: the run's config (a dict of plain values)."""
        if status not in STATUSES:
            raise StoreError(f"status {status!r}: expected one of {', '.join(STATUSES)}")
        now = time.time()
        with self._write() as w:
            cur = w.execute(
                "INSERT INTO runs (kind, sweep_id, trial_key, point, seed, status, config, params, attempts, host, "
                "dir, created, started) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (kind, sweep_id, trial_key, point, seed, status, dumps(config, "config"),
                 dumps(params or {}, "params"), 1 if status == "running" else 0,
                 host or socket.gethostname(), None if dir is None else os.fspath(dir), now,
                 now if status == "running" else None))
            return cur.lastrowid

    def log_epoch(self, run_id, epoch, metrics):
        """Record (or replace) one epoch's metrics of a run."""
        with self._write() as w:
            w.execute("INSERT OR REPLACE INTO epochs (run_id, epoch, metrics) VALUES (?,?,?)",
                      (run_id, int(epoch), dumps(metrics, "epoch metrics")))

    def finish_run(self, run_id, summary=None, *, status="finished", error=None, seconds=None, epochs=None,
                   host=None, worker=None, dir=None, started=None):
        """Set a run's final state; ``epochs``: ``[(epoch, metrics), ...]`` recorded with it, atomically.

        Returns False (and changes nothing) if the run was already finished or failed: a result that
        arrives twice (a retried trial whose first attempt came back after all) is counted once.
        """
        if status not in STATUSES:
            raise StoreError(f"status {status!r}: expected one of {', '.join(STATUSES)}")
        with self._write() as w:
            row = w.execute("SELECT status, started FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.path}")
            if row[0] in DONE:
                return False
            self._finish(w, run_id, summary, status, error, seconds, epochs, host, worker, dir, started or row[1])
            return True

    def _finish(self, w, run_id, summary, status, error, seconds, epochs, host, worker, dir, started):
        now = time.time()
        w.execute("UPDATE runs SET status=?, summary=?, error=?, finished=?, seconds=?, started=?, "
                  "host=COALESCE(?, host), worker=COALESCE(?, worker), dir=COALESCE(?, dir) WHERE id=?",
                  (status, None if summary is None else dumps(summary, "summary"), error,
                   now if status in DONE else None,
                   seconds if seconds is not None else (now - started if started else None), started, host, worker,
                   None if dir is None else os.fspath(dir), run_id))
        for epoch, metrics in epochs or ():
            w.execute("INSERT OR REPLACE INTO epochs (run_id, epoch, metrics) VALUES (?,?,?)",
                      (run_id, int(epoch), dumps(metrics, "epoch metrics")))

    def set_status(self, run_id, status, error=None):
        """Change a run's status (e.g. to ``interrupted`` when its process is stopped)."""
        with self._write() as w:
            w.execute("UPDATE runs SET status=?, error=COALESCE(?, error) WHERE id=?", (status, error, run_id))

    def find_run(self, *, dir, host=None):
        """The id of the newest run recorded with artifact folder ``dir`` on ``host`` (None if none)."""
        rows = self._read("SELECT id FROM runs WHERE dir = ? AND host = ? ORDER BY id DESC LIMIT 1",
                          (os.fspath(dir), host or socket.gethostname()))
        return rows[0][0] if rows else None

    def run(self, run_id):
        """One run as a dict (config, params, summary decoded); ``StoreError`` if there is none."""
        rows = self._read(f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise StoreError(f"no run {run_id} in {self.path} (chainrule runs ls lists them)")
        return self._record(rows[0])

    def runs(self, sweep=None, status=None, kind=None, ids=None):
        """Runs as dicts, oldest first; filtered by sweep id, status, kind or a list of ids."""
        where, args = [], []
        for column, value in (("sweep_id", sweep), ("status", status), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if ids is not None:
            ids = [int(i) for i in ids]
            where.append(f"id IN ({', '.join('?' * len(ids))})" if ids else "0")
            args += ids
        sql = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [self._record(r) for r in self._read(sql + " ORDER BY id", args)]

    def epochs(self, run_id):
        """A run's per-epoch metrics: ``[{"epoch": 1, "loss": ..., ...}, ...]`` in epoch order."""
        rows = self._read("SELECT epoch, metrics FROM epochs WHERE run_id = ? ORDER BY epoch", (run_id,))
        return [{"epoch": e, **json.loads(m)} for e, m in rows]

    def count(self, table="runs"):
        if table not in ("runs", "epochs", "sweeps"):
            raise StoreError(f"no table {table!r}")
        return self._read(f"SELECT COUNT(*) FROM {table}")[0][0]

    @staticmethod
    def _record(row):
        rec = dict(zip(_RUN_COLUMNS, row))
        for key in _JSON_COLUMNS:
            rec[key] = loads(rec[key])
        rec["sweep"] = rec.pop("sweep_id")
        return rec
