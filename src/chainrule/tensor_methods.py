"""Tensor operations with torch's names and argument names, as functions and as Tensor methods.

Each one is a primitive from ops.py or a composite of primitives (so its derivative needs no code here).
``chainrule.sum(x, dim=1)`` and ``x.sum(dim=1)`` are the same function.
"""

from __future__ import annotations

import builtins

from . import ops as P
from .backend import xp
from .tensor import Tensor, _arr, _index, _wrap, matmul, max_result, min_result


def _t(x, like=None):
    """Python scalars/arrays → Tensor (for functions whose first argument may be a number)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    return tensor(x, dtype=like.dtype if like is not None and isinstance(x, (int, float)) else None)


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


# -------------------------------------------------------------------------------------------- pointwise
def neg(input):
    """−x; ∂/∂x = −1."""
    return P.Neg.apply(input)


def abs(input):
    """|x|; ∂/∂x = sign(x) (0 at x = 0, as torch)."""
    return P.Abs.apply(input)


def exp(input):
    """eˣ; ∂/∂x = eˣ."""
    return P.Exp.apply(input)


def log(input):
    """ln x, the natural logarithm; ∂/∂x = 1/x."""
    return P.Log.apply(input)


def sqrt(input):
    """√x = x^½; ∂/∂x = 1/(2√x)."""
    return P.Pow.apply(input, 0.5)


def rsqrt(input):
    """1/√x = x^(−½); ∂/∂x = −½·x^(−3/2)."""
    return P.Pow.apply(input, -0.5)


def square(input):
    """x² = x·x; ∂/∂x = 2x."""
    return P.Mul.apply(input, input)


def reciprocal(input):
    """1/x = x⁻¹; ∂/∂x = −1/x²."""
    return P.Pow.apply(input, -1.0)


def sin(input):
    """sin x; ∂/∂x = cos x."""
    return P.Sin.apply(input)


def cos(input):
    """cos x; ∂/∂x = −sin x."""
    return P.Cos.apply(input)


def tanh(input):
    """tanh x ∈ (−1, 1); ∂/∂x = 1 − tanh²x."""
    return P.Tanh.apply(input)


def sigmoid(input):
    """σ(x) = 1/(1 + e⁻ˣ) ∈ (0, 1); ∂/∂x = σ(x)·(1 − σ(x)) (a fused, overflow-free primitive)."""
    return P.Sigmoid.apply(input)


def relu(input):
    """max(0, x); the gradient at 0 is 0 and NaN stays NaN, as in PyTorch."""
    return P.Relu.apply(input)


def pow(input, exponent):
    """xᵉ; ∂/∂x = e·x^(e−1), and for a tensor exponent ∂/∂e = xᵉ·ln x."""
    return P.Pow.apply(input, exponent)


def clamp(input, min=None, max=None):
    """Clip to [min, max]; the gradient is 1 inside the closed interval and 0 outside (PyTorch's rule)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    x = input.data
    lo, hi = _arr(min), _arr(max)
    clipped = xp.clip(x, lo, hi)
    if not input.requires_grad and not any(isinstance(b, Tensor) and b.requires_grad for b in (min, max)):
        return _wrap(clipped.astype(x.dtype, copy=False), None)
    inside = xp.ones(x.shape, dtype=bool)
    if min is not None:
        inside &= x >= lo
    if max is not None:
        inside &= x <= hi
    return P.Where.apply(inside, input, clipped.astype(x.dtype, copy=False))


clip = clamp


def clamp_min(input, min):
    """max(x, min): clamp with a lower bound only."""
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(x, max): clamp with an upper bound only."""
    return clamp(input, max=max)


def maximum(input, other):
    """Elementwise max(a, b) (broadcasting); at ties the gradient is split evenly between a and b, as torch."""
    return P.Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise min(a, b) (broadcasting); at ties the gradient is split evenly, as torch."""
    return P.Minimum.apply(input, other)


def where(condition, input=None, other=None):
    """Elementwise ``input if condition else other``; gradients flow to the chosen branch only.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``: the indices where it holds."""
    if input is None and other is None:
        from .tensor_sorting import nonzero

        return nonzero(_t(condition), as_tuple=True)
    c = _arr(condition)
    if c.dtype != bool:
        c = c.astype(bool)
    return P.Where.apply(c, input, other)


def sign(input):
    """−1, 0 or 1 by the sign of x. Piecewise constant, so no gradient."""
    return _wrap(xp.sign(input.data), None)


def floor(input):
    """⌊x⌋, the largest integer ≤ x (no gradient)."""
    return _wrap(xp.floor(input.data), None)


def round(input, decimals=0):
    """x rounded to ``decimals`` places, halves to even as torch (no gradient)."""
    return _wrap(xp.round(input.data, decimals), None)


def isnan(input):
    """True where x is NaN."""
    return _wrap(xp.isnan(input.data), None)


def isfinite(input):
    """True where x is neither NaN nor ±∞."""
    return _wrap(xp.isfinite(input.data), None)


# ------------------------------------------------------------------------------------------- reductions
def sum(input, dim=None, keepdim=False, dtype=None, **np_names):
    """Σx over dim (all elements when dim is None)."""
    if np_names:
        dim, keepdim = _np_names("sum", dim, keepdim, np_names)
    if dtype is not None:
        input = input.to(dtype)
    return P.Sum.apply(input, dim=_dims(dim, input.data.ndim, "sum"), keepdim=keepdim)


def _count(shape, axes):
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


def mean(input, dim=None, keepdim=False, dtype=None, **np_names):
    """Σx / n, a composite of sum and a scale."""
    if np_names:
        dim, keepdim = _np_names("mean", dim, keepdim, np_names)
    if dtype is not None:
        input = input.to(dtype)
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"mean(): expected a floating point input, got {input.dtype}; use .float()")
    axes = _dims(dim, input.data.ndim, "mean")
    n = _count(input.data.shape, axes)
    return P.Mul.apply(P.Sum.apply(input, dim=axes, keepdim=keepdim), 1.0 / n if n else float("nan"))


def var(input, dim=None, *, correction=1, keepdim=False, unbiased=None, **np_names):
    """Σ(x − x̄)² / (n − correction); correction=1 is Bessel's (unbiased) estimate, as torch's default."""
    if np_names:
        dim, keepdim = _np_names("var", dim, keepdim, np_names)
    if unbiased is not None:
        correction = 1 if unbiased else 0
    axes = _dims(dim, input.data.ndim, "var")
    n = _count(input.data.shape, axes)
    d = input - mean(input, axes, keepdim=True)
    scale = 1.0 / (n - correction) if n > correction else float("nan")
    return P.Mul.apply(P.Sum.apply(d * d, dim=axes, keepdim=keepdim), scale)


def std(input, dim=None, *, correction=1, keepdim=False, unbiased=None, **np_names):
    """√var: the standard deviation (Bessel-corrected by default, as torch)."""
    if np_names:
        dim, keepdim = _np_names("std", dim, keepdim, np_names)
    return sqrt(var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased))


def _max_min(input, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
        return maximum(input, dim) if largest else minimum(input, dim)
    if dim is None:
        if input.data.size == 0:
            raise RuntimeError(f"{'max' if largest else 'min'}(): cannot reduce an empty tensor")
        return P.Amax.apply(input, dim=None, keepdim=False, largest=largest)
    d = _dim(dim, input.data.ndim, "max" if largest else "min")
    a = input.data
    if a.ndim == 0:
        idx = xp.zeros((), dtype=xp.int64)
    else:
        idx = a.argmax(axis=d, keepdims=keepdim) if largest else a.argmin(axis=d, keepdims=keepdim)
    values = P.MaxDim.apply(input, dim=d, keepdim=keepdim, largest=largest)
    return (max_result if largest else min_result)(values, _wrap(idx.astype(xp.int64), None))


def max(input, dim=None, keepdim=False, **np_names):
    """No dim: the largest element (ties share the gradient). With dim: (values, indices) like torch."""
    if np_names:
        dim, keepdim = _np_names("max", dim, keepdim, np_names)
    return _max_min(input, dim, keepdim, True)


def min(input, dim=None, keepdim=False, **np_names):
    """No dim: the smallest element. With dim: (values, indices) like torch."""
    if np_names:
        dim, keepdim = _np_names("min", dim, keepdim, np_names)
    return _max_min(input, dim, keepdim, False)


def amax(input, dim=(), keepdim=False):
    """The largest entries over ``dim`` (every dim when empty); ties share the gradient evenly
    (``max(dim)`` instead sends it to the one index it returns)."""
    dims = None if dim == () or dim is None else _dims(dim, input.data.ndim, "amax")
    return P.Amax.apply(input, dim=dims, keepdim=keepdim, largest=True)


def amin(input, dim=(), keepdim=False):
    """The smallest entries over ``dim`` (every dim when empty); ties share the gradient evenly."""
    dims = None if dim == () or dim is None else _dims(dim, input.data.ndim, "amin")
    return P.Amax.apply(input, dim=dims, keepdim=keepdim, largest=False)


def argmax(input, dim=None, keepdim=False, **np_names):
    """Index of the largest element (of the flattened tensor when dim is None); the first one at ties."""
    if np_names:
        dim, keepdim = _np_names("argmax", dim, keepdim, np_names)
    a = input.data
    if dim is None:
        return _wrap(xp.asarray(a.argmax(), dtype=xp.int64), None)
    return _wrap(a.argmax(axis=_dim(dim, a.ndim, "argmax"), keepdims=keepdim).astype(xp.int64), None)


def argmin(input, dim=None, keepdim=False, **np_names):
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    if np_names:
        dim, keepdim = _np_names("argmin", dim, keepdim, np_names)
    a = input.data
    if dim is None:
        return _wrap(xp.asarray(a.argmin(), dtype=xp.int64), None)
    return _wrap(a.argmin(axis=_dim(dim, a.ndim, "argmin"), keepdims=keepdim).astype(xp.int64), None)


def logsumexp(input, dim, keepdim=False):
    """log Σ exp(x), stable: m + log Σ exp(x − m)."""
    m = input.data.max(axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = log(sum(exp(input - m), dim, keepdim=True)) + m
    return out if keepdim else squeeze(out, dim)


def norm(input, p=2, dim=None, keepdim=False):
    """‖x‖_p = (Σ|xᵢ|ᵖ)^(1/p) over ``dim`` (everything when None): p = 2 (or 'fro') Euclidean, 1 Σ|xᵢ|, inf max|xᵢ|."""
    if p == 2 or p == "fro":
        return sqrt(sum(input * input, dim, keepdim))
    if p == 1:
        return sum(abs(input), dim, keepdim)
    if p == float("inf"):
        return amax(abs(input), dim if dim is not None else (), keepdim)
    return pow(sum(pow(abs(input), p), dim, keepdim), 1.0 / p)


def softmax(input, dim, dtype=None):
    """exp(log_softmax(x)): stable because log_softmax is."""
    return exp(log_softmax(input, dim, dtype))


def log_softmax(input, dim, dtype=None):
    """log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along dim (fused and stable); ∂L/∂x = g − softmax(x)·Σg."""
    if dtype is not None:
        input = input.to(dtype)
    return P.LogSoftmax.apply(input, dim=_dim(dim, input.data.ndim, "log_softmax"))


# -------------------------------------------------------------------------------------------------- shape
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def reshape(input, *shape):
    """The same elements in a new shape; one size may be −1 (inferred). ``view`` is the same function."""
    shape = _shape_arg(shape)
    try:
        return P.Reshape.apply(input, shape=shape)
    except ValueError:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {input.data.size} (shape "
            f"{tuple(input.data.shape)})"
        ) from None


view = reshape


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim`` .. ``end_dim`` into one."""
    s = input.data.shape
    if not s:
        return reshape(input, 1)
    a, b = _dim(start_dim, len(s), "flatten"), _dim(end_dim, len(s), "flatten")
    n = 1
    for k in s[a : b + 1]:
        n *= k
    return reshape(input, s[:a] + (n,) + s[b + 1 :])


def unflatten(input, dim, sizes):
    """Split ``dim`` into ``sizes`` (their product must be its size)."""
    s = input.data.shape
    d = _dim(dim, len(s), "unflatten")
    return reshape(input, s[:d] + tuple(sizes) + s[d + 1 :])


def permute(input, *dims):
    """Reorder the dims: the result's dim k is the input's dim ``dims[k]``; the gradient is permuted back."""
    dims = _shape_arg(dims)
    n = input.data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute: the number of dims ({len(dims)}) must equal the tensor's rank ({n})")
    return P.Permute.apply(input, dims=tuple(_dim(d, n, "permute") for d in dims))


def transpose(input, dim0, dim1):
    """Swap dims ``dim0`` and ``dim1``."""
    n = input.data.ndim
    dims = list(range(n))
    a, b = _dim(dim0, n, "transpose"), _dim(dim1, n, "transpose")
    dims[a], dims[b] = dims[b], dims[a]
    return P.Permute.apply(input, dims=tuple(dims))


swapaxes = transpose


def t(input):
    """The transpose of a 0-, 1- or 2-d tensor."""
    if input.data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but it has {input.data.ndim}")
    return P.Permute.apply(input, dims=tuple(range(input.data.ndim))[::-1])


def squeeze(input, dim=None):
    """Remove dims of size 1 (only ``dim`` when given)."""
    s = input.data.shape
    if dim is None:
        return reshape(input, tuple(k for k in s if k != 1))
    dims = _dims(dim, len(s), "squeeze")
    return reshape(input, tuple(k for i, k in enumerate(s) if not (i in dims and k == 1)))


def unsqueeze(input, dim):
    """Insert a dim of size 1 at position ``dim``."""
    s = input.data.shape
    d = _dim(dim, len(s) + 1, "unsqueeze")
    return reshape(input, s[:d] + (1,) + s[d:])


def expand(input, *sizes):
    """A broadcast view with shape ``sizes`` (−1 keeps a size); the gradient sums over the copies."""
    sizes = _shape_arg(sizes)
    s = input.data.shape
    lead = len(sizes) - len(s)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes ({len(sizes)}) must be >= the tensor's rank ({len(s)})")
    shape = tuple(s[i - lead] if (n == -1 and i >= lead) else n for i, n in enumerate(sizes))
    try:
        xp.broadcast_shapes(s, shape)
    except ValueError:
        raise RuntimeError(f"expand: cannot expand a tensor of shape {tuple(s)} to {shape}") from None
    return P.Expand.apply(input, shape=shape)


def expand_as(input, other):
    """``expand`` to ``other``'s shape."""
    return expand(input, other.data.shape)


def getitem(input, index):
    """x[index] with ints, slices (any step), None, Ellipsis, integer or boolean tensors; the gradient
    lands on the selected entries (an entry selected twice gets both gradients)."""
    idx, adv = _index(index)
    try:
        return P.GetItem.apply(input, index=idx, advanced=adv)
    except IndexError as err:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {tuple(input.data.shape)}: {err}") from None


def cat(tensors, dim=0):
    """Join tensors along an existing ``dim`` (all other sizes equal); the gradient is split back into the pieces."""
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("cat: expected a non-empty sequence of tensors")
    nd = tensors[0].data.ndim
    d = _dim(dim, nd, "cat")
    for i, x in enumerate(tensors):
        s0 = tensors[0].data.shape
        if x.data.ndim != nd or any(a != b for j, (a, b) in enumerate(zip(x.data.shape, s0)) if j != d):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{tuple(tensors[0].data.shape)}, tensor {i} has shape {tuple(x.data.shape)}"
            )
    return P.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new ``dim``."""
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty sequence of tensors")
    shape = tensors[0].data.shape
    for i, x in enumerate(tensors):
        if x.data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(shape)} at entry 0 and "
                f"{tuple(x.data.shape)} at entry {i}"
            )
    d = _dim(dim, len(shape) + 1, "stack")
    return cat([unsqueeze(x, d) for x in tensors], d)


def mm(input, mat2):
    """The matrix product (torch's matmul rules): C = AB, ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C."""
    return matmul(input, mat2)


bmm = mv = mm


def dot(input, other):
    """a·b = Σ aᵢbᵢ for 1-d a and b."""
    return matmul(input, other)


# ------------------------------------------------------------------------------------- attach as methods
_METHODS = [
    neg, abs, exp, log, sqrt, rsqrt, square, reciprocal, sin, cos, tanh, sigmoid, relu, pow, clamp, clip,
    clamp_min, clamp_max, maximum, minimum, sign, floor, round, isnan, isfinite, sum, mean, var, std, max,
    min, amax, amin, argmax, argmin, logsumexp, norm, softmax, log_softmax, reshape, view, flatten,
    unflatten, permute, transpose, swapaxes, t, squeeze, unsqueeze, expand, expand_as, matmul, mm, bmm, dot,
]
for _f in _METHODS:
    setattr(Tensor, _f.__name__, _f)
Tensor.clip = clamp
Tensor.bmm = Tensor.mv = mm  # (the loop above attaches by __name__, and bmm is mm)
Tensor.view = reshape
Tensor.swapaxes = transpose
Tensor.negative = neg
Tensor.__getitem__ = getitem


def _where_method(self, condition, other):
    return where(condition, self, other)


def _reshape_as(self, other):
    return reshape(self, other.data.shape)


def _view_as(self, other):
    return reshape(self, other.data.shape)


Tensor.where = _where_method
Tensor.reshape_as = _reshape_as
Tensor.view_as = _view_as
Tensor.T = property(lambda self: P.Permute.apply(self, dims=tuple(range(self.data.ndim))[::-1]))
Tensor.mT = property(lambda self: transpose(self, -2, -1))


# ------------------------------------------------------------------------------ in-place random fills
def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    from .random import get_rng

    return self.copy_(get_rng(generator).normal(mean, std, self.data.shape).astype(self.data.dtype))


def _uniform_(self, a=0.0, b=1.0, *, generator=None):
    from .random import get_rng

    return self.copy_(get_rng(generator).uniform(a, b, self.data.shape).astype(self.data.dtype))


Tensor.normal_ = _normal_
Tensor.uniform_ = _uniform_


# -------------------------------------------------------------------------------------------- comparisons
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if |a − b| ≤ atol + rtol·|b| everywhere (NaNs equal only with ``equal_nan``)."""
    return builtins.bool(xp.allclose(input.data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |a − b| ≤ atol + rtol·|b|, as a bool tensor."""
    return _wrap(xp.isclose(input.data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def equal(input, other):
    """True if both have the same shape and elements."""
    o = _arr(other)
    return input.data.shape == xp.shape(o) and builtins.bool((input.data == o).all())


def numel(input):
    """The number of elements."""
    return int(input.data.size)


Tensor.allclose = allclose
Tensor.isclose = isclose
Tensor.equal = equal
