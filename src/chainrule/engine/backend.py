"""Which array library holds the data: the device seam. The only module that names NumPy's array functions
directly, and the only one that knows CuPy.

Everything else reaches array functions through ``xp`` (``from .backend import xp``). NumPy functions
dispatch on the array type (``__array_ufunc__`` / ``__array_function__``), so the same ``xp.exp`` runs on
a CuPy array (on the GPU); what cannot dispatch on an argument -- creating arrays, moving them between
devices, random numbers, special functions -- lives here and takes a ``device`` or a ``like`` array.
CuPy is imported on first use of a CUDA device, never by ``import chainrule``.
"""

from __future__ import annotations

import math
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


PLAIN = frozenset((int, float, bool))  # operand types that need no look (the fast path's filter)
_ARRAY_PROTOCOLS = ("__array__", "__dlpack__", "__array_interface__", "__cuda_array_interface__")


def refuse_foreign(x, where: str) -> None:
    """Raise a TypeError naming the conversion if ``x`` is another library's array (a torch tensor, a JAX or
    TensorFlow array, ...) passed where a chainrule Tensor belongs; anything else passes (the caller decides).

    Called off the hot path only: for operands that are neither arrays of this backend nor Python numbers."""
    if isinstance(x, (np.ndarray, np.generic, *ARRAY_TYPES, list, tuple, str, bytes)) or x is None:
        return
    cls = type(x)
    if cls.__module__.split(".")[0] == "chainrule" or not any(hasattr(cls, p) for p in _ARRAY_PROTOCOLS):
        return  # chainrule's own stand-ins (the ONNX tracer's values) pass
    name = f"{cls.__module__.split('.')[0]}.{cls.__name__}"
    if cls.__module__.split(".")[0] == "torch":
        how = ("chainrule.from_numpy(t.detach().cpu().numpy()) (and back to torch: "
               "torch.from_numpy(x.detach().numpy()))")
    else:
        how = "chainrule.from_numpy(numpy.asarray(a)), or chainrule.tensor(a)"
    raise TypeError(f"{where}: expected a chainrule Tensor, got a {name}; convert it first: {how}")


def asarray(data, dtype=None):
    return np.asarray(data, dtype=dtype)


def array(data, dtype=None, copy=True):
    return np.array(data, dtype=dtype, copy=copy)


class CaptureError(RuntimeError):
    """Something in a captured region cannot be replayed, or changed since it was captured (engine/capture.py)."""


class _Capture(threading.local):
    graph = None  # the chainrule.Graph recording on this thread (engine/capture.py), or None


CAPTURE = _Capture()


def _made(a, fill):
    g = CAPTURE.graph
    return a if g is None or type(a) is not np.ndarray else g.created(a, fill)  # a capture refills it at replay


# ------------------------------------------------------------------------------------------------- devices
ARRAY_TYPES = (np.ndarray,)  # the array types an op may get (CuPy's joins when CUDA is first used)


class _Cuda:
    module = None  # CuPy (or a test double, see use_cuda_module) once looked for
    looked = False


CUDA = _Cuda()


def cuda_module():
    """CuPy, if it is installed and sees a GPU (looked for once); else None."""
    if not CUDA.looked:
        CUDA.looked = True
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() > 0:
                use_cuda_module(cupy)
        except Exception:  # noqa: BLE001 - no CuPy, no driver, no GPU: all mean "no CUDA"
            CUDA.module = None
    return CUDA.module


def use_cuda_module(module):
    """Make ``module`` chainrule's CUDA array module (None: none). The tests install a CPU double of CuPy to
    check device handling without a GPU."""
    global ARRAY_TYPES
    CUDA.module, CUDA.looked = module, True
    ARRAY_TYPES = (np.ndarray,) if module is None else (np.ndarray, module.ndarray)


def cuda_available() -> bool:
    return cuda_module() is not None


def _cuda(index=None):
    cp = cuda_module()
    if cp is None:
        raise RuntimeError("no CUDA GPU is available to chainrule (CUDA runs through CuPy: pip install "
                           "'chainrule[cuda]' on a machine with an NVIDIA GPU)")
    return cp


def on_host(a) -> bool:
    """Whether ``a`` lives in host memory (a NumPy array or scalar, a Python number): not a CUDA array."""
    return type(a) is np.ndarray or not hasattr(a, "__cuda_array_interface__")


def device_of(a):
    """('cpu', None) for a NumPy array, ('cuda', index) for a CUDA array."""
    if on_host(a):
        return "cpu", None
    dev = getattr(a, "device", None)
    return "cuda", getattr(dev, "id", 0)


def to_device(a, device_type, index=None):
    """``a`` on the device (the same array when it is there already)."""
    if device_type == "cpu":
        return a if on_host(a) else to_numpy(a)
    cp = _cuda()
    if not on_host(a) and getattr(a.device, "id", 0) == (index or 0):
        return a
    with cp.cuda.Device(index or 0):
        return cp.asarray(a)


def as_like(a, like):
    """A host array (an index, a divisor) on ``like``'s device: itself for a host ``like``."""
    return a if on_host(like) or not on_host(a) else to_device(a, "cuda", getattr(like.device, "id", 0))


def index_add(out, index, values):
    """out[index] += values, repeated indices accumulating (``np.add.at``; CuPy's ``scatter_add``)."""
    if on_host(out):
        np.add.at(out, index, values)
    else:
        _cupyx().scatter_add(out, index, values)


def _cupyx():
    """CuPy's extras module (scatter_add, scipy.special), from the CUDA module when it carries one (a test
    double does)."""
    cpx = getattr(_cuda(), "cupyx", None)
    if cpx is None:
        import cupyx.scipy.special  # noqa: PLC0415 - only with CUDA tensors (loads cupyx and cupyx.scipy)

        cpx = cupyx
    return cpx


def _module(device=None, like=None):
    """(array module, device context) for a device (a chainrule.device or None) or for a like-array."""
    if like is not None:
        if on_host(like):
            return np, None
        return _cuda(), like.device
    if device is None or device.type == "cpu":
        return np, None
    cp = _cuda()
    return cp, cp.cuda.Device(device.index or 0)


def _create(name, fill, shape, dtype, device=None, like=None, *args):
    if device is None and (like is None or on_host(like)):  # the common case: NumPy
        return _made(getattr(np, name)(shape, *args, dtype=dtype), fill)
    mod, ctx = _module(device, like)
    if ctx is None:
        return _made(getattr(mod, name)(shape, *args, dtype=dtype), fill)
    with ctx:
        return getattr(mod, name)(shape, *args, dtype=dtype)


def zeros(shape, dtype, device=None, like=None):
    return _create("zeros", 0, shape, dtype, device, like)


def ones(shape, dtype, device=None, like=None):
    return _create("ones", 1, shape, dtype, device, like)


def full(shape, value, dtype, device=None, like=None):
    return _create("full", value, shape, dtype, device, like, value)


def empty(shape, dtype, device=None, like=None):
    return _create("empty", None, shape, dtype, device, like)


def on_device(a, device):
    """A host array moved to ``device`` (a chainrule.device or None: stays on the host)."""
    return a if device is None or device.type == "cpu" else to_device(a, "cuda", device.index)


def arange(start, end, step, dtype, like=None):
    if like is None or on_host(like):
        return np.arange(start, end, step, dtype=dtype)
    with like.device:
        return _cuda().arange(start, end, step, dtype=dtype)


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


def to_numpy(a):
    """The data as a NumPy array on the host (a CuPy array would be copied back)."""
    get = getattr(a, "get", None)
    return get() if get is not None and not on_host(a) else np.asarray(a)


def erf(a):
    """erf elementwise: SciPy's (CuPy's on the GPU) when installed, else the C library's via math.erf."""
    if not on_host(a):
        return _cupyx().scipy.special.erf(a)
    if ERF.impl is None:
        try:  # SciPy is optional: imported on first use, never by `import chainrule`
            from scipy.special import erf as impl
        except ImportError:
            vec = np.frompyfunc(math.erf, 1, 1)
            impl = lambda x: np.asarray(vec(x), dtype=np.float64)  # noqa: E731
        ERF.impl = impl
    return ERF.impl(a)


class _Erf:
    impl = None


ERF = _Erf()


def strided_view(a, shape, strides, writeable=False):
    """A view of ``a`` with the given shape and byte strides (the windows of a convolution or a pooling;
    read-only unless asked, since overlapping windows share memory). ``as_strided`` does not dispatch on
    the array type: a capture's traced array stays traced, and CuPy has its own."""
    if not on_host(a):
        return _cuda().lib.stride_tricks.as_strided(a, shape=shape, strides=strides)
    view = np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides, writeable=writeable)
    return view if type(a) is np.ndarray else view.view(type(a))


def contiguous(a):
    """``a`` as a C-contiguous array (itself if it is one): ``ascontiguousarray`` for every array type."""
    if type(a) is np.ndarray:
        return np.ascontiguousarray(a)
    return a if a.flags.c_contiguous else a.copy()


def recorded(a):
    """A persistent host buffer (a workspace) as the capturing graph must see it (its operations recorded)."""
    g = CAPTURE.graph
    return a if g is None or type(a) is not np.ndarray else g.external(a)


def unrecorded(a):
    """A buffer made while capturing that must outlive the capture as a plain array (a workspace)."""
    return a.view(np.ndarray) if type(a) is not np.ndarray and isinstance(a, np.ndarray) and on_host(a) else a
