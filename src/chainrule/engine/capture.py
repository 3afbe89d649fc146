"""Captured steps: record a region's array operations once, replay them on the same memory (PyTorch's CUDA-graph
API, on every device).

    g = chainrule.Graph()
    with chainrule.graph(g):               # records one step; values are left as they were
        loss = loss_fn(model(static_x), static_y)
        loss.backward()
        optimizer.step()
    for x, y in batches:
        static_x.copy_(x); static_y.copy_(y)
        g.replay()                          # the step again: loss, gradients, parameters -- no graph bookkeeping

How, on the CPU. While a thread captures, every array a Tensor hands out is a ``_Traced`` view of it. NumPy
calls on traced arrays -- ufuncs and their reduce/accumulate/at methods, array functions, item assignment,
fancy indexing, ``astype``/``copy`` -- run as usual and are appended to the graph's tape together with the
buffer they wrote; replay calls the same functions on the same buffers (a ufunc writes into its buffer with
``out=``, so nothing is allocated and every number comes out bit for bit as in the eager step). Random draws
are drawn again at replay. A Python value read from an array (``x.item()``, ``if (x > 0).any():``) becomes a
guard: replay recomputes it and raises if it changed, because the recorded program took its branch.

What may not change between replays (as for CUDA graphs): shapes, dtypes, which tensors are used and their
memory (copy new data into the static inputs with ``copy_``; never rebind ``.data``), Python control flow,
and hyperparameters (a changed learning rate is detected and refused: capture again). Optimizer state must
exist before capture -- run one eager step first (torch's warm-up rule); a capture that would create it
raises. Values are restored when the capture ends, so capturing does not take a step.
"""

from __future__ import annotations

import copy
import threading

import numpy as np

from . import backend as B
from .tensor import Tensor
from .traced import _SLOT, CaptureError, _plain, _RecordingRng, _root, _Traced, _TracingSlot

_capturing_threads = 0
_swap_lock = threading.Lock()


class Graph:
    """A captured region: ``with chainrule.graph(g): ...`` records it, ``g.replay()`` runs it again.

    The same class is ``chainrule.cuda.CUDAGraph`` (on CUDA tensors the capture is the GPU stream's own)."""

    def __init__(self):
        self._tape = []  # (function, args, kwargs)
        self._buffers = set()  # ids of the roots of arrays this graph wrote or created (kept alive in _keep)
        self._keep = []
        self._saved = {}  # id(root) -> (root, copy before the capture's first write): restored at the end
        self._streams = {}  # id(rng) -> (rng, its state before the capture's first draw): restored at the end
        self._guards = []  # (check, what) run after the tape: hyperparameters and such
        self._captured = False
        self._replay = None

    # ------------------------------------------------------------------------------------- recording
    def _own(self, out):
        r = _root(out)
        if id(r) not in self._buffers:
            self._buffers.add(id(r))
            self._keep.append(r)

    def _before_write(self, target):
        r = _root(target)
        if id(r) not in self._buffers and id(r) not in self._saved:
            self._saved[id(r)] = (r, r.copy())

    def _run(self, fn, args, kwargs=None, writes=None):
        """Run an in-place call now and record it (its target is restored when the capture ends)."""
        if writes is not None:
            self._before_write(writes)
        fn(*args, **(kwargs or {}))
        self._tape.append((fn, args, kwargs or {}))

    def _new(self, fn, args, out, kwargs=None):
        """A call that returned a new array ``out``: replay writes the same call's result into ``out``."""
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        self._own(out)
        if fn is np.ndarray.astype:  # a conversion: replay converts straight into the buffer
            self._tape.append((np.copyto, (out, args[0]), {"casting": "unsafe"}))
        else:
            self._tape.append((_into, (out, fn, args, kwargs or {}), {}))
        return out.view(_Traced)

    def _ufunc(self, ufunc, method, ins, kwargs):
        call = getattr(ufunc, method)
        if method == "at":
            self._run(call, ins, kwargs, writes=ins[0])
            return None
        outs = kwargs.get("out")
        if outs:
            for o in outs:
                if o is not None:
                    self._before_write(o)
            result = call(*ins, **kwargs)
            self._tape.append((call, tuple(ins), dict(kwargs)))
        else:
            result = call(*ins, **kwargs)
            results = result if isinstance(result, tuple) else (result,)
            results = tuple(r if isinstance(r, np.ndarray) else np.asarray(r) for r in results)
            for r in results:
                self._own(r)
            self._tape.append((call, tuple(ins), dict(kwargs, out=results)))
            result = results if isinstance(result, tuple) else results[0]
        if isinstance(result, tuple):
            return tuple(r.view(_Traced) for r in result)
        return result.view(_Traced) if isinstance(result, np.ndarray) else result

    def _function(self, func, args, kwargs):
        inputs = [a for a in _leaves((args, kwargs)) if isinstance(a, np.ndarray)]
        roots = {id(_root(a)) for a in inputs}
        if getattr(func, "__name__", "") in _IN_PLACE_FUNCTIONS:
            self._run(func, args, kwargs, writes=args[0])
            return None
        if kwargs.get("out") is not None:  # writes into the caller's array
            out = kwargs["out"]
            self._run(func, args, kwargs, writes=out[0] if isinstance(out, tuple) else out)
            return out
        result = func(*args, **kwargs)
        fill = _CONSTANT_LIKE.get(getattr(func, "__name__", ""))
        if fill is not None:  # zeros_like & co: a buffer of the shape, refilled (not reallocated) at replay
            return self.created(result, kwargs.get("fill_value", args[1] if len(args) > 1 else None)
                                if fill == "full" else fill if fill != "empty" else None)
        if isinstance(result, (tuple, list)):
            if not any(isinstance(r, np.ndarray) for r in result):
                return result  # metadata (np.shape, ...)
            if all(isinstance(r, np.ndarray) and id(_root(r)) in roots for r in result):
                return type(result)(r.view(_Traced) for r in result)
            raise CaptureError(f"numpy.{func.__name__} returns several new arrays: it cannot be captured")
        if isinstance(result, np.generic):  # a NumPy scalar: a 0-d buffer
            return self._new(func, args, result, kwargs)
        if isinstance(result, (bool, int, float)):  # a Python value computed from the data: a guard
            self._guard(lambda _: func(*args, **kwargs), None, result)
            return result
        if not isinstance(result, np.ndarray):  # metadata: a dtype, a shape, ...
            return result
        if id(_root(result)) in roots:
            return result.view(_Traced)  # a view (broadcast_to, moveaxis, expand_dims, ...)
        return self._new(func, args, result, kwargs)

    def call(self, fn, arrays, args=()):
        """Run ``fn(*arrays, *args)`` now and record the call itself: replay calls the same function on the same
        arrays (an optimizer's update kernel: one tape entry instead of one per ufunc). ``arrays``: arrays or lists
        of arrays, all of which it may write (restored when the capture ends)."""
        arrays = tuple([_plain(a) for a in x] if type(x) is list else _plain(x) for x in arrays)
        for x in arrays:
            for a in x if type(x) is list else (x,):
                if isinstance(a, np.ndarray):
                    self._before_write(a)
        fn(*arrays, *args)
        self._tape.append((fn, arrays + tuple(args), {}))

    def _guard(self, convert, src, value):
        what = "a Python value read from a tensor (x.item(), float(x), if x.any(): ...)"
        self._tape.append((_check_value, (convert, src, value, what), {}))

    def created(self, array, fill):
        """backend's zeros/ones/full/empty while capturing: replay refills (fill None: leave as is)."""
        self._own(array)
        if fill is not None:
            self._tape.append((np.ndarray.fill, (array, fill), {}))
        return array.view(_Traced)

    def _save_stream(self, rng):
        """Remember a random stream's position before the capture's first draw from it (restored at the end:
        capturing draws nothing)."""
        if id(rng) not in self._streams:
            get = getattr(rng, "get_state", None)
            self._streams[id(rng)] = (rng, get() if get else copy.deepcopy(rng.bit_generator.state))

    def external(self, array):
        """A persistent buffer (not made by this capture) seen as traced: its operations are recorded, its
        first write is restored at the end."""
        return array.view(_Traced)

    def wrap_rng(self, rng, again):
        return _RecordingRng(self, rng, again)

    def guard(self, check, message):
        """Register ``check() -> bool``, run before every replay; False raises ``message``."""
        if not check():
            raise CaptureError(message)
        self._guards.append((check, message))

    # ------------------------------------------------------------------------------------ lifecycle
    def capture_begin(self):
        global _capturing_threads
        if self._captured:
            raise CaptureError("this Graph is already captured; make a new one (or call reset())")
        if B.CAPTURE.graph is not None:
            raise CaptureError("a capture is already running on this thread (captures do not nest)")
        with _swap_lock:
            if _capturing_threads == 0:
                Tensor._array = _TracingSlot()
            _capturing_threads += 1
        B.CAPTURE.graph = self

    def capture_end(self):
        global _capturing_threads
        if B.CAPTURE.graph is not self:
            raise CaptureError("capture_end() without capture_begin() on this thread")
        B.CAPTURE.graph = None
        with _swap_lock:
            _capturing_threads -= 1
            if _capturing_threads == 0:
                Tensor._array = _SLOT
        for root, before in self._saved.values():  # capturing takes no step (as torch's capture)
            np.copyto(root, before)
        for rng, state in self._streams.values():
            if hasattr(rng, "set_state"):
                rng.set_state(state)
            else:
                rng.bit_generator.state = state
        self._saved, self._streams = {}, {}
        self._captured = True
        self._replay = _compile(self._tape)

    def _abort(self):
        """The captured block raised: undo its writes and draws and forget it (the error propagates)."""
        self.capture_end()
        self.reset()

    _context = "chainrule.graph"  # the context manager that captures this kind of graph (for messages)

    def replay(self):
        """Run the captured region again on the same memory (after checking what may not have changed)."""
        if not self._captured:
            raise CaptureError(f"replay() before the graph was captured (use `with {self._context}(g):`)")
        for check, message in self._guards:
            if not check():
                raise CaptureError(message)
        self._launch()

    def _launch(self):
        self._replay()

    def reset(self):
        """Forget the captured program (and the buffers it kept alive)."""
        self.__init__()


class graph:
    """``with chainrule.graph(g): ...`` captures the block into ``g`` (torch.cuda.graph's name and shape)."""

    def __init__(self, cuda_graph, pool=None, stream=None, capture_error_mode=None):
        self.graph = cuda_graph

    def __enter__(self):
        self.graph.capture_begin()
        return self.graph

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.graph.capture_end()
        else:
            self.graph._abort()
        return False


def is_capturing() -> bool:
    """Whether this thread is inside ``with chainrule.graph(...)``."""
    return B.CAPTURE.graph is not None


def current():
    """The Graph capturing on this thread, or None."""
    return B.CAPTURE.graph


_CONSTANT_LIKE = {"zeros_like": 0, "ones_like": 1, "empty_like": "empty", "full_like": "full"}
_IN_PLACE_FUNCTIONS = {"copyto", "put_along_axis", "place", "putmask", "put", "fill_diagonal"}


def _leaves(x):
    if isinstance(x, (tuple, list)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    else:
        yield x


def _into(out, fn, args, kwargs):
    res = fn(*args, **kwargs)
    if getattr(res, "shape", ()) != out.shape:
        raise CaptureError(
            f"a captured operation ({getattr(fn, '__name__', fn)}) gave shape {np.shape(res)} at replay and "
            f"{out.shape} at capture: its shape depends on the data (nonzero, masking, unique), so the region "
            f"cannot be replayed"
        )
    np.copyto(out, res, casting="unsafe")


def _check_value(convert, src, value, what):
    now = convert(src)
    if now != value and not (now != now and value != value):  # NaN reads as NaN both times
        raise CaptureError(
            f"{what} changed since the capture ({value!r} then, {now!r} now): the captured program took the "
            f"branch of the first value, so it cannot be replayed; run this region eagerly or capture it again"
        )


def _compile(tape):
    """The tape as one Python function, one line per call with every argument bound to a name once
    (``f3(a3_0, a3_1, out=k3_out)``): replay's only overhead is the calls themselves."""
    names, lines = {}, []
    for i, (fn, args, kwargs) in enumerate(tape):
        names[f"f{i}"] = fn
        parts = []
        for j, a in enumerate(args):
            names[f"a{i}_{j}"] = a
            parts.append(f"a{i}_{j}")
        for k, v in kwargs.items():
            names[f"k{i}_{k}"] = v
            parts.append(f"{k}=k{i}_{k}")
        lines.append(f"    f{i}({', '.join(parts)})")
    src = "def replay():\n" + ("\n".join(lines) if lines else "    pass") + "\n"
    exec(compile(src, "<chainrule captured step>", "exec"), names)  # noqa: S102 - our own generated code
    return names["replay"]


