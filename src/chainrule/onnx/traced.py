"""``Value``: what a traced forward computes on, a stand-in for a Tensor that records ONNX nodes.

A Value holds an ONNX value name and the real tensor the example input gives at that point, so shapes and
dtypes are known and every operation also computes its real result (with chainrule, on the real tensor).
It supports the Tensor operators (+ − * / @ ** unary −, comparisons) and the common methods (relu,
sigmoid, tanh, exp, log, sqrt, abs, softmax, log_softmax, sum, mean, flatten, reshape/view, transpose,
permute, t, unsqueeze, squeeze, clamp, float/double/to, detach, contiguous, size, shape, dim, dtype).

Anything that needs the actual numbers — ``bool(x)`` in an ``if``, ``float(x)``, ``x.item()``,
``x.numpy()`` — raises, because an exported graph cannot depend on them. Shapes come from the example:
``x.shape[0]`` is the example's batch size, but ``reshape``/``view`` keep a leading dimension that matches
the input's (``x.view(x.shape[0], -1)``) as "copy this dimension", so a dynamic batch axis survives.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from .trace import RawAccess, TraceFailure

_DATA = ("Python control flow or a conversion depends on the data ({what}); an exported graph is fixed and "
         "cannot branch on, or read out, the values flowing through it. Compute without it (e.g. x.clamp instead "
         "of an if), or register a converter for this module with chainrule.onnx.register")


def _real(x):
    return x.real if isinstance(x, Value) else x


class Value:
    """A traced tensor: ``name`` (its ONNX value), ``real`` (the example's chainrule Tensor), ``graph``."""

    __slots__ = ("graph", "name", "real")
    __array_ufunc__ = None  # NumPy ufuncs refuse it (a TypeError the module wrapper explains)

    def __init__(self, graph, name, real):
        self.graph, self.name, self.real = graph, name, real

    def __repr__(self):
        return f"Value({self.name!r}, shape={tuple(self.real.shape)}, dtype={self.real.dtype})"

    # --------------------------------------------------------------------------------- introspection
    @property
    def shape(self):
        return self.real.shape

    def size(self, dim=None):
        return self.real.size(dim) if dim is not None else self.real.shape

    def dim(self):
        return len(self.real.shape)

    ndim = property(dim)

    @property
    def dtype(self):
        return self.real.dtype

    @property
    def np_dtype(self):
        return self.real.detach().numpy().dtype

    def __len__(self):
        return self.real.shape[0]

    def _emit(self, real, op_type, *inputs, **attrs):
        return Value(self.graph, self.graph.op(op_type, *inputs, **attrs), real)

    def _as(self, dtype):
        """This value's name, cast to the NumPy ``dtype`` if it has another."""
        if self.np_dtype == dtype:
            return self.name
        from onnx.helper import np_dtype_to_tensor_dtype

        return self.graph.op("Cast", self.name, to=int(np_dtype_to_tensor_dtype(np.dtype(dtype))))

    def _operand(self, other, dtype):
        if isinstance(other, Value):
            return other._as(dtype)
        if isinstance(other, cr.Tensor):
            return self.graph.tensor(other, dtype)
        if isinstance(other, (bool, int, float, np.number, np.ndarray)):
            return self.graph.const(np.asarray(other, dtype=dtype))
        raise TraceFailure(f"cannot combine a traced tensor with a {type(other).__name__}")

    def _binary(self, other, op_type, fn, swap=False):
        o = _real(other)
        real = fn(o, self.real) if swap else fn(self.real, o)
        if op_type in _COMPARE:  # compare in the common dtype (the result is bool)
            dtype = np.result_type(self.np_dtype, o.detach().numpy().dtype if isinstance(o, cr.Tensor) else o)
        else:
            dtype = real.detach().numpy().dtype
        a, b = self._as(dtype), self._operand(other, dtype)
        return self._emit(real, op_type, *((b, a) if swap else (a, b)))

    # ------------------------------------------------------------------------------------ operators
    def __add__(self, o):
        return self._binary(o, "Add", lambda a, b: a + b)

    def __radd__(self, o):
        return self._binary(o, "Add", lambda a, b: a + b, swap=True)

    def __sub__(self, o):
        return self._binary(o, "Sub", lambda a, b: a - b)

    def __rsub__(self, o):
        return self._binary(o, "Sub", lambda a, b: a - b, swap=True)

    def __mul__(self, o):
        return self._binary(o, "Mul", lambda a, b: a * b)

    def __rmul__(self, o):
        return self._binary(o, "Mul", lambda a, b: a * b, swap=True)

    def __truediv__(self, o):
        return self._binary(o, "Div", lambda a, b: a / b)

    def __rtruediv__(self, o):
        return self._binary(o, "Div", lambda a, b: a / b, swap=True)

    def __matmul__(self, o):
        return self._binary(o, "MatMul", lambda a, b: a @ b)

    def __rmatmul__(self, o):
        return self._binary(o, "MatMul", lambda a, b: a @ b, swap=True)

    def __pow__(self, o):
        return self._binary(o, "Pow", lambda a, b: a**b)

    def __gt__(self, o):
        return self._binary(o, "Greater", lambda a, b: a > b)

    def __lt__(self, o):
        return self._binary(o, "Less", lambda a, b: a < b)

    def __ge__(self, o):
        return self._binary(o, "GreaterOrEqual", lambda a, b: a >= b)

    def __le__(self, o):
        return self._binary(o, "LessOrEqual", lambda a, b: a <= b)

    def __neg__(self):
        return self._emit(-self.real, "Neg", self.name)

    def __pos__(self):
        return self

    __hash__ = object.__hash__

    # ---------------------------------------------------------------------------- elementwise methods
    def _unary(op_type, method):
        def f(self):
            return self._emit(getattr(self.real, method)(), op_type, self.name)

        f.__name__ = method
        return f

    relu, sigmoid, tanh = _unary("Relu", "relu"), _unary("Sigmoid", "sigmoid"), _unary("Tanh", "tanh")
    exp, log, sqrt, abs = _unary("Exp", "exp"), _unary("Log", "log"), _unary("Sqrt", "sqrt"), _unary("Abs", "abs")
    neg, sin, cos = _unary("Neg", "neg"), _unary("Sin", "sin"), _unary("Cos", "cos")
    reciprocal = _unary("Reciprocal", "reciprocal")
    del _unary

    def clamp(self, min=None, max=None):  # noqa: A002 - torch's argument names
        dt = self.np_dtype
        lo = "" if min is None else self.graph.const(np.asarray(min, dt))
        hi = "" if max is None else self.graph.const(np.asarray(max, dt))
        return self._emit(self.real.clamp(min, max), "Clip", self.name, lo, hi)

    clip = clamp

    def softmax(self, dim):
        return self._emit(self.real.softmax(dim), "Softmax", self.name, axis=int(dim))

    def log_softmax(self, dim):
        return self._emit(self.real.log_softmax(dim), "LogSoftmax", self.name, axis=int(dim))

    def _reduce(self, op_type, method, dim, keepdim):
        real = getattr(self.real, method)(dim=dim, keepdim=keepdim)
        n = self.dim()
        axes = range(n) if dim is None else [d % n for d in ((dim,) if isinstance(dim, int) else dim)]
        return Value(self.graph, self.graph.reduce(op_type, self.name, axes, keepdim), real)

    def sum(self, dim=None, keepdim=False):
        return self._reduce("ReduceSum", "sum", dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return self._reduce("ReduceMean", "mean", dim, keepdim)

    # ------------------------------------------------------------------------------------- shapes
    def reshape(self, *shape):
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        real = self.real.reshape(*shape)
        return Value(self.graph, reshape(self.graph, self.name, tuple(self.shape), tuple(real.shape), shape), real)

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        real = self.real.flatten(start_dim, end_dim)
        return Value(self.graph, reshape(self.graph, self.name, tuple(self.shape), tuple(real.shape)), real)

    def permute(self, *dims):
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        n = self.dim()
        return self._emit(self.real.permute(*dims), "Transpose", self.name, perm=[d % n for d in dims])

    def transpose(self, dim0, dim1):
        perm = list(range(self.dim()))
        perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
        return self._emit(self.real.transpose(dim0, dim1), "Transpose", self.name, perm=perm)

    def t(self):
        return self.transpose(0, 1) if self.dim() == 2 else self

    @property
    def T(self):  # noqa: N802 - torch's name
        return self._emit(self.real.T, "Transpose", self.name, perm=list(range(self.dim()))[::-1])

    def unsqueeze(self, dim):
        d = dim % (self.dim() + 1)
        return self._emit(self.real.unsqueeze(dim), "Unsqueeze", self.name, self.graph.ints([d]))

    def squeeze(self, dim=None):
        real = self.real.squeeze() if dim is None else self.real.squeeze(dim)
        axes = [i for i, s in enumerate(self.shape) if s == 1] if dim is None else [dim % self.dim()]
        axes = [a for a in axes if self.shape[a] == 1]
        return self._emit(real, "Squeeze", self.name, self.graph.ints(axes)) if axes else self

    # ------------------------------------------------------------------------------------- dtypes
    def to(self, dtype=None, *args, **kwargs):
        if not isinstance(dtype, cr.dtype):
            return self  # a device: everything is on the CPU
        real = self.real.to(dtype)
        return Value(self.graph, self._as(real.detach().numpy().dtype), real)

    def float(self):
        return self.to(cr.float32)

    def double(self):
        return self.to(cr.float64)

    def detach(self):
        return self

    def contiguous(self):
        return self

    # ------------------------------------------------------------------------- what needs the data
    def _needs_data(what):
        def refuse(self, *args, **kwargs):
            raise TraceFailure(_DATA.format(what=what))

        return refuse

    __bool__ = _needs_data("bool() of a traced tensor, e.g. `if x.sum() > 0:`")
    __float__ = _needs_data("float() of a traced tensor")
    __int__ = __index__ = _needs_data("int() of a traced tensor")
    item, tolist, numpy = _needs_data("x.item()"), _needs_data("x.tolist()"), _needs_data("x.numpy()")
    __iter__ = _needs_data("iterating over a traced tensor")
    del _needs_data

    def __array__(self, *args, **kwargs):
        raise RawAccess("NumPy read a traced tensor as an array")

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if name in ("data", "_array"):  # .data, or an engine function reading the array (a primitive, cumsum, ...)
            raise RawAccess("it read the raw array")
        raise TraceFailure(f"Tensor.{name} is not supported by the ONNX exporter on traced tensors (supported: "
                           "operators, relu, sigmoid, tanh, exp, log, sqrt, abs, softmax, log_softmax, sum, mean, "
                           "flatten, reshape/view, permute, transpose, t, unsqueeze, squeeze, clamp, to)")


_COMPARE = ("Greater", "Less", "GreaterOrEqual", "LessOrEqual")


def reshape(g, x, in_shape, out_shape, requested=None):
    """A Reshape of ``x`` that keeps dynamic leading dimensions dynamic: every leading dimension that
    equals the input's at the same position is written 0 ("copy it from the input"), and the first other
    one -1 ("whatever is left"), unless the request had its own -1. Returns the output name."""
    target = list(out_shape)
    k = 0
    while k < min(len(in_shape), len(out_shape)) and in_shape[k] == out_shape[k] and in_shape[k] != 0:
        target[k] = 0
        k += 1
    if k == len(out_shape) and len(in_shape) == len(out_shape):
        return x  # the same shape
    rest = list(requested)[k:] if requested is not None and len(requested) == len(out_shape) else []
    if -1 in rest:
        target[k + rest.index(-1)] = -1
    elif k < len(target):
        target[k] = -1
    return g.op("Reshape", x, g.ints(target))
