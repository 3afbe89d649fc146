"""Where trials run: in this process, in local worker processes, or on a Dask cluster.

    make_executor()                           # local processes, one per CPU
    make_executor(workers=4)                  # four local processes
    make_executor(workers=0)                  # in this process, one after another
    make_executor(scheduler="tcp://host:8786")   # an existing Dask cluster
    make_executor(dask_local=2)               # a Dask LocalCluster of two worker processes

Every executor has the same small interface: ``submit(tag, ref, payload, key)`` sends one trial (a
function's import path and a JSON config); ``wait()`` blocks until at least one is back and returns
``[(tag, "done", outcome_dict)]`` or ``[(tag, "lost", why)]`` — "lost" meaning the worker died under it
(the caller decides whether to retry); ``slots`` is how many trials keep all workers busy.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
from collections import deque

from .worker import call, describe, init_local_worker

__all__ = ["make_executor", "SerialExecutor", "ProcessExecutor", "DaskExecutor", "ExecutorError"]


class ExecutorError(RuntimeError):
    """The executor cannot run trials (no scheduler at that address, no workers, a version mismatch...)."""


class SerialExecutor:
    """Trials in this process, one at a time (``workers=0``): for debugging, and for labs by default."""

    remote = False
    slots = 1

    def __init__(self):
        self._queue = deque()
        self.description = "this process"

    def submit(self, tag, ref, payload, key=None):
        self._queue.append((tag, ref, payload))

    def wait(self):
        tag, ref, payload = self._queue.popleft()
        return [(tag, "done", json.loads(call(ref, payload)))]

    def close(self, kill=False):
        self._queue.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(kill=exc[0] is not None)


class ProcessExecutor(SerialExecutor):
    """``workers`` local processes (started fresh with ``spawn``: no state copied from this one).

    A worker process that dies (killed, out of memory, a crash in native code) breaks the pool: every
    trial in flight then comes back "lost" and the pool is started again for the next ones.
    """

    def __init__(self, workers=None):
        self.slots = max(1, int(workers or os.cpu_count() or 1))
        self.description = f"{self.slots} local process{'es' * (self.slots != 1)}"
        self._pool = None
        self._futures = {}

    def _ensure_pool(self):
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(self.slots, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=init_local_worker)
        return self._pool

    def submit(self, tag, ref, payload, key=None):
        self._futures[self._ensure_pool().submit(call, ref, payload)] = tag

    def wait(self):
        done, _ = cf.wait(list(self._futures), return_when=cf.FIRST_COMPLETED)
        out, broken = [], False
        for fut in done:
            tag = self._futures.pop(fut)
            try:
                out.append((tag, "done", json.loads(fut.result())))
            except cf.process.BrokenProcessPool as e:
                broken = True
                out.append((tag, "lost", f"a local worker process died ({e})"))
        if broken:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return out

    def close(self, kill=False):
        pool, self._pool = self._pool, None
        self._futures.clear()
        if pool is None:
            return
        if kill:  # stop trials in flight now (ProcessPoolExecutor has no public way before Python 3.14)
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(SerialExecutor):
    """Trials as tasks on a Dask cluster: the scheduler at ``scheduler`` (``tcp://HOST:PORT``), or a
    ``LocalCluster`` of ``local_workers`` processes started here (loopback only).

    A worker that dies mid-trial is Dask's to handle: the scheduler gives the task to another worker (up
    to its ``distributed.scheduler.allowed-failures``, default 3); past that the trial comes back "lost".
    """

    remote = True

    def __init__(self, scheduler=None, local_workers=None, timeout=30.0):
        try:
            import distributed
        except ImportError:
            raise ExecutorError("Dask executors need dask.distributed: pip install 'chainrule[sweep]' (or: pip "
                                "install 'dask[distributed]')") from None
        self._cluster, self._futures = None, {}
        if local_workers:
            self._cluster = distributed.LocalCluster(n_workers=int(local_workers), threads_per_worker=1,
                                                     processes=True, host="127.0.0.1", dashboard_address=None)
            where = f"a local Dask cluster ({int(local_workers)} workers) at {self._cluster.scheduler_address}"
            self.client = distributed.Client(self._cluster)
        else:
            try:
                self.client = distributed.Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as e:
                raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler} ({e}); start one with: dask "
                                    f"scheduler, and workers with: dask worker {scheduler}") from None
            where = f"the Dask scheduler at {scheduler}"
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            self.close()
            raise ExecutorError(f"no worker joined {where} within {timeout:g} s; start some with: dask worker "
                                f"{self.client.scheduler.address}") from None
        self._check_versions()
        self.description = where
        self._ac = distributed.as_completed()
        self._tags, self._futures = {}, {}
        self._killed = distributed.scheduler.KilledWorker

    def _check_versions(self):
        here = describe()
        try:
            there = self.client.run(describe)
        except Exception as e:  # a worker without chainrule fails to import the function
            self.close()
            raise ExecutorError(f"the Dask workers cannot run chainrule ({type(e).__name__}: {e}); install "
                                f"chainrule {here['chainrule']} on every worker") from None
        bad = {addr: d for addr, d in there.items() if d["chainrule"] != here["chainrule"]}
        if bad:
            self.close()
            addr, d = next(iter(bad.items()))
            raise ExecutorError(f"worker {addr} runs chainrule {d['chainrule']}, this process {here['chainrule']}: "
                                f"install the same version everywhere")

    @property
    def slots(self):
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def submit(self, tag, ref, payload, key=None):
        fut = self.client.submit(call, ref, payload, key=key, pure=False)
        self._tags[fut.key], self._futures[fut.key] = tag, fut
        self._ac.add(fut)

    def wait(self):
        out = []
        for fut in [next(self._ac), *self._ac.next_batch(block=False)]:
            tag = self._tags.pop(fut.key)
            self._futures.pop(fut.key, None)
            if fut.status == "finished":
                out.append((tag, "done", json.loads(fut.result())))
            elif fut.status == "error" and not isinstance(fut.exception(), self._killed):
                exc = fut.exception()
                out.append((tag, "done", {"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
            else:
                if self.client.status not in ("running", "connecting"):
                    raise ExecutorError(f"lost the Dask scheduler ({self.description}); the sweep can be resumed")
                why = fut.exception() if fut.status == "error" else "the task was cancelled"
                out.append((tag, "lost", f"{type(why).__name__}: {why}" if fut.status == "error" else why))
            fut.release()
        return out

    def close(self, kill=False):
        client = getattr(self, "client", None)
        if client is not None:
            if kill and getattr(self, "_futures", None):
                client.cancel(list(self._futures.values()), force=True)
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(workers=None, scheduler=None, dask_local=None):
    """The executor for these options (at most one of ``scheduler`` and ``dask_local``; ``workers`` is
    for local processes: None = one per CPU, 0 = this process)."""
    if scheduler and dask_local:
        raise ExecutorError("give --scheduler (an existing Dask cluster) or --dask-local N (start one), not both")
    if (scheduler or dask_local) and workers is not None:
        raise ExecutorError("--workers sets the local processes; with Dask the cluster's workers run the trials")
    if scheduler:
        if "://" not in scheduler:
            scheduler = f"tcp://{scheduler}"
        return DaskExecutor(scheduler=scheduler)
    if dask_local is not None:
        if int(dask_local) < 1:
            raise ExecutorError(f"--dask-local: expected a number of workers >= 1, got {dask_local}")
        return DaskExecutor(local_workers=dask_local)
    if workers is not None and int(workers) < 0:
        raise ExecutorError(f"--workers: expected 0 (this process) or more, got {workers}")
    return SerialExecutor() if workers == 0 else ProcessExecutor(workers)
