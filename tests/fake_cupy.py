"""A CPU double of CuPy, so that device handling is tested without a GPU.

Its arrays live "on the device": they compute like NumPy arrays among themselves, but -- as CuPy's -- refuse
to mix with host (NumPy) arrays in an operation and to turn into NumPy arrays implicitly; ``.get()`` copies
them back. ``install()`` makes it chainrule's CUDA module for a test; ``uninstall()`` restores the real one.
"""

from __future__ import annotations

import contextlib
import types

import numpy as np

from chainrule.engine import backend


class _Device:
    def __init__(self, id=0):  # noqa: A002 - CuPy's name
        self.id = id

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __eq__(self, other):
        return isinstance(other, _Device) and other.id == self.id


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, ndarray) else x


def _mixes_host(values):
    return any(type(v) is np.ndarray for v in values)


def _wrap(x, device):
    if isinstance(x, np.generic):  # CuPy returns 0-d device arrays where NumPy returns scalars
        x = np.asarray(x)
    if isinstance(x, np.ndarray) and not isinstance(x, ndarray):
        out = x.view(ndarray)
        out._device_id = device
        return out
    if isinstance(x, tuple):
        return tuple(_wrap(v, device) for v in x)
    return x


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        yield from _leaves(list(x.values()))
    else:
        yield x


def _plain_tree(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_plain_tree(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain_tree(v) for k, v in x.items()}
    return _plain(x)


class ndarray(np.ndarray):  # noqa: N801 - CuPy's name
    _device_id = 0

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "version": 3}

    @property
    def device(self):
        return _Device(self._device_id)

    def get(self):
        return self.view(np.ndarray).copy()

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a "
                        "NumPy array explicitly.")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _mixes_host(list(inputs) + list(kwargs.get("out", ()))):
            raise TypeError(f"Unsupported type {np.ndarray}")
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        result = getattr(ufunc, method)(*[_plain(x) for x in inputs], **kwargs)
        return _wrap(result, self._device_id)

    def __array_function__(self, func, types_, args, kwargs):
        if _mixes_host(list(_leaves(args)) + list(_leaves(kwargs))):
            raise TypeError(f"Unsupported type {np.ndarray}")
        return _wrap(func(*_plain_tree(args), **_plain_tree(kwargs)), self._device_id)

    def __getitem__(self, index):
        return _wrap(np.ndarray.__getitem__(self.view(np.ndarray), _plain_tree(index)), self._device_id)

    def __setitem__(self, index, value):
        if type(value) is np.ndarray:
            raise TypeError(f"Unsupported type {np.ndarray}")
        np.ndarray.__setitem__(self.view(np.ndarray), _plain_tree(index), _plain(value))

    def astype(self, dtype, copy=True, **kw):
        return _wrap(self.view(np.ndarray).astype(dtype, copy=copy), self._device_id)

    def copy(self, order="C"):
        return _wrap(self.view(np.ndarray).copy(order=order), self._device_id)

    def item(self, *args):
        return self.view(np.ndarray).item(*args)

    def tolist(self):
        return self.view(np.ndarray).tolist()


def _creator(name):
    def create(*args, **kwargs):
        return _wrap(getattr(np, name)(*args, **kwargs), _current.id)

    return create


_current = _Device(0)


def asarray(a, dtype=None):
    if isinstance(a, ndarray):
        return a if dtype is None else a.astype(dtype)
    return _wrap(np.array(a, dtype=dtype), _current.id)


class _Generator:
    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64):
        return _wrap(self._rng.random(size, dtype=dtype), 0)

    def standard_normal(self, size=None, dtype=np.float64):
        return _wrap(self._rng.standard_normal(size, dtype=dtype), 0)

    def integers(self, low, high=None, size=None):
        return _wrap(self._rng.integers(low, high, size), 0)

    def permutation(self, n):
        return _wrap(self._rng.permutation(n), 0)


def _scatter_add(out, index, values):
    if _mixes_host([out, values, *_leaves(index)]):
        raise TypeError(f"Unsupported type {np.ndarray}")
    np.add.at(_plain(out), _plain_tree(index), _plain(values))


def _erf(a):
    import math

    return _wrap(np.vectorize(math.erf, otypes=[a.dtype])(_plain(a)), a._device_id)


cupyx = types.SimpleNamespace(scatter_add=_scatter_add,
                              scipy=types.SimpleNamespace(special=types.SimpleNamespace(erf=_erf)))

module = types.SimpleNamespace(
    cupyx=cupyx,
    ndarray=ndarray, asarray=asarray, zeros=_creator("zeros"), ones=_creator("ones"), empty=_creator("empty"),
    full=_creator("full"), arange=_creator("arange"),
    cuda=types.SimpleNamespace(Device=_Device, runtime=types.SimpleNamespace(getDeviceCount=lambda: 1),
                               Stream=types.SimpleNamespace(null=types.SimpleNamespace(synchronize=lambda: None)),
                               Device_synchronize=None),
    random=types.SimpleNamespace(default_rng=_Generator),
    lib=types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
        as_strided=lambda a, shape, strides: _wrap(np.lib.stride_tricks.as_strided(_plain(a), shape, strides),
                                                  a._device_id))),
)


@contextlib.contextmanager
def installed():
    """chainrule sees this double as its CUDA module inside the block."""
    saved = (backend.CUDA.module, backend.CUDA.looked, backend.ARRAY_TYPES)
    backend.use_cuda_module(module)
    try:
        yield module
    finally:
        backend.CUDA.module, backend.CUDA.looked, backend.ARRAY_TYPES = saved
