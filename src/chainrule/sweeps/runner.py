"""Running a sweep: plan its trials in the run store, hand them to an executor, record each result as it
comes back — exactly once — and survive what a long sweep meets.

* A worker that dies under a trial: the trial is sent again (``spec.retries`` more times), then recorded
  as failed with the reason.
* A trial that raises (or diverges): recorded as failed with its error; the sweep goes on.
* The sweep itself stopped (Ctrl-C, a crash, the machine): every result recorded so far is in the store;
  ``resume`` claims the sweep, skips what is done and re-runs only what was pending or in flight.

The sweep's own process is the only writer of its trials (a Dask worker never touches the store), and
the store refuses a second result for a finished trial.
"""

from __future__ import annotations

import json
import os
import time

from ..runstore.jsondata import DONE
from .executors import ExecutorError
from .search import make_search
from .spec import SpecError, SweepSpec
from .trial import TRIAL_FUNCTION

__all__ = ["run_sweep", "SweepInterrupted", "metric_value", "new_sweep_id"]


class SweepInterrupted(RuntimeError):
    """The sweep stopped before its end (Ctrl-C, a lost scheduler); the message says how to resume."""


def metric_value(summary, metric):
    """``val_accuracy`` of a run's summary (``summary["val"]["accuracy"]``); None if it has none."""
    part, _, name = metric.partition("_")
    value = ((summary or {}).get(part) or {}).get(name)
    return float(value) if isinstance(value, (int, float)) else None


def new_sweep_id(store, name):
    base = f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    taken = {s["id"] for s in store.sweeps()}
    sweep_id, i = base, 2
    while sweep_id in taken:
        sweep_id, i = f"{base}-{i}", i + 1
    return sweep_id


def _open_sweep(spec, store, resume):
    """(sweep id, spec, root of its run folders): a new sweep in the store, or the one to resume (its
    recorded spec must match; its folders stay where they were, whatever the working directory now)."""
    if not resume:
        sweep_id = new_sweep_id(store, spec.name)
        store.create_sweep(sweep_id, name=spec.name, method=spec.method, spec=spec.to_json(),
                           spec_hash=spec.hash(), out=os.path.abspath(spec.out),
                           n_trials=None if spec.method == "optuna" else spec.n_trials)
        return sweep_id, spec, os.path.join(os.path.abspath(spec.out), sweep_id)
    if resume is True:
        sweep_id = store.latest_sweep(spec.hash())
        if sweep_id is None:
            raise SpecError(f"--resume: no unfinished sweep of {spec.source} in {store.path}; run it without "
                            f"--resume to start one (chainrule runs sweeps lists them)")
    else:
        sweep_id = resume
    recorded = store.sweep(sweep_id)
    old = SweepSpec.from_json(recorded["spec"])
    if spec is not None and spec.hash() != old.hash():
        changed = [k for k, v in spec.to_json().items() if k not in ("retries", "out", "plots", "source", "name")
                   and old.to_json().get(k) != v]
        raise SpecError(f"--resume {sweep_id}: {spec.source} is not the spec this sweep started with (changed: "
                        f"{', '.join(changed) or 'the trials'}); start a new sweep, or resume without changes")
    if spec is not None:  # what may change on a resume: the retries
        old.retries = spec.retries
    store.claim_sweep(sweep_id)
    return sweep_id, old, os.path.join(recorded["out"], sweep_id)


def run_sweep(spec, store, executor, resume=False, stream=None):
    """Run (or with ``resume``: True for the latest unfinished sweep of this spec, or a sweep id) a sweep;
    returns its id. Raises ``SweepInterrupted`` on Ctrl-C or a lost cluster, after recording the state."""
    from .progress import Progress

    sweep_id, spec, root = _open_sweep(spec, store, resume)
    search = make_search(spec)
    recorded = {r["trial_key"]: r for r in store.runs(sweep=sweep_id)}
    done = {k: (r["point"], r["params"], metric_value(r["summary"], spec.metric))
            for k, r in recorded.items() if r["status"] in DONE}
    planned = [{"key": k, "point": r["point"], "seed": r["seed"], "params": r["params"]} for k, r in recorded.items()]
    search.restore(done, planned)
    ids = store.add_trials(sweep_id, [_plan(spec, t, root) for t in search.planned]) if search.planned else {}
    progress = Progress(spec, spec.n_trials, stream)
    print(f"sweep {sweep_id}: {spec.describe()}", file=progress.out)
    print(f"executor: {executor.description}; store: {store.path}; run folders: {root}/", file=progress.out)
    for point, params, value in done.values():
        progress.restore({"point": point, "params": params}, value)
    if done:
        print(f"resuming: {len(done)} trials already done, {spec.n_trials - len(done)} to run", file=progress.out)
    inflight = {}  # trial key -> (trial, run id, attempt)

    def submit(trial):
        if trial["key"] not in ids:  # an adaptive search's new point
            ids.update(store.add_trials(sweep_id, [_plan(spec, trial, root)]))
        run_id = ids[trial["key"]]
        attempt = store.start_attempt(run_id)
        inflight[trial["key"]] = (trial, run_id, attempt)
        config = spec.trial_config(trial["params"], trial["seed"], os.path.join(root, trial["key"]))
        payload = json.dumps({"config": config, "plots": spec.plots})
        executor.submit(trial["key"], TRIAL_FUNCTION, payload, key=f"chainrule-{sweep_id}-{trial['key']}-a{attempt}")

    try:
        while True:
            while len(inflight) < executor.slots:
                trial = search.next_trial()
                if trial is None:
                    break
                submit(trial)
            if not inflight:
                break
            for key, kind, outcome in executor.wait():
                trial, run_id, attempt = inflight.pop(key)
                if kind == "lost" and attempt <= spec.retries:
                    progress.note(f"    lost {key} (attempt {attempt}: {outcome}); retrying")
                    submit(trial)
                    continue
                _record(store, spec, progress, search, trial, run_id, kind, outcome, attempt)
    except BaseException as e:
        executor.close(kill=True)
        store.set_sweep_status(sweep_id, "interrupted")
        progress.finish()
        if not isinstance(e, (KeyboardInterrupt, ExecutorError)):
            raise  # a bug: its traceback matters more than the advice (the sweep can still be resumed)
        how = "interrupted" if isinstance(e, KeyboardInterrupt) else f"stopped ({e})"
        raise SweepInterrupted(f"sweep {sweep_id} {how}: {progress.done}/{spec.n_trials} trials recorded; "
                               f"resume with: chainrule sweep --resume {sweep_id}") from e
    store.set_sweep_status(sweep_id, "finished", n_trials=len(ids))
    progress.finish()
    return sweep_id


def _plan(spec, trial, root):
    config = spec.trial_config(trial["params"], trial["seed"], os.path.join(root, trial["key"]))
    return {**trial, "config": config, "dir": config["out"]}


def _record(store, spec, progress, search, trial, run_id, kind, outcome, attempt):
    """Store one trial's outcome (counted once), tell the search, print the line."""
    if kind == "lost":
        status, error, result = "failed", f"its worker died on each of {attempt} attempts (last: {outcome})", {}
    else:
        result = outcome.get("result") or {}
        error = outcome.get("error") if not outcome.get("ok") else result.get("error")
        status = "failed" if error else "finished"
    summary = result.get("summary")
    epochs = [(e["epoch"], {k: v for k, v in e.items() if k != "epoch"}) for e in result.get("epochs", [])]
    where = seconds = host = None
    if kind == "done" and outcome.get("host"):  # a Dask worker's address, or the local process
        host, seconds = outcome["host"], outcome.get("seconds")
        where = outcome.get("worker") or f"{host} pid {outcome.get('pid')}"
    store.finish_run(run_id, summary, status=status, error=error, seconds=seconds, epochs=epochs, host=host,
                     worker=where, dir=result.get("dir"))
    value = metric_value(summary, spec.metric) if status == "finished" else None
    search.report(trial, value)
    progress.trial(trial, status, value, seconds or 0.0, where, error)
