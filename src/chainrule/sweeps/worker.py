"""What runs on a worker — a local process or a Dask worker: ``call(fn_ref, payload)``.

A trial travels as plain text: the trial function's import path (``"chainrule.sweeps.trial:train_trial"``)
and its config as JSON. The worker imports the function, runs it on the decoded config and sends back
JSON: ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error": "...", "traceback": "..."}``, plus
where and when it ran. No pickled objects cross: a worker receives data, never code — it runs only
functions installed on it.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import sys
import time
import traceback

__all__ = ["call", "function_ref", "resolve_ref", "describe", "init_local_worker"]


def function_ref(fn, remote=False):
    """``"module:qualname"`` of a module-level function (or the string itself, checked).

    ``remote=True`` (Dask) also refuses functions of the ``__main__`` script: a worker elsewhere cannot
    import the script that started the sweep.
    """
    if isinstance(fn, str):
        ref = fn
    else:
        module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
        if module is None or "<" in qualname:
            raise TypeError(f"{qualname or fn!r}: trials run in other processes, which import the trial function "
                            f"by name; define it at the top level of a module (not a lambda or a nested function)")
        ref = f"{module}:{qualname}"
    module, _, qualname = ref.partition(":")
    if not module or not qualname:
        raise ValueError(f"trial function {ref!r}: expected 'module:function', e.g. 'chainrule.sweeps.trial:"
                         f"train_trial'")
    if remote and module in ("__main__", "__mp_main__"):
        raise TypeError(f"{qualname} is defined in the script being run ({module}); Dask workers cannot import it: "
                        f"move it into a module installed on the workers")
    return ref


def resolve_ref(ref):
    """The function named by ``"module:qualname"``."""
    module, _, qualname = ref.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{ref} is not a function")
    return obj


def _worker_address():
    if "distributed" not in sys.modules:
        return None
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # not inside a Dask task
        return None


def call(ref, payload):
    """Run the function ``ref`` (an import path; in this process also a function) on ``json.loads(payload)``;
    return the outcome as JSON text."""
    from ..runstore.jsondata import plain

    started, t0 = time.time(), time.perf_counter()
    try:
        result = (ref if callable(ref) else resolve_ref(ref))(json.loads(payload))
        out = {"ok": True, "result": plain(result if result is not None else {})}
        json.dumps(out, allow_nan=False)
    except Exception as e:  # a failing trial is a result to record, not a crash of the worker
        out = {"ok": False, "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc(limit=20)}
    out.update(host=socket.gethostname(), pid=os.getpid(), worker=_worker_address(), started=started,
               seconds=time.perf_counter() - t0)
    return json.dumps(out, allow_nan=False)


def describe():
    """This worker's chainrule and Python versions (the sweep checks they match its own)."""
    import chainrule

    return {"chainrule": chainrule.__version__, "python": "{}.{}".format(*sys.version_info[:2]),
            "host": socket.gethostname(), "pid": os.getpid()}


def init_local_worker():
    """Set-up of a local worker process: die with the sweep (no orphan keeps training after a crash), leave
    Ctrl-C to the sweep (which stops the workers itself), one BLAS thread (the pool is the parallelism)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
