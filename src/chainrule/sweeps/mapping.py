"""``map_trials``: a function over configs (and seeds) on any executor — the sweep's machinery for code
that has its own trials, such as the labs' multi-seed runs.

    # mylab.py — a module-level function of a plain dict, returning a plain dict
    def one_seed(config):
        cr.manual_seed(config["seed"])
        ...
        return {"final_loss": loss, "accuracy": acc}

    results = map_trials("mylab:one_seed", [{"act": "relu"}, {"act": "tanh"}], seeds=3,
                         executor=make_executor(scheduler="tcp://host:8786"))
    # 6 results, in order: relu seeds 0, 1, 2, then tanh seeds 0, 1, 2; each config gets "seed"

Configs and results travel as JSON (plain numbers, strings, lists, dicts). A worker that dies under a
trial: the trial runs again (``retries`` times). A trial that raises: ``TrialError`` (with the worker's
traceback) by default, or ``errors="return"`` puts ``{"error": ..., "traceback": ...}`` in its place.
"""

from __future__ import annotations

import json

from .executors import SerialExecutor, make_executor
from .worker import function_ref

__all__ = ["map_trials", "TrialError"]


class TrialError(RuntimeError):
    """A trial raised on its worker; ``config`` is the trial's config, ``remote_traceback`` the worker's."""

    def __init__(self, message, config=None, remote_traceback=None):
        super().__init__(message)
        self.config, self.remote_traceback = config, remote_traceback


def _expand(configs, seeds):
    configs = list(configs)
    for i, c in enumerate(configs):
        if not isinstance(c, dict):
            raise TypeError(f"configs[{i}]: expected a dict of plain values, got {type(c).__name__}")
    if seeds is None:
        return [dict(c) for c in configs]
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    for i, c in enumerate(configs):
        if "seed" in c:
            raise ValueError(f"configs[{i}] has a 'seed' and seeds= is given: map_trials sets each trial's seed")
    return [{**c, "seed": s} for c in configs for s in seed_list]


def map_trials(fn, configs, *, seeds=None, executor=None, workers=None, scheduler=None, dask_local=None,
               retries=2, errors="raise"):
    """``[fn(config) for config in configs × seeds]``, run by ``executor`` (default: this process, or the
    executor ``workers``/``scheduler``/``dask_local`` describe, as in ``make_executor``); results in order.

    ``fn``: a module-level function or its ``"module:function"`` path (other processes import it).
    """
    if errors not in ("raise", "return"):
        raise ValueError(f"errors={errors!r}: expected 'raise' or 'return'")
    trials = _expand(configs, seeds)
    in_process = executor is None and workers is None and scheduler is None and dask_local is None
    in_process = in_process or type(executor) is SerialExecutor
    if in_process and callable(fn):
        ref = fn  # in this process any callable will do
    else:
        remote = executor.remote if executor is not None else bool(scheduler or dask_local)
        ref = function_ref(fn, remote=remote)
    payloads = []
    for i, t in enumerate(trials):
        try:
            payloads.append(json.dumps(t, allow_nan=False))
        except (TypeError, ValueError) as e:
            raise TypeError(f"config {i} ({t!r}) is not JSON data: {e}") from None
    own = executor is None  # checked before connecting: a refused call leaves no cluster client behind
    if own:
        executor = SerialExecutor() if in_process else make_executor(workers, scheduler, dask_local)
    results, attempts, pending = [None] * len(trials), [0] * len(trials), list(range(len(trials)))[::-1]
    failed, inflight = {}, 0
    try:
        while pending or inflight:
            while pending and inflight < executor.slots:
                i = pending.pop()
                attempts[i] += 1
                executor.submit(i, ref, payloads[i], key=f"chainrule-map-{id(payloads)}-{i}-a{attempts[i]}")
                inflight += 1
            for i, kind, outcome in executor.wait():
                inflight -= 1
                if kind == "lost" and attempts[i] <= retries:
                    pending.append(i)
                elif kind == "lost":
                    failed[i] = {"error": f"its worker died on each of {attempts[i]} attempts: {outcome}"}
                elif outcome.get("ok"):
                    results[i] = outcome["result"]
                else:
                    failed[i] = {"error": outcome.get("error"), "traceback": outcome.get("traceback")}
    finally:
        if own:
            executor.close(kill=True)
    if failed and errors == "raise":  # raised once every trial is back: a shared executor stays clean
        i = min(failed)
        tb = failed[i].get("traceback")
        more = f"\n({len(failed) - 1} more trials failed)" if len(failed) > 1 else ""
        raise TrialError(f"trial {i} {trials[i]!r} failed: {failed[i]['error']}{more}"
                         + (f"\n\nworker traceback:\n{tb}" if tb else ""), config=trials[i], remote_traceback=tb)
    for i, f in failed.items():
        results[i] = f
    return results
