"""Creating tensors: ``tensor``, ``zeros``, ``randn``, ... with PyTorch's dtype rules.

Python floats take the default dtype (float32), Python ints become int64, bools stay bool, and a NumPy
array keeps its dtype (a float64 array stays float64).
"""

from __future__ import annotations

import math
import numbers

from . import backend as B
from . import dtypes
from .device import as_device
from .rng import as_rng, device_rng, is_torch
from .tensor import Tensor, _to_array, _wrap
from .torch_mathfun import fma32, fma64

__all__ = [  # the public names (re-exported by chainrule)
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "full_like",
    "empty_like", "arange", "linspace", "eye", "randn", "rand", "randint", "randperm", "normal", "rand_like",
    "randn_like", "randint_like", "bernoulli", "multinomial",
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor",
]


def _dev(device):
    """The chainrule.device for a ``device=`` argument (None: the CPU, nothing to move)."""
    if device is None:
        return None
    d = as_device(device)
    return None if d.type == "cpu" else d


def _finish(arr, requires_grad, device=None):
    if device is not None:
        arr = B.on_device(arr, _dev(device))
    t = _wrap(arr, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``."""
    return _finish(_to_array(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data
    return _finish(_to_array(data, dtype), False, device)


def from_numpy(ndarray) -> Tensor:
    """A tensor that shares memory with the NumPy array (as torch.from_numpy)."""
    if not B.is_array(ndarray):
        raise TypeError(f"from_numpy expects a NumPy array, got {type(ndarray).__name__}")
    dtypes.from_np(ndarray.dtype)
    return _wrap(B.asarray(ndarray), None)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(s) for s in size)


def _dt(dtype, default=None):
    return dtypes.as_dtype(dtype).np if dtype is not None else (default or dtypes.get_default_dtype().np)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(B.zeros(_size(size), _dt(dtype), _dev(device)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(B.ones(_size(size), _dt(dtype), _dev(device)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(B.empty(_size(size), _dt(dtype), _dev(device)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = _to_array(fill_value).dtype
    return _finish(B.full(_size((size,)), fill_value, _dt(dtype), _dev(device)), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return ones(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return empty(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: the range from start={start} to end={end} goes the other way from step={step} (for a "
            f"decreasing range use a negative step, e.g. arange({start}, {end}, {-step}))"
        )
    is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    dt = _dt(dtype)
    if dt.kind in "iub" and not is_int:  # an integer range from float arguments: torch truncates them first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("arange: step must be nonzero (it truncates to 0 for an integer dtype)")
        is_int = True
    if is_int:
        return _finish(B.arange(start, end, step, dt), requires_grad, device)
    n = math.ceil((end - start) / step)  # torch's length rule, in double
    return _finish(_torch_range(start, step, n, dt), requires_grad, device)


def _torch_range(start, step, n, dt):
    """arange's values exactly as PyTorch's CPU kernel (RangeFactoriesKernel.cpp) computes them on an AVX2
    machine, so a float range matches torch bit for bit (arange(-8, 8, 0.1): element 150 is 7.0, not
    float32's accumulated 6.9999857, and the point near 0 is torch's 4.4e-16, so relu' there agrees).

    The kernel fills 32-byte vectors (8 float32 or 4 float64), two at a time, then the tail one by one:
    a vector starting at index b holds base + j·step (j = 0..W−1, fused multiply-adds in double, emulated
    exactly by ``fma64``) with
    base = fma(step, b, start) rounded to the output type; a tail element i is fma(step, i, start)."""
    xp = B.xp
    width = 32 // dt.itemsize if dt.kind == "f" and dt.itemsize >= 4 else 8
    idx = B.arange(0, n, 1, B.float64)
    vec_end = n // (2 * width) * (2 * width)
    b0 = xp.floor(idx / width) * width
    base = fma64(step, b0, start)
    if dt.kind == "f" and dt.itemsize < 8:
        base = base.astype(dt).astype(B.float64)
    values = xp.where(idx < vec_end, fma64(idx - b0, step, base), fma64(step, idx, start))
    return values.astype(dt)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from start to end, computed as torch's CPU kernel does (bit for bit):
    step = (end − start)/(steps − 1) in the output dtype, the first half start + i·step and the second half
    end − (steps − 1 − i)·step, each one fused multiply-add (NumPy's linspace rounds differently)."""
    dt = _dt(dtype)
    if dt.kind != "f" or steps < 2 or dt.itemsize < 4:
        return _finish(B.linspace(start, end, steps, dt), requires_grad, device)
    fma = fma32 if dt.itemsize == 4 else fma64
    start, end = dt.type(float(start)), dt.type(float(end))
    step = (end - start) / dt.type(steps - 1)
    i = B.arange(0, steps, 1, dt)
    first = fma(B.xp.full(steps, step, dt), i, B.xp.full(steps, start, dt))
    second = fma(B.xp.full(steps, -step, dt), dt.type(steps - 1) - i, B.xp.full(steps, end, dt))
    return _finish(B.xp.where(B.arange(0, steps, 1, B.int64) < steps // 2, first, second).astype(dt),
                   requires_grad, device)


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(B.eye(n, m if m is not None else n, _dt(dtype)), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of N(0, 1)."""
    dt, dev = _dt(dtype), _dev(device)
    arr = device_rng(generator, dev).standard_normal(_size(size), dtype=dt if dt.itemsize >= 4 else None)
    return _finish(arr.astype(dt, copy=False), requires_grad, dev)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of U[0, 1)."""
    dt, dev = _dt(dtype), _dev(device)
    arr = device_rng(generator, dev).random(_size(size), dtype=dt if dt.itemsize >= 4 else None)
    return _finish(arr.astype(dt, copy=False), requires_grad, dev)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() needs a size tuple: randint(high, size) or randint(low, high, size)")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not high > low:
        raise ValueError(f"randint: low ({low}) must be less than high ({high}): values are drawn from [low, high)")
    dev = _dev(device)
    arr = device_rng(generator, dev).integers(low, high, _size((size,)))
    return _finish(arr.astype(_dt(dtype, B.int64)), requires_grad, dev)


def randperm(n, generator=None, dtype=None, device=None) -> Tensor:
    dev = _dev(device)
    return _finish(device_rng(generator, dev).permutation(n).astype(_dt(dtype, B.int64)), False, dev)


def normal(mean, std=1.0, size=None, generator=None, dtype=None, *, device=None, requires_grad=False) -> Tensor:
    """Samples of N(mean, std²): numbers with a ``size``, or tensors of means/stds (one sample each)."""
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    rng = device_rng(generator, _dev(device if like is None else like.device))
    if like is not None:
        m, s = (x._array if isinstance(x, Tensor) else x for x in (mean, std))
        dt = like._array.dtype
        shape = B.xp.broadcast_shapes(B.xp.shape(m), B.xp.shape(s))
        if not is_torch(rng):
            return _finish(rng.normal(m, s, shape).astype(dt), requires_grad, device)
        # torch (normal_out_impl, native/DistributionTemplates.h): N(0, std) for a number std, else N(0, 1)
        # times std; then + mean, each step in the output dtype
        if isinstance(std, Tensor):
            return _finish((rng.normal_(shape, dt) * s + m).astype(dt, copy=False), requires_grad, device)
        return _finish((rng.normal_(shape, dt, 0.0, s) + m).astype(dt, copy=False), requires_grad, device)
    if size is None:
        raise TypeError("normal(mean, std, size): with numbers for mean and std, give a size, e.g. size=(3,)")
    shape, dt = _size((size,)), _dt(dtype)
    if is_torch(rng):  # torch's kernel depends on the dtype (normal_ on an empty tensor)
        return _finish(rng.normal_(shape, dt, mean, std), requires_grad, device)
    return _finish(rng.normal(mean, std, shape).astype(dt), requires_grad, device)


def rand_like(input, dtype=None, generator=None) -> Tensor:
    """U[0, 1) samples with input's shape (and dtype)."""
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=input.device)


def randn_like(input, dtype=None, generator=None) -> Tensor:
    """N(0, 1) samples with input's shape (and dtype)."""
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=input.device)


def randint_like(input, low=0, high=None, dtype=None, generator=None) -> Tensor:
    """Integers in [low, high) with input's shape (and dtype): ``randint_like(x, high)`` or ``(x, low, high)``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype, device=input.device)


def bernoulli(input, p=None, generator=None) -> Tensor:
    """1 with probability ``input`` (or ``p``) at each element, else 0: coin flips, a dropout mask."""
    probs = input._array if p is None else B.full(input.shape, p, B.float64, like=input._array)
    if probs.size and not ((probs >= 0) & (probs <= 1)).all():
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    rng = device_rng(generator, _dev(input.device))
    if is_torch(rng):  # torch: a uniform of p's precision per element; one number p: float64 uniforms
        keep = rng.bernoulli_(probs) if p is None else rng.bernoulli_scalar_(input.shape, p)
    else:
        keep = rng.random(probs.shape) < probs
    return _wrap(keep.astype(input._array.dtype), None)


def multinomial(input, num_samples, replacement=False, generator=None) -> Tensor:
    """Draw ``num_samples`` category indices per row with probabilities proportional to ``input``'s entries
    (weights need not sum to 1), as int64; without replacement each index appears at most once per row."""
    w = B.xp.asarray(input._array, dtype=B.float64)
    rows = w.reshape(1, -1) if w.ndim == 1 else w
    if w.ndim not in (1, 2) or (rows < 0).any() or not B.xp.isfinite(rows).all() or (rows.sum(1) <= 0).any():
        raise ValueError("multinomial: the input must be a 1-d or 2-d tensor of non-negative, finite weights "
                         "with a positive sum in every row")
    if not replacement and num_samples > rows.shape[1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"{rows.shape[1]} categories")
    rng = as_rng(generator)
    if is_torch(rng):  # torch draws in the weights' own dtype
        out = rng.multinomial(input._array.reshape(rows.shape), num_samples, replacement)
    else:
        out = B.xp.stack([rng.choice(len(r), num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return _wrap((out.reshape(num_samples) if w.ndim == 1 else out).astype(B.int64), None)


# -------------------------------------------------------------------------------- torch's legacy tensor types
class _LegacyTensorType(type):
    """torch's pre-0.4 tensor types, still in many course notebooks: ``FloatTensor([1, 2])`` is a float32
    tensor, ``LongTensor(3)`` an int64 vector of 3 (zeros; torch leaves it uninitialised), and
    ``isinstance(x, FloatTensor)`` checks x's dtype; ``x.type(FloatTensor)`` casts."""

    def __call__(cls, *data, requires_grad=False, device=None):
        if device is not None:
            as_device(device)
        return Tensor(*data, dtype=cls.dtype, requires_grad=requires_grad)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and not obj.is_cuda

    def __repr__(cls):
        return f"<class 'chainrule.{cls.__name__}'>"


def _legacy(name, dt):
    return _LegacyTensorType(name, (), {"dtype": dt, "__module__": "chainrule"})


FloatTensor, DoubleTensor, HalfTensor = _legacy("FloatTensor", dtypes.float32), _legacy(
    "DoubleTensor", dtypes.float64), _legacy("HalfTensor", dtypes.float16)
LongTensor, IntTensor = _legacy("LongTensor", dtypes.int64), _legacy("IntTensor", dtypes.int32)
BoolTensor, ByteTensor = _legacy("BoolTensor", dtypes.bool), _legacy("ByteTensor", dtypes.uint8)
LEGACY_TYPES = {t.dtype: t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, BoolTensor,
                                      ByteTensor)}
