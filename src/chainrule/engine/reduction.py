"""torch's reductions: sum, mean, var/std (Bessel-corrected by default), max/min (values and indices),
argmax, logsumexp, norms, softmax / log_softmax, all/any, cumulative sums and products."""

from __future__ import annotations

from typing import Any

from . import backend as B
from . import ops as P
from .arguments import _count, _dim, _dims, _np_names
from .autograd import labelled
from .backend import xp
from .elementwise import abs, exp, log, maximum, minimum, pow, sqrt
from .return_types import return_type
from .shape import squeeze
from .tensor import Tensor, _wrap

__all__ = [  # the public names (re-exported by chainrule)
    "sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "norm", "softmax",
    "log_softmax", "all", "any", "cumsum", "prod",
]

max_result = return_type("max", ["values", "indices"])
min_result = return_type("min", ["values", "indices"])


def sum(input, dim=None, keepdim=False, dtype=None, **np_names) -> Tensor:
    """Σx over dim (all elements when dim is None)."""
    if np_names:
        dim, keepdim = _np_names("sum", dim, keepdim, np_names)
    if dtype is not None:
        input = input.to(dtype)
    out = P.Sum.apply(input, dim=_dims(dim, input._array.ndim, "sum"), keepdim=keepdim)
    return out if dim is None else labelled(out, "SumBackward1")


def mean(input, dim=None, keepdim=False, dtype=None, **np_names) -> Tensor:
    """Σx / n, a composite of sum and a division (torch divides too: a multiply by 1/n rounds differently)."""
    if np_names:
        dim, keepdim = _np_names("mean", dim, keepdim, np_names)
    if dtype is not None:
        input = input.to(dtype)
    if input._array.dtype.kind != "f":
        raise RuntimeError(f"mean(): expected a floating point input, got {input.dtype}; use .float()")
    axes = _dims(dim, input._array.ndim, "mean")
    n = _count(input._array.shape, axes)
    out = P.Div.apply(P.Sum.apply(input, dim=axes, keepdim=keepdim), float(n) if n else float("nan"))
    return labelled(out, "MeanBackward0" if dim is None else "MeanBackward1", (input,))


def var(input, dim=None, *, correction=1, keepdim=False, unbiased=None, **np_names) -> Tensor:
    """Σ(x − x̄)² / (n − correction); correction=1 is Bessel's (unbiased) estimate, as torch's default."""
    if np_names:
        dim, keepdim = _np_names("var", dim, keepdim, np_names)
    if unbiased is not None:
        correction = 1 if unbiased else 0
    axes = _dims(dim, input._array.ndim, "var")
    n = _count(input._array.shape, axes)
    d = input - mean(input, axes, keepdim=True)
    scale = 1.0 / (n - correction) if n > correction else float("nan")
    return labelled(P.Mul.apply(P.Sum.apply(d * d, dim=axes, keepdim=keepdim), scale), "VarBackward0", (input,))


def std(input, dim=None, *, correction=1, keepdim=False, unbiased=None, **np_names) -> Tensor:
    """√var: the standard deviation (Bessel-corrected by default, as torch)."""
    if np_names:
        dim, keepdim = _np_names("std", dim, keepdim, np_names)
    return labelled(sqrt(var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)),
                    "StdBackward0", (input,))

def _max_min(input, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
        return maximum(input, dim) if largest else minimum(input, dim)
    if dim is None:
        if input._array.size == 0:
            raise RuntimeError(f"{'max' if largest else 'min'}(): cannot reduce an empty tensor")
        return P.Amax.apply(input, dim=None, keepdim=False, largest=largest)
    d = _dim(dim, input._array.ndim, "max" if largest else "min")
    a = input._array
    if a.ndim == 0:
        idx = B.zeros((), xp.int64, like=a)
    else:
        idx = a.argmax(axis=d, keepdims=keepdim) if largest else a.argmin(axis=d, keepdims=keepdim)
    values = P.MaxDim.apply(input, dim=d, keepdim=keepdim, largest=largest)
    return (max_result if largest else min_result)(values, _wrap(idx.astype(xp.int64), None))


def max(input, dim=None, keepdim=False, **np_names) -> Any:
    """No dim: the largest element (ties share the gradient). With dim: (values, indices) like torch."""
    if np_names:
        dim, keepdim = _np_names("max", dim, keepdim, np_names)
    return _max_min(input, dim, keepdim, True)


def min(input, dim=None, keepdim=False, **np_names) -> Any:
    """No dim: the smallest element. With dim: (values, indices) like torch."""
    if np_names:
        dim, keepdim = _np_names("min", dim, keepdim, np_names)
    return _max_min(input, dim, keepdim, False)


def amax(input, dim=(), keepdim=False) -> Tensor:
    """The largest entries over ``dim`` (every dim when empty); ties share the gradient evenly
    (``max(dim)`` instead sends it to the one index it returns)."""
    dims = None if dim == () or dim is None else _dims(dim, input._array.ndim, "amax")
    return P.Amax.apply(input, dim=dims, keepdim=keepdim, largest=True)


def amin(input, dim=(), keepdim=False) -> Tensor:
    """The smallest entries over ``dim`` (every dim when empty); ties share the gradient evenly."""
    dims = None if dim == () or dim is None else _dims(dim, input._array.ndim, "amin")
    return P.Amax.apply(input, dim=dims, keepdim=keepdim, largest=False)


def argmax(input, dim=None, keepdim=False, **np_names) -> Tensor:
    """Index of the largest element (of the flattened tensor when dim is None); the first one at ties."""
    if np_names:
        dim, keepdim = _np_names("argmax", dim, keepdim, np_names)
    a = input._array
    if dim is None:
        return _wrap(xp.asanyarray(a.argmax(), dtype=xp.int64), None)
    return _wrap(a.argmax(axis=_dim(dim, a.ndim, "argmax"), keepdims=keepdim).astype(xp.int64), None)


def argmin(input, dim=None, keepdim=False, **np_names) -> Tensor:
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    if np_names:
        dim, keepdim = _np_names("argmin", dim, keepdim, np_names)
    a = input._array
    if dim is None:
        return _wrap(xp.asanyarray(a.argmin(), dtype=xp.int64), None)
    return _wrap(a.argmin(axis=_dim(dim, a.ndim, "argmin"), keepdims=keepdim).astype(xp.int64), None)

def logsumexp(input, dim, keepdim=False) -> Tensor:
    """log Σ exp(x), stable: m + log Σ exp(x − m)."""
    m = input._array.max(axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = log(sum(exp(input - m), dim, keepdim=True)) + m
    return out if keepdim else squeeze(out, dim)


def norm(input, p=2, dim=None, keepdim=False) -> Tensor:
    """‖x‖_p = (Σ|xᵢ|ᵖ)^(1/p) over ``dim`` (everything when None): p = 2 (or 'fro') Euclidean, 1 Σ|xᵢ|, inf max|xᵢ|."""
    if p == 2 or p == "fro":
        return sqrt(sum(input * input, dim, keepdim))
    if p == 1:
        return sum(abs(input), dim, keepdim)
    if p == float("inf"):
        return amax(abs(input), dim if dim is not None else (), keepdim)
    return pow(sum(pow(abs(input), p), dim, keepdim), 1.0 / p)


def softmax(input, dim, dtype=None) -> Tensor:
    """exp(log_softmax(x)): stable because log_softmax is."""
    return labelled(exp(log_softmax(input, dim, dtype)), "SoftmaxBackward0", (input,))


def log_softmax(input, dim, dtype=None) -> Tensor:
    """log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along dim (fused and stable); ∂L/∂x = g − softmax(x)·Σg."""
    if dtype is not None:
        input = input.to(dtype)
    return P.LogSoftmax.apply(input, dim=_dim(dim, input._array.ndim, "log_softmax"))

def all(input, dim=None, keepdim=False) -> Tensor:
    """True where every element (along dim) is nonzero; a bool tensor."""
    axes = _dims(dim, input._array.ndim, "all")
    return _wrap(xp.asanyarray(xp.all(input._array, axis=axes, keepdims=keepdim)), None)


def any(input, dim=None, keepdim=False) -> Tensor:
    """True where some element (along dim) is nonzero; a bool tensor."""
    axes = _dims(dim, input._array.ndim, "any")
    return _wrap(xp.asanyarray(xp.any(input._array, axis=axes, keepdims=keepdim)), None)

def cumsum(input, dim, dtype=None) -> Tensor:
    """yᵢ = Σ_{j ≤ i} xⱼ along dim."""
    if dtype is not None:
        input = input.to(dtype)
    if input._array.ndim == 0:
        return input.clone()
    return P.CumSum.apply(input, dim=_dim(dim, input._array.ndim, "cumsum"))


def prod(input, dim=None, keepdim=False, dtype=None) -> Tensor:
    """Π xᵢ (over everything, or along dim); the gradient is the product of the other entries."""
    if dtype is not None:
        input = input.to(dtype)
    d = None if dim is None else _dim(dim, input._array.ndim, "prod") if input._array.ndim else None
    return P.Prod.apply(input, dim=d, keepdim=keepdim)
