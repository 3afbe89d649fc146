"""The run store's sweep methods (mixed into ``RunStore``): a sweep row, its planned trials, and the
bookkeeping that makes a sweep resumable and every trial's result count exactly once.

A sweep's trials are rows of ``runs`` keyed by ``(sweep_id, trial_key)`` (unique): planned as
``pending``, ``running`` while an attempt is out, then ``finished`` or ``failed``. A resumed sweep runs
what is not done; ``finish_run`` ignores a second result for a trial that is already done.
"""

from __future__ import annotations

import os
import socket
import time

from .jsondata import DONE, StoreError, dumps, loads

_SWEEP_COLUMNS = ("id", "name", "method", "spec", "spec_hash", "status", "n_trials", "out", "owner_host",
                  "owner_pid", "created", "finished")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class SweepTables:
    """Sweep rows and trial bookkeeping; needs ``_write``/``_read`` from ``RunStore``."""

    def create_sweep(self, sweep_id, *, name, method, spec, spec_hash, out, n_trials=None):
        """Insert a sweep owned by this process (``StoreError`` if the id is taken)."""
        with self._write() as w:
            if w.execute("SELECT 1 FROM sweeps WHERE id = ?", (sweep_id,)).fetchone():
                raise StoreError(f"a sweep {sweep_id!r} already exists in {self.path}; resume it with --resume "
                                 f"{sweep_id}, or give the new one another name")
            w.execute("INSERT INTO sweeps (id, name, method, spec, spec_hash, status, n_trials, out, owner_host, "
                      "owner_pid, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      (sweep_id, name, method, dumps(spec, "sweep spec"), spec_hash, "running", n_trials,
                       os.fspath(out), socket.gethostname(), os.getpid(), time.time()))

    def sweep(self, sweep_id):
        """One sweep as a dict (spec decoded) with its trial counts by status; ``StoreError`` if unknown."""
        rows = self._read(f"SELECT {', '.join(_SWEEP_COLUMNS)} FROM sweeps WHERE id = ?", (sweep_id,))
        if not rows:
            known = [r[0] for r in self._read("SELECT id FROM sweeps ORDER BY created DESC LIMIT 5")]
            hint = f"; the latest: {', '.join(known)}" if known else "; it has no sweeps yet"
            raise StoreError(f"no sweep {sweep_id!r} in {self.path}{hint}")
        return self._sweep_record(rows[0])

    def sweeps(self):
        """Every sweep, newest first, with its trial counts by status."""
        rows = self._read(f"SELECT {', '.join(_SWEEP_COLUMNS)} FROM sweeps ORDER BY created DESC")
        return [self._sweep_record(r) for r in rows]

    def _sweep_record(self, row):
        rec = dict(zip(_SWEEP_COLUMNS, row))
        rec["spec"] = loads(rec["spec"])
        counts = self._read("SELECT status, COUNT(*) FROM runs WHERE sweep_id = ? GROUP BY status", (rec["id"],))
        rec["counts"] = dict(counts)
        return rec

    def latest_sweep(self, spec_hash, unfinished=True):
        """The newest sweep with this spec hash (only unfinished ones by default), or None."""
        sql = "SELECT id FROM sweeps WHERE spec_hash = ?" + (" AND status != 'finished'" if unfinished else "")
        rows = self._read(sql + " ORDER BY created DESC LIMIT 1", (spec_hash,))
        return rows[0][0] if rows else None

    def claim_sweep(self, sweep_id):
        """Make this process the sweep's owner (to resume it). Refused while its owner still runs here."""
        with self._write() as w:
            row = w.execute("SELECT status, owner_host, owner_pid FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
            if row is None:
                raise StoreError(f"no sweep {sweep_id!r} in {self.path}")
            status, host, pid = row
            if (status == "running" and host == socket.gethostname() and pid and pid != os.getpid()
                    and _pid_alive(pid)):
                raise StoreError(f"sweep {sweep_id} is still running in process {pid} on this machine; stop it "
                                 f"first (two processes resuming one sweep would run its trials twice)")
            w.execute("UPDATE sweeps SET status = 'running', owner_host = ?, owner_pid = ?, finished = NULL "
                      "WHERE id = ?", (socket.gethostname(), os.getpid(), sweep_id))
            # attempts that were out when the last owner stopped: run them again
            w.execute("UPDATE runs SET status = 'pending' WHERE sweep_id = ? AND status IN ('running', "
                      "'interrupted')", (sweep_id,))

    def set_sweep_status(self, sweep_id, status, n_trials=None):
        with self._write() as w:
            w.execute("UPDATE sweeps SET status = ?, n_trials = COALESCE(?, n_trials), finished = ? WHERE id = ?",
                      (status, n_trials, time.time() if status == "finished" else None, sweep_id))
            if status == "interrupted":
                w.execute("UPDATE runs SET status = 'interrupted' WHERE sweep_id = ? AND status = 'running'",
                          (sweep_id,))

    def add_trials(self, sweep_id, trials):
        """Plan trials (dicts: key, point, seed, params, config, dir) as ``pending``; a key already there
        is kept as it is. Returns ``{trial_key: run_id}`` for all the sweep's trials."""
        now = time.time()
        with self._write() as w:
            for t in trials:
                w.execute("INSERT OR IGNORE INTO runs (kind, sweep_id, trial_key, point, seed, status, config, "
                          "params, dir, created) VALUES ('trial',?,?,?,?,'pending',?,?,?,?)",
                          (sweep_id, t["key"], t["point"], t["seed"], dumps(t["config"], "trial config"),
                           dumps(t["params"], "trial params"), t.get("dir"), now))
        return {key: run_id for run_id, key in
                self._read("SELECT id, trial_key FROM runs WHERE sweep_id = ?", (sweep_id,))}

    def trial_states(self, sweep_id):
        """``{trial_key: (run_id, status, attempts)}`` for a sweep."""
        rows = self._read("SELECT trial_key, id, status, attempts FROM runs WHERE sweep_id = ?", (sweep_id,))
        return {key: (run_id, status, attempts) for key, run_id, status, attempts in rows}

    def start_attempt(self, run_id):
        """Mark a trial ``running`` and count the attempt; returns the attempt number (1, 2, ...)."""
        with self._write() as w:
            row = w.execute("SELECT status, attempts FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.path}")
            if row[0] in DONE:
                raise StoreError(f"run {run_id} is already {row[0]}; it is not run again")
            w.execute("UPDATE runs SET status = 'running', attempts = attempts + 1, started = ? WHERE id = ?",
                      (time.time(), run_id))
            return row[1] + 1
