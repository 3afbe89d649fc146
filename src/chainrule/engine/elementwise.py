"""torch's elementwise functions: arithmetic, comparisons and logic, exp/log/trigonometry, activations,
rounding. Each differentiable one is a primitive (engine/ops) or a composite of primitives, so nothing
here writes a derivative; the docstring of each names its derivative."""

from __future__ import annotations

import builtins
import math
from typing import Any

from . import backend as B
from . import ops as P
from .arguments import _into, _t
from .autograd import labelled
from .backend import xp
from .sorting import nonzero
from .tensor import Tensor, _arr, _wrap

__all__ = [  # the public names (re-exported by chainrule)
    "add", "sub", "mul", "div", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "neg",
    "abs", "pow", "reciprocal", "square", "sqrt", "rsqrt", "exp", "log", "log1p", "expm1", "log2", "log10", "exp2",
    "erf", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "relu", "clamp", "clip", "clamp_min",
    "clamp_max", "maximum", "minimum", "where", "lerp", "nan_to_num", "sign", "floor", "round", "ceil", "trunc",
    "fix", "frac", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isfinite", "allclose",
    "isclose", "equal", "is_tensor", "is_floating_point",
]


# ---------------------------------------------------------------------------------------------------- arithmetic

def add(input, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha·other."""
    return _into(_t(input, other) + (other * alpha if alpha != 1 else other), out, "add")


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """input − alpha·other."""
    return _into(_t(input, other) - (other * alpha if alpha != 1 else other), out, "sub")


def mul(input, other, *, out=None) -> Tensor:
    """input·other (broadcasting); ∂/∂input = other, ∂/∂other = input."""
    return _into(_t(input, other) * other, out, "mul")


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """input / other; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (no gradient then)."""
    if out is not None:
        return _into(div(input, other, rounding_mode=rounding_mode), out, "div")
    if rounding_mode is None:
        return _t(input, other) / other
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return _wrap(xp.asanyarray(xp.trunc(xp.true_divide(_arr(input), _arr(other)))).astype(
            xp.result_type(_arr(input), _arr(other)), copy=False), None)
    raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")


subtract, multiply, divide, true_divide = sub, mul, div, div


def floor_divide(input, other) -> Tensor:
    """⌊input / other⌋ (``//``). Piecewise constant, so it has no gradient (as in PyTorch)."""
    return _wrap(xp.asanyarray(xp.floor_divide(_arr(input), _arr(other))), None)


def remainder(input, other) -> Tensor:
    """input − other·⌊input/other⌋ (``%``, the sign of the divisor, like Python's and torch's).

    ∂/∂input = 1 and ∂/∂other = −⌊input/other⌋: the quotient is a constant where it is differentiable
    (PyTorch implements only the first; chainrule gives both)."""
    a, b = _arr(input), _arr(other)
    if not builtins.any(isinstance(v, Tensor) and v.requires_grad for v in (input, other)):
        return _wrap(xp.asanyarray(xp.remainder(a, b)), None)
    q = xp.floor(xp.true_divide(a, b))
    return _t(input, other) - other * q.astype(xp.result_type(a, b), copy=False)

def neg(input) -> Tensor:
    """−x; ∂/∂x = −1."""
    return P.Neg.apply(input)


def abs(input) -> Tensor:
    """|x|; ∂/∂x = sign(x) (0 at x = 0, as torch)."""
    return P.Abs.apply(input)


def pow(input, exponent) -> Tensor:
    """xᵉ; ∂/∂x = e·x^(e−1), and for a tensor exponent ∂/∂e = xᵉ·ln x."""
    return P.Pow.apply(input, exponent)


def reciprocal(input) -> Tensor:
    """1/x = x⁻¹; ∂/∂x = −1/x²."""
    return P.Pow.apply(input, -1.0)


def square(input) -> Tensor:
    """x² = x·x; ∂/∂x = 2x."""
    return P.Mul.apply(input, input)


def sqrt(input) -> Tensor:
    """√x = x^½; ∂/∂x = 1/(2√x)."""
    return labelled(P.Pow.apply(input, 0.5), "SqrtBackward0", (input,))


def rsqrt(input) -> Tensor:
    """1/√x = x^(−½); ∂/∂x = −½·x^(−3/2)."""
    return P.Pow.apply(input, -0.5)

# ------------------------------------------------------------------------ exponentials, logarithms, trigonometry

def exp(input) -> Tensor:
    """eˣ; ∂/∂x = eˣ."""
    return P.Exp.apply(input)


def log(input) -> Tensor:
    """ln x, the natural logarithm; ∂/∂x = 1/x."""
    return P.Log.apply(input)

def log1p(input) -> Tensor:
    """log(1 + x), accurate for small x."""
    return P.Log1p.apply(input)


def expm1(input) -> Tensor:
    """eˣ − 1, accurate for small x."""
    return P.Expm1.apply(input)


def log2(input) -> Tensor:
    """log₂ x = ln x / ln 2."""
    return P.Mul.apply(log(input), 1 / math.log(2))


def log10(input) -> Tensor:
    """log₁₀ x = ln x / ln 10."""
    return P.Mul.apply(log(input), 1 / math.log(10))


def exp2(input) -> Tensor:
    """2ˣ = e^(x·ln 2)."""
    return exp(P.Mul.apply(input, math.log(2)))


def erf(input) -> Tensor:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt."""
    return P.Erf.apply(input)

def sin(input) -> Tensor:
    """sin x; ∂/∂x = cos x."""
    return P.Sin.apply(input)


def cos(input) -> Tensor:
    """cos x; ∂/∂x = −sin x."""
    return P.Cos.apply(input)

def tan(input) -> Tensor:
    """sin x / cos x."""
    return P.Sin.apply(input) * reciprocal(P.Cos.apply(input))


def sinh(input) -> Tensor:
    """(eˣ − e⁻ˣ) / 2."""
    return (exp(input) - exp(-input)) * 0.5


def cosh(input) -> Tensor:
    """(eˣ + e⁻ˣ) / 2."""
    return (exp(input) + exp(-input)) * 0.5

# --------------------------------------------------------------------------------------------------- activations

def tanh(input) -> Tensor:
    """tanh x ∈ (−1, 1); ∂/∂x = 1 − tanh²x."""
    return P.Tanh.apply(input)


def sigmoid(input) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ) ∈ (0, 1); ∂/∂x = σ(x)·(1 − σ(x)) (a fused, overflow-free primitive)."""
    return P.Sigmoid.apply(input)


def relu(input) -> Tensor:
    """max(0, x); the gradient at 0 is 0 and NaN stays NaN, as in PyTorch."""
    return P.Relu.apply(input)

# ---------------------------------------------------------------------------------------- clipping and selection

def clamp(input, min=None, max=None) -> Tensor:
    """Clip to [min, max]; the gradient is 1 inside the closed interval and 0 outside (PyTorch's rule)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    x = input._array
    lo, hi = _arr(min), _arr(max)
    clipped = xp.clip(x, lo, hi)
    if not input.requires_grad and not any(isinstance(b, Tensor) and b.requires_grad for b in (min, max)):
        return _wrap(clipped.astype(x.dtype, copy=False), None)
    inside = B.ones(x.shape, bool, like=x)
    if min is not None:
        inside &= x >= lo
    if max is not None:
        inside &= x <= hi
    return P.Where.apply(inside, input, clipped.astype(x.dtype, copy=False))


clip = clamp


def clamp_min(input, min) -> Tensor:
    """max(x, min): clamp with a lower bound only."""
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:
    """min(x, max): clamp with an upper bound only."""
    return clamp(input, max=max)


def maximum(input, other) -> Tensor:
    """Elementwise max(a, b) (broadcasting); at ties the gradient is split evenly between a and b, as torch."""
    return P.Maximum.apply(input, other)


def minimum(input, other) -> Tensor:
    """Elementwise min(a, b) (broadcasting); at ties the gradient is split evenly, as torch."""
    return P.Minimum.apply(input, other)


def where(condition, input=None, other=None) -> Any:
    """Elementwise ``input if condition else other``; gradients flow to the chosen branch only.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``: the indices where it holds."""
    if input is None and other is None:
        return nonzero(_t(condition), as_tuple=True)
    c = _arr(condition)
    if c.dtype != bool:
        c = c.astype(bool)
    return P.Where.apply(c, input, other)

def lerp(input, end, weight) -> Tensor:
    """input + weight·(end − input)."""
    return input + (end - input) * weight


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    """NaN → nan, ±∞ → posinf/neginf (default: the dtype's largest finite values); gradient 1 where kept."""
    a = input._array
    fixed = xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
    return P.Where.apply(xp.isfinite(a), input, fixed)

# ------------------------------------------------------------------------------ piecewise constant (no gradient)

def sign(input) -> Tensor:
    """−1, 0 or 1 by the sign of x. Piecewise constant, so no gradient."""
    return _wrap(xp.sign(input._array), None)


def floor(input) -> Tensor:
    """⌊x⌋, the largest integer ≤ x (no gradient)."""
    return _wrap(xp.floor(input._array), None)


def round(input, decimals=0) -> Tensor:
    """x rounded to ``decimals`` places, halves to even as torch (no gradient)."""
    return _wrap(xp.round(input._array, decimals), None)

def ceil(input) -> Tensor:
    """⌈x⌉, the smallest integer ≥ x (no gradient)."""
    return _wrap(xp.ceil(input._array), None)


def trunc(input) -> Tensor:
    """x rounded toward 0 (no gradient)."""
    return _wrap(xp.trunc(input._array), None)


fix = trunc


def frac(input) -> Tensor:
    """x − trunc(x); its gradient is 1 (the truncated part is piecewise constant)."""
    return P.Add.apply(input, -xp.trunc(input._array))

# ------------------------------------------------------------- comparisons and logic (bool results, no gradient)

def eq(input, other) -> Tensor:
    """input == other elementwise, as a bool tensor (no gradient)."""
    return _t(input) == other


def ne(input, other) -> Tensor:
    """input != other elementwise (bool)."""
    return _t(input) != other


def lt(input, other) -> Tensor:
    """input < other elementwise (bool)."""
    return _t(input) < other


def le(input, other) -> Tensor:
    """input ≤ other elementwise (bool)."""
    return _t(input) <= other


def gt(input, other) -> Tensor:
    """input > other elementwise (bool)."""
    return _t(input) > other


def ge(input, other) -> Tensor:
    """input ≥ other elementwise (bool)."""
    return _t(input) >= other


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other) -> Tensor:
    """a ∧ b elementwise (nonzero counts as True)."""
    return _wrap(xp.logical_and(_arr(input), _arr(other)), None)


def logical_or(input, other) -> Tensor:
    """a ∨ b elementwise."""
    return _wrap(xp.logical_or(_arr(input), _arr(other)), None)


def logical_xor(input, other) -> Tensor:
    """a ⊕ b elementwise: exactly one is true."""
    return _wrap(xp.logical_xor(_arr(input), _arr(other)), None)


def logical_not(input) -> Tensor:
    """¬a elementwise."""
    return _wrap(xp.logical_not(_arr(input)), None)

def isnan(input) -> Tensor:
    """True where x is NaN."""
    return _wrap(xp.isnan(input._array), None)


def isfinite(input) -> Tensor:
    """True where x is neither NaN nor ±∞."""
    return _wrap(xp.isfinite(input._array), None)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> builtins.bool:
    """True if |a − b| ≤ atol + rtol·|b| everywhere (NaNs equal only with ``equal_nan``)."""
    return builtins.bool(xp.allclose(input._array, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """Elementwise |a − b| ≤ atol + rtol·|b|, as a bool tensor."""
    return _wrap(xp.isclose(input._array, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def equal(input, other) -> builtins.bool:
    """True if both have the same shape and elements."""
    o = _arr(other)
    return input._array.shape == xp.shape(o) and builtins.bool((input._array == o).all())

def is_tensor(obj) -> builtins.bool:
    """True if obj is a chainrule Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> builtins.bool:
    """True if the tensor holds floats (only those can require gradients)."""
    return input._array.dtype.kind == "f"
