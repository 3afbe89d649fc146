"""Tensor methods that are namespace functions: ``x.sum(dim=1)`` is ``chainrule.sum(x, dim=1)``.

This is the one place where they are attached to ``Tensor``: find ``x.foo`` by finding ``foo`` below. The
class itself (engine/tensor.py) defines the attributes, the operators, conversions, autograd and the basic
in-place writes; everything here is a function of the namespace modules, called with the tensor first.
"""

from __future__ import annotations

from . import creation, elementwise, indexing, linalg, reduction, shape, sorting
from .backend import xp
from .tensor import Tensor

_NAMESPACE_METHODS = {
    elementwise: """add sub subtract mul multiply div divide true_divide floor_divide remainder neg abs pow
        reciprocal square sqrt rsqrt exp log log1p expm1 log2 log10 exp2 erf sin cos tan sinh cosh tanh sigmoid
        relu clamp clip clamp_min clamp_max maximum minimum lerp nan_to_num sign floor round ceil trunc fix
        frac eq ne lt le gt ge greater greater_equal less less_equal not_equal logical_and logical_or
        logical_xor logical_not isnan isfinite allclose isclose equal is_floating_point""",
    reduction: """sum mean var std max min amax amin argmax argmin logsumexp norm softmax log_softmax all any
        cumsum prod""",
    shape: """reshape view flatten unflatten permute transpose swapaxes t squeeze unsqueeze expand expand_as
        broadcast_to movedim moveaxis repeat tile""",
    indexing: """gather take_along_dim index_select select masked_fill scatter narrow split chunk tensor_split
        unbind flip fliplr flipud roll""",
    linalg: "matmul mm bmm mv dot outer ger trace diag tril triu",
    sorting: "argsort sort topk median nonzero argwhere count_nonzero unique bincount histogram histc",
}
for _module, _names in _NAMESPACE_METHODS.items():
    for _name in _names.split():
        setattr(Tensor, _name, getattr(_module, _name))

Tensor.negative = elementwise.neg
Tensor.__getitem__ = indexing.getitem
Tensor.__matmul__ = linalg.matmul
Tensor.__floordiv__ = elementwise.floor_divide
Tensor.__rfloordiv__ = lambda self, o: elementwise.floor_divide(o, self)
Tensor.__mod__ = elementwise.remainder
Tensor.__rmod__ = lambda self, o: elementwise.remainder(elementwise._t(o, self), self)
Tensor.where = lambda self, condition, other: elementwise.where(condition, self, other)
Tensor.reshape_as = Tensor.view_as = lambda self, other: shape.reshape(self, other._array.shape)
Tensor.mT = property(lambda self: shape.transpose(self, -2, -1))


# ------------------------------------------------------------------------------------- in-place variants
def _inplace(fn, name):
    """The in-place form ``x.fn_(...)`` of an out-of-place ``fn``: written into x's array when no graph
    needs it; on a tensor that is part of a graph, recorded out of place and rebound (as tensor.add_)."""

    def method(self, *args, **kwargs):
        other = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
        if self._tracked(other):
            return self._rebind(fn(self, *args, **kwargs))
        out = fn(self, *args, **kwargs)._array
        try:
            if self._array.flags.writeable:
                xp.copyto(self._array, out, casting="same_kind")
            else:
                self._array = out.astype(self._array.dtype, copy=False)
        except TypeError:
            raise RuntimeError(
                f"{name}: the result has dtype {out.dtype}, which cannot be written into a tensor of dtype "
                f"{self.dtype}; use the out-of-place {name.rstrip('_')}() instead"
            ) from None
        return self

    method.__name__ = name
    method.__doc__ = f"In-place {fn.__name__}: writes the result into this tensor and returns it."
    return method


E = elementwise
_INPLACE = {
    "abs_": E.abs, "neg_": E.neg, "exp_": E.exp, "log_": E.log, "sqrt_": E.sqrt, "sin_": E.sin, "cos_": E.cos,
    "tanh_": E.tanh, "sigmoid_": E.sigmoid, "relu_": E.relu, "clamp_": E.clamp, "clip_": E.clamp, "pow_": E.pow,
    "floor_": E.floor, "ceil_": E.ceil, "round_": E.round, "trunc_": E.trunc, "reciprocal_": E.reciprocal,
    "square_": E.square, "sign_": E.sign, "log1p_": E.log1p, "expm1_": E.expm1, "clamp_min_": E.clamp_min,
    "clamp_max_": E.clamp_max, "remainder_": E.remainder, "floor_divide_": E.floor_divide,
    "nan_to_num_": E.nan_to_num, "masked_fill_": indexing.masked_fill, "scatter_": indexing.scatter,
}
for _name, _fn in _INPLACE.items():
    setattr(Tensor, _name, _inplace(_fn, _name))
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__imod__ = Tensor.remainder_


# ------------------------------------------------------------------------------------ new_* factories
def _new(factory):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        return factory(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad, **kwargs)

    method.__name__ = "new_" + factory.__name__
    method.__doc__ = f"``chainrule.{factory.__name__}(...)`` with this tensor's dtype unless ``dtype`` is given."
    return method


for _factory in (creation.zeros, creation.ones, creation.empty, creation.full, creation.tensor):
    setattr(Tensor, "new_" + _factory.__name__, _new(_factory))
