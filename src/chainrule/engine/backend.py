"""Which array library holds the data. The only module that names NumPy's array functions directly.

Everything else reaches array functions through ``xp`` (``from .backend import xp``). NumPy functions
dispatch on the array type (``__array_ufunc__`` / ``__array_function__``), so the same ``xp.exp`` runs on
a CuPy array; what cannot dispatch on an argument -- creating arrays, random numbers -- lives here.
"""

from __future__ import annotations

import threading

import numpy as np

xp = np

ndarray = np.ndarray

# chainrule's dtypes are NumPy's; ``dtype`` objects print the torch way (see tensor.py).
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
uint32 = np.dtype(np.uint32)  # the words of torch's mt19937 (torch_random.py); not tensor dtypes
uint64 = np.dtype(np.uint64)
bool_ = np.dtype(np.bool_)

_SUPPORTED = {float16, float32, float64, int32, int64, uint8, bool_}


def is_array(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def asarray(data, dtype=None):
    return np.asarray(data, dtype=dtype)


def array(data, dtype=None, copy=True):
    return np.array(data, dtype=dtype, copy=copy)


class _Capture(threading.local):
    graph = None  # the chainrule.Graph recording on this thread (engine/capture.py), or None


CAPTURE = _Capture()


def _made(a, fill):
    g = CAPTURE.graph
    return a if g is None else g.created(a, fill)  # while capturing: a buffer the replay refills


def zeros(shape, dtype):
    return _made(np.zeros(shape, dtype=dtype), 0)


def ones(shape, dtype):
    return _made(np.ones(shape, dtype=dtype), 1)


def full(shape, value, dtype):
    return _made(np.full(shape, value, dtype=dtype), value)


def empty(shape, dtype):
    return _made(np.empty(shape, dtype=dtype), None)


def arange(start, end, step, dtype):
    return np.arange(start, end, step, dtype=dtype)


def linspace(start, end, steps, dtype):
    return np.linspace(start, end, steps, dtype=dtype)


def eye(n, m, dtype):
    return np.eye(n, m, dtype=dtype)


def result_type(*args):
    return np.result_type(*args)


def new_rng(seed=None):
    """A NumPy random generator (PCG64); chainrule.Generator wraps one."""
    return np.random.Generator(np.random.PCG64(seed))


def new_mt19937(key, pos):
    """NumPy's C mt19937 at a given state: 624 32-bit words and how many of them were used (torch's
    engine; engine/torch_random.py). ``random_raw(n)`` returns its next n words."""
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": np.asarray(key, dtype=np.uint32), "pos": int(pos)}}
    return bits


def is_rng(x) -> bool:
    return isinstance(x, np.random.Generator)


def is_read_only(a) -> bool:
    """A NumPy view that cannot be written (a broadcast); other array types are always writable."""
    return isinstance(a, np.ndarray) and not a.flags.writeable


def cuda_available() -> bool:
    return False


def to_numpy(a):
    """The data as a NumPy array on the host (a CuPy array would be copied back)."""
    get = getattr(a, "get", None)
    return get() if get is not None and not isinstance(a, np.ndarray) else np.asarray(a)
