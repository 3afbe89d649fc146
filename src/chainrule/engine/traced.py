"""The arrays a capture records: ``_Traced`` (a view whose NumPy operations the capturing graph records),
the slot that hands them out while a thread captures, and the random stream that draws again at replay.
See engine/capture.py for what a capture is."""

from __future__ import annotations

import numpy as np

from . import backend as B
from .backend import CaptureError
from .tensor import Tensor

_SLOT = Tensor.__dict__["_array"]  # the slot descriptor holding every tensor's array


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, _Traced) else x


def _plain_tree(x):
    if isinstance(x, _Traced):
        return x.view(np.ndarray)
    if type(x) is tuple or type(x) is list:
        return type(x)(_plain_tree(v) for v in x)
    if type(x) is dict:
        return {k: _plain_tree(v) for k, v in x.items()}
    return x


def _root(a):
    while isinstance(a, np.ndarray) and a.base is not None and isinstance(a.base, np.ndarray):
        a = a.base
    return a


class _Traced(np.ndarray):
    """A view of an array whose NumPy operations the capturing graph records (see the module docstring).
    On a thread that is not capturing it computes as a plain array and records nothing."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        ins = [_plain(x) for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        g = B.CAPTURE.graph
        if g is None:
            return getattr(ufunc, method)(*ins, **kwargs)
        return g._ufunc(ufunc, method, ins, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        pargs, pkwargs = _plain_tree(args), _plain_tree(kwargs)
        g = B.CAPTURE.graph
        if g is None:
            return func(*pargs, **pkwargs)
        return g._function(func, pargs, pkwargs)

    def __setitem__(self, index, value):
        g = B.CAPTURE.graph
        target, index, value = self.view(np.ndarray), _plain_tree(index), _plain(value)
        if g is None:
            target[index] = value
        else:
            g._run(np.ndarray.__setitem__, (target, index, value), writes=target)

    def __getitem__(self, index):
        g = B.CAPTURE.graph
        src, index = self.view(np.ndarray), _plain_tree(index)
        out = src[index]
        if g is None:
            return out
        if isinstance(out, np.ndarray) and _root(out) is _root(src):
            return out.view(_Traced)  # a view of the same memory: nothing to replay
        return g._new(np.ndarray.__getitem__, (src, index), out)

    # methods that make new arrays without a ufunc: each is replayed as the same call
    def _method(name):  # noqa: N805 - a factory used in the class body
        def method(self, *args, **kwargs):
            src = self.view(np.ndarray)
            out = getattr(src, name)(*_plain_tree(args), **_plain_tree(kwargs))
            g = B.CAPTURE.graph
            if g is None or out is None and name != "fill" and name != "sort":
                return out
            if name in ("fill", "sort"):  # in place
                g._run(getattr(np.ndarray, name), (src, *_plain_tree(args)), _plain_tree(kwargs), writes=src)
                return None
            if isinstance(out, np.ndarray) and _root(out) is _root(src):
                return out.view(_Traced)
            return g._new(getattr(np.ndarray, name), (src, *_plain_tree(args)), out, _plain_tree(kwargs))

        method.__name__ = name
        return method

    # (sum, max, mean, any, clip, ... need no entry: ndarray implements them with ufuncs, recorded above)
    for _name in ("astype", "copy", "reshape", "ravel", "flatten", "argmax", "argmin", "argsort", "nonzero", "dot",
                  "round", "cumsum", "cumprod", "take", "repeat", "fill", "sort"):
        locals()[_name] = _method(_name)
    del _name, _method

    # Python values read from an array: guards
    def _value(self, convert):
        src = self.view(np.ndarray)
        value = convert(src)
        g = B.CAPTURE.graph
        if g is not None:
            g._guard(convert, src, value)
        return value

    def item(self, *args):
        return self._value(lambda a: a.item(*args))

    def tolist(self):
        return self._value(np.ndarray.tolist)

    def __float__(self):
        return self._value(float)

    def __int__(self):
        return self._value(int)

    def __index__(self):
        return self._value(lambda a: a.__index__())

    def __bool__(self):
        return self._value(bool)


class _TracingSlot:
    """Replaces ``Tensor._array`` while some thread captures: a capturing thread gets ``_Traced`` views, and
    a traced view assigned to a tensor is stored as the plain array it views (tensors never keep one)."""

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        a = _SLOT.__get__(obj, cls)
        if B.CAPTURE.graph is None or type(a) is not np.ndarray:
            if B.CAPTURE.graph is not None and not B.on_host(a):
                raise CaptureError("chainrule.graph records CPU tensors; a CUDA tensor's step is captured by "
                                   "chainrule.cuda.graph(chainrule.cuda.CUDAGraph()) (CUDA stream capture)")
            return a
        return a.view(_Traced)

    def __set__(self, obj, value):
        _SLOT.__set__(obj, value.view(np.ndarray) if isinstance(value, _Traced) else value)


_DRAWS_INTO = {"random", "standard_normal"}  # numpy.random.Generator methods with out=


class _RecordingRng:
    """The random stream while capturing: each draw is made now and again at every replay (the generator's
    state moves on, so dropout masks differ between replays as between eager steps)."""

    def __init__(self, graph, rng, again):
        self._graph, self.recorded, self._again = graph, rng, again  # again(): the stream at replay time

    def __getattr__(self, name):
        attr = getattr(self.recorded, name)
        if not callable(attr):
            return attr

        def draw(*args, **kwargs):
            self._graph._save_stream(self.recorded)
            out = attr(*args, **kwargs)
            if not isinstance(out, np.ndarray):
                raise CaptureError(f"a random draw that returns a Python value ({name}) cannot be captured")

            if name in _DRAWS_INTO and isinstance(self.recorded, np.random.Generator) and out.flags.c_contiguous:
                def again_into(o, a, k):  # NumPy draws these straight into the buffer: the same numbers, no copy
                    getattr(self._again(), name)(*a, out=o, **k)

                self._graph._own(out)
                self._graph._tape.append((again_into, (out, args, kwargs), {}))
                return out.view(_Traced)

            def again(*a, **k):
                return getattr(self._again(), name)(*a, **k)

            again.__name__ = f"random {name}"
            return self._graph._new(again, args, out, kwargs)

        return draw
