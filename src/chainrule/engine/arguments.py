"""Argument handling shared by the namespace modules: dims checked against the rank (torch's IndexError),
NumPy's ``axis=``/``keepdims=`` spellings, shape varargs, numbers promoted to tensors, torch's ``out=``."""

from __future__ import annotations

import builtins

from .backend import xp
from .creation import tensor
from .tensor import Tensor, _arr


def _t(x, like=None):
    """A number on the left of an op becomes a tensor (of ``like``'s dtype when like is a tensor)."""
    if isinstance(x, Tensor):
        return x
    same = isinstance(like, Tensor) and (type(x) is int or (type(x) is float and like._array.dtype.kind == "f"))
    return tensor(x, dtype=like.dtype if same else None)

def _dim(d, ndim, op):
    """Check a dim against the rank (torch's IndexError), return it non-negative."""
    lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not isinstance(d, int) or isinstance(d, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(d).__name__}")
    if d < lo or d > hi:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
    return d % builtins.max(ndim, 1)


def _dims(dim, ndim, op):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {list(dim)} names the same dimension more than once")
        return dims
    return (_dim(dim, ndim, op),)


def _np_names(op, dim, keepdim, names):
    """torch also takes NumPy's spellings ``axis=`` and ``keepdims=`` (``counts.sum(1, keepdims=True)``)."""
    for k, v in names.items():
        if k not in ("axis", "keepdims") and not (k == "out" and v is None):  # np.sum(t) passes out=None
            raise TypeError(f"{op}() got an unexpected keyword argument {k!r}")
    return names.get("axis", dim), names.get("keepdims", keepdim)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _count(shape, axes):
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n

def _long(x, op):
    a = _arr(x)
    a = xp.asanyarray(a)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must be an integer (int64) tensor, got dtype {a.dtype}")
    return a

def _into(result, out, op):
    """torch's ``out=``: the result written into ``out`` (resized to it), which is returned. As in torch,
    not differentiable."""
    if out is None:
        return result
    if result.requires_grad:
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad; use out = {op}(...) instead")
    out._array = result._array.astype(out._array.dtype, copy=False)
    return out
