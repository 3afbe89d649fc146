"""More of torch's elementwise API: arithmetic and comparisons by name, logic, a few more functions,
in-place variants (``x.clamp_``, ``x.masked_fill_``), ``x.new_zeros``-style factories, ``//`` and ``%``.

Everything is a composite of the primitives in ops.py (or has no gradient, like comparisons), so
nothing here writes a derivative. Loaded by tensor.py; functions are re-exported by ``chainrule``.
"""

from __future__ import annotations

import builtins
import math

from . import ops as P
from .backend import xp
from .tensor import Tensor, _arr, _wrap
from .tensor import matmul as _matmul
from .tensor_methods import _dims, clamp, exp, log, reciprocal, sqrt


def _t(x, like=None):
    """A number on the left of an op becomes a tensor (of ``like``'s dtype when like is a tensor)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    same = isinstance(like, Tensor) and (type(x) is int or (type(x) is float and like.data.dtype.kind == "f"))
    return tensor(x, dtype=like.dtype if same else None)

# ------------------------------------------------------------------------------- arithmetic by name


def _into(result, out, op):
    """torch's ``out=``: the result written into ``out`` (resized to it), which is returned. As in torch,
    not differentiable."""
    if out is None:
        return result
    if result.requires_grad:
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad; use out = {op}(...) instead")
    out.data = result.data.astype(out.data.dtype, copy=False)
    return out


def add(input, other, *, alpha=1, out=None):
    """input + alpha·other."""
    return _into(_t(input, other) + (other * alpha if alpha != 1 else other), out, "add")


def sub(input, other, *, alpha=1, out=None):
    """input − alpha·other."""
    return _into(_t(input, other) - (other * alpha if alpha != 1 else other), out, "sub")


def mul(input, other, *, out=None):
    """input·other (broadcasting); ∂/∂input = other, ∂/∂other = input."""
    return _into(_t(input, other) * other, out, "mul")


def matmul(input, other, *, out=None):
    """The matrix product with torch's rules (1-d, 2-d, batched): C = AB, ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C."""
    return _into(_matmul(input, other), out, "matmul")


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (no gradient then)."""
    if out is not None:
        return _into(div(input, other, rounding_mode=rounding_mode), out, "div")
    if rounding_mode is None:
        return _t(input, other) / other
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return _wrap(xp.asarray(xp.trunc(xp.true_divide(_arr(input), _arr(other)))).astype(
            xp.result_type(_arr(input), _arr(other)), copy=False), None)
    raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")


subtract, multiply, divide, true_divide = sub, mul, div, div


def floor_divide(input, other):
    """⌊input / other⌋ (``//``). Piecewise constant, so it has no gradient (as in PyTorch)."""
    return _wrap(xp.asarray(xp.floor_divide(_arr(input), _arr(other))), None)


def remainder(input, other):
    """input − other·⌊input/other⌋ (``%``, the sign of the divisor, like Python's and torch's).

    ∂/∂input = 1 and ∂/∂other = −⌊input/other⌋: the quotient is a constant where it is differentiable
    (PyTorch implements only the first; chainrule gives both)."""
    a, b = _arr(input), _arr(other)
    if not builtins.any(isinstance(v, Tensor) and v.requires_grad for v in (input, other)):
        return _wrap(xp.asarray(xp.remainder(a, b)), None)
    q = xp.floor(xp.true_divide(a, b))
    return _t(input, other) - other * q.astype(xp.result_type(a, b), copy=False)


def _rfloordiv(self, o):
    return floor_divide(o, self)


def _rmod(self, o):
    return remainder(_t(o, self), self)


Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = _rfloordiv
Tensor.__mod__ = remainder
Tensor.__rmod__ = _rmod


# ------------------------------------------------------------------------------ comparisons and logic
def eq(input, other):
    """input == other elementwise, as a bool tensor (no gradient)."""
    return _t(input) == other


def ne(input, other):
    """input != other elementwise (bool)."""
    return _t(input) != other


def lt(input, other):
    """input < other elementwise (bool)."""
    return _t(input) < other


def le(input, other):
    """input ≤ other elementwise (bool)."""
    return _t(input) <= other


def gt(input, other):
    """input > other elementwise (bool)."""
    return _t(input) > other


def ge(input, other):
    """input ≥ other elementwise (bool)."""
    return _t(input) >= other


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other):
    """a ∧ b elementwise (nonzero counts as True)."""
    return _wrap(xp.logical_and(_arr(input), _arr(other)), None)


def logical_or(input, other):
    """a ∨ b elementwise."""
    return _wrap(xp.logical_or(_arr(input), _arr(other)), None)


def logical_xor(input, other):
    """a ⊕ b elementwise: exactly one is true."""
    return _wrap(xp.logical_xor(_arr(input), _arr(other)), None)


def logical_not(input):
    """¬a elementwise."""
    return _wrap(xp.logical_not(_arr(input)), None)


def all(input, dim=None, keepdim=False):
    """True where every element (along dim) is nonzero; a bool tensor."""
    axes = _dims(dim, input.data.ndim, "all")
    return _wrap(xp.asarray(xp.all(input.data, axis=axes, keepdims=keepdim)), None)


def any(input, dim=None, keepdim=False):
    """True where some element (along dim) is nonzero; a bool tensor."""
    axes = _dims(dim, input.data.ndim, "any")
    return _wrap(xp.asarray(xp.any(input.data, axis=axes, keepdims=keepdim)), None)


# ----------------------------------------------------------------------------------- more functions
def log1p(input):
    """log(1 + x), accurate for small x."""
    return P.Log1p.apply(input)


def expm1(input):
    """eˣ − 1, accurate for small x."""
    return P.Expm1.apply(input)


def log2(input):
    """log₂ x = ln x / ln 2."""
    return P.Mul.apply(log(input), 1 / math.log(2))


def log10(input):
    """log₁₀ x = ln x / ln 10."""
    return P.Mul.apply(log(input), 1 / math.log(10))


def exp2(input):
    """2ˣ = e^(x·ln 2)."""
    return exp(P.Mul.apply(input, math.log(2)))


def erf(input):
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt."""
    return P.Erf.apply(input)


def tan(input):
    """sin x / cos x."""
    return P.Sin.apply(input) * reciprocal(P.Cos.apply(input))


def sinh(input):
    """(eˣ − e⁻ˣ) / 2."""
    return (exp(input) - exp(-input)) * 0.5


def cosh(input):
    """(eˣ + e⁻ˣ) / 2."""
    return (exp(input) + exp(-input)) * 0.5


def ceil(input):
    """⌈x⌉, the smallest integer ≥ x (no gradient)."""
    return _wrap(xp.ceil(input.data), None)


def trunc(input):
    """x rounded toward 0 (no gradient)."""
    return _wrap(xp.trunc(input.data), None)


fix = trunc


def frac(input):
    """x − trunc(x); its gradient is 1 (the truncated part is piecewise constant)."""
    return P.Add.apply(input, -xp.trunc(input.data))


def lerp(input, end, weight):
    """input + weight·(end − input)."""
    return input + (end - input) * weight


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN → nan, ±∞ → posinf/neginf (default: the dtype's largest finite values); gradient 1 where kept."""
    a = input.data
    fixed = xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
    return P.Where.apply(xp.isfinite(a), input, fixed)


def is_tensor(obj):
    """True if obj is a chainrule Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """True if the tensor holds floats (only those can require gradients)."""
    return input.data.dtype.kind == "f"


# ------------------------------------------------------------------------------- in-place variants
def _inplace(fn, name):
    """The in-place form ``x.fn_(...)`` of an out-of-place ``fn``: written into x's array when no graph
    needs it; on a tensor that is part of a graph, recorded out of place and rebound (as tensor.add_)."""

    def method(self, *args, **kwargs):
        other = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
        if self._tracked(other):
            return self._rebind(fn(self, *args, **kwargs))
        out = fn(self, *args, **kwargs).data
        try:
            if self.data.flags.writeable:
                xp.copyto(self.data, out, casting="same_kind")
            else:
                self.data = out.astype(self.data.dtype, copy=False)
        except TypeError:
            raise RuntimeError(
                f"{name}: the result has dtype {out.dtype}, which cannot be written into a tensor of dtype "
                f"{self.dtype}; use the out-of-place {name.rstrip('_')}() instead"
            ) from None
        return self

    method.__name__ = name
    method.__doc__ = f"In-place {fn.__name__}: writes the result into this tensor and returns it."
    return method


def _relu(x):
    return x.relu()


def _sigmoid(x):
    return x.sigmoid()


def _tanh(x):
    return x.tanh()


for _name, _fn in [
    ("abs_", lambda x: x.abs()), ("neg_", lambda x: -x), ("exp_", exp), ("log_", log), ("sqrt_", sqrt),
    ("sin_", lambda x: x.sin()), ("cos_", lambda x: x.cos()), ("tanh_", _tanh), ("sigmoid_", _sigmoid),
    ("relu_", _relu), ("clamp_", clamp), ("clip_", clamp), ("pow_", lambda x, e: x**e),
    ("floor_", lambda x: x.floor()), ("ceil_", ceil), ("round_", lambda x, decimals=0: x.round(decimals)),
    ("trunc_", trunc), ("reciprocal_", reciprocal), ("square_", lambda x: x * x), ("sign_", lambda x: x.sign()),
    ("log1p_", log1p), ("expm1_", expm1), ("clamp_min_", lambda x, m: clamp(x, min=m)),
    ("clamp_max_", lambda x, m: clamp(x, max=m)), ("remainder_", remainder), ("floor_divide_", floor_divide),
    ("lerp_", lerp), ("nan_to_num_", nan_to_num),
]:
    setattr(Tensor, _name, _inplace(_fn, _name))

Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__imod__ = Tensor.remainder_


# ------------------------------------------------------------------------------ new_* factories
def _new(name):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        from . import creation

        factory = getattr(creation, name)
        return factory(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad, **kwargs)

    method.__name__ = "new_" + name
    method.__doc__ = f"``chainrule.{name}(...)`` with this tensor's dtype unless ``dtype`` is given."
    return method


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """``chainrule.tensor(data)`` with this tensor's dtype unless ``dtype`` is given."""
    from .creation import tensor

    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty, Tensor.new_full = map(_new, ("zeros", "ones", "empty", "full"))
Tensor.new_tensor = _new_tensor


# --------------------------------------------------------------------------- attach as methods
for _f in [add, sub, mul, div, subtract, multiply, divide, true_divide, floor_divide, remainder, eq, ne, lt, le,
           gt, ge, greater, greater_equal, less, less_equal, not_equal, logical_and, logical_or, logical_xor,
           logical_not, all, any, log1p, expm1, log2, log10, exp2, erf, tan, sinh, cosh, ceil, trunc, fix,
           frac, lerp, nan_to_num, is_floating_point]:
    setattr(Tensor, _f.__name__, _f)
Tensor.subtract, Tensor.multiply, Tensor.divide, Tensor.true_divide = sub, mul, div, div
Tensor.greater, Tensor.greater_equal, Tensor.less, Tensor.less_equal, Tensor.not_equal = gt, ge, lt, le, ne
Tensor.fix = trunc
Tensor.nelement = Tensor.numel
Tensor.ndimension = Tensor.dim
Tensor.is_cuda = property(lambda self: False)
Tensor.element_size = lambda self: self.data.dtype.itemsize
Tensor.is_contiguous = lambda self, memory_format=None: builtins.bool(self.data.flags.c_contiguous)
Tensor.stride = lambda self, dim=None: (
    tuple(s // self.data.dtype.itemsize for s in self.data.strides) if dim is None
    else self.data.strides[dim] // self.data.dtype.itemsize
)
