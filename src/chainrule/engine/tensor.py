"""Tensor: an array, its gradient (``grad``) and the node that made it (``grad_fn``).

The class holds what a tensor *is*: its attributes, Python's operators (each a primitive of engine/ops or a
composite of them), conversions, the autograd methods and the in-place writes. The namespace functions
that torch also offers as methods (``x.sum()``, ``x.exp()``, ``x.reshape()``, ...) are attached in one
table in engine/methods.py.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from . import backend as B
from . import dtypes
from . import ops as P
from .autograd import _Mode, bind_tensor_type, labelled
from .autograd import graph as _graph
from .autograd.function import check_same_device
from .backend import ndarray, xp
from .device import CPU, device, parse_to
from .hooks import RemovableHandle
from .printing import tensor_repr
from .rng import as_rng, is_torch

_Device = device  # the type, under a name that Tensor.device (a property) does not hide

if TYPE_CHECKING:
    import numpy as np

    class ValuesIndices(NamedTuple):  # what max(dim)/min(dim)/sort/topk return
        values: Tensor
        indices: Tensor


_new = object.__new__
_np_generic = xp.generic


def _wrap(array, node):
    """A Tensor around an op's result, without the checks of ``tensor()`` (the hot path)."""
    t = _new(Tensor)
    if isinstance(array, _np_generic):  # NumPy returns scalars from 0-d arithmetic; keep arrays
        array = xp.asarray(array)
    t._array = array
    t.grad = None
    t.grad_fn = node
    t.requires_grad = node is not None
    t._out_idx = 0
    t._hooks = None
    return t


def _read_only_one(dt):
    a = xp.ones((), dt)
    a.flags.writeable = False  # shared by every loss.backward(): no backward may write into its upstream gradient
    return a


_ONES = {xp.dtype(dt): _read_only_one(dt) for dt in ("float32", "float64", "float16")}  # loss.backward()'s seed


def _arr(x):
    return x._array if isinstance(x, Tensor) else x


def _floating(x):
    return isinstance(x, float) or getattr(getattr(_arr(x), "dtype", None), "kind", "") == "f"


# ------------------------------------------------------------------------------- data -> array, torch's rules
def _to_array(data, dtype=None):
    """Convert data to an array with torch's dtype rules; refuse strings and objects with a TypeError.

    Python floats take the default dtype (float32), Python ints become int64, bools stay bool, and an
    array keeps its dtype (a float64 array stays float64)."""
    if isinstance(data, Tensor):
        arr = data._array
        return arr.astype(dtypes.as_dtype(dtype).np) if dtype is not None else arr.copy()
    foreign = not B.is_array(data) and hasattr(data, "__array__") and not isinstance(data, (list, tuple))
    from_array = foreign or B.is_array(data)  # an array (or an array-like such as a torch tensor) keeps its dtype
    if not from_array and isinstance(data, (list, tuple)) and builtins.any(isinstance(x, Tensor) for x in _flat(data)):
        data = _nested_tensors_to_arrays(data)
    try:
        arr = B.asarray(data)
    except (ValueError, TypeError) as err:
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__}: {err}. Expected numbers, nested lists of "
            f"numbers of a regular (rectangular) shape, or an array"
        ) from None
    kind = arr.dtype.kind
    if kind in "OUSVMmc":
        what = {"U": "strings", "S": "bytes", "c": "complex numbers", "M": "dates", "m": "timedeltas"}
        raise TypeError(
            f"cannot make a tensor from {what.get(kind, 'objects')} (array dtype {arr.dtype}); tensors "
            f"hold numbers: float32/float64, int64, bool"
        )
    if dtype is not None:
        return arr.astype(dtypes.as_dtype(dtype).np)
    if from_array:
        if arr.dtype not in dtypes._BY_NP:
            arr = arr.astype(B.int64 if kind in "iu" else dtypes.get_default_dtype().np)
        return arr.copy() if arr is data or foreign else arr
    if kind == "f":
        return arr.astype(dtypes.get_default_dtype().np, copy=False)
    if kind in "iu":
        return arr.astype(B.int64, copy=False)
    return arr


def _flat(x):
    for e in x:
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


def _nested_tensors_to_arrays(x):
    if isinstance(x, (list, tuple)):
        return [_nested_tensors_to_arrays(e) for e in x]
    return x._array if isinstance(x, Tensor) else x


class Tensor:
    """An n-dimensional array that can record the operations applied to it, so that ``backward()`` can
    apply the chain rule through them: ``grad`` holds ∂(output)/∂(this tensor) afterwards.

    As in PyTorch, ``t.data`` is a Tensor that shares t's memory outside autograd: ``p.data.add_(...)``,
    ``p.grad.data.zero_()``, ``w.data.normal_()`` and ``p.data -= lr * p.grad`` change t unrecorded. The array
    itself (NumPy on the CPU, CuPy on CUDA) is the engine's business; ``t.numpy()`` gives a NumPy view of it.
    """

    __slots__ = ("_array", "grad", "grad_fn", "requires_grad", "_out_idx", "_hooks", "__weakref__")
    grad: Tensor | None
    grad_fn: Any
    requires_grad: builtins.bool

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs) -> Any:
        """NumPy meets a Tensor (never on the engine's path: ops pass raw arrays to NumPy).

        ``ndarray ⊕ tensor`` becomes the Tensor operation; ``array += tensor`` (``a += -lr * p.grad``,
        the micrograd/makemore update on an array) writes into the array, outside autograd;
        other ufuncs (``np.exp(t)``) compute on the data and return an array, unless that would drop a
        gradient."""
        pair = _UFUNC_OPS.get(ufunc.__name__) if method == "__call__" and out is None and not kwargs else None
        if pair is not None and len(inputs) == 2:
            a, b = inputs
            return getattr(a, pair[0])(b) if isinstance(a, Tensor) else getattr(b, pair[1])(a)
        if out is None and any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
            raise TypeError(
                f"numpy.{ufunc.__name__} on a Tensor that requires grad would drop its gradient: use the "
                f"chainrule function (e.g. chainrule.exp(x) or x.exp()), or x.detach().numpy() for the numbers"
            )
        arrays = [x._array if isinstance(x, Tensor) else x for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(o._array if isinstance(o, Tensor) else o for o in out)
        return getattr(ufunc, method)(*arrays, **kwargs)
    __hash__ = object.__hash__  # tensors hash by identity (== is elementwise)

    def __init__(self, *data, dtype=None, requires_grad=False) -> None:
        """``Tensor(data)`` copies data into a float tensor (the default dtype); ``Tensor(2, 3)`` is a zero
        (2, 3) tensor (torch's legacy constructor; torch leaves it uninitialised, chainrule zeroes it)."""
        dt = dtype if dtype is not None else dtypes.get_default_dtype()
        if len(data) == 1 and type(data[0]) is not int:
            self._array = _to_array(data[0], dt)
        elif all(type(n) is int and n >= 0 for n in data):
            self._array = xp.zeros(data or (0,), dtype=dtypes.as_dtype(dt).np)
        else:
            raise TypeError(
                f"Tensor(*sizes) takes non-negative ints, or Tensor(data) one sequence; got {data!r}. "
                f"Use chainrule.tensor(data) to make a tensor from data"
            )
        self.grad = None
        self.grad_fn = None
        self.requires_grad = bool(requires_grad)
        self._out_idx = 0
        self._hooks = None

    # ------------------------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    @overload
    def size(self, dim: None = None) -> Size: ...
    @overload
    def size(self, dim: builtins.int) -> builtins.int: ...
    def size(self, dim=None):
        return self.shape if dim is None else self._array.shape[dim]

    @property
    def ndim(self) -> builtins.int:
        return self._array.ndim

    def dim(self) -> builtins.int:
        return self._array.ndim

    def numel(self) -> builtins.int:
        return int(self._array.size)

    nelement = numel
    ndimension = dim

    def __len__(self) -> builtins.int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_np(self._array.dtype)

    @property
    def device(self) -> _Device:
        a = self._array
        return CPU if B.on_host(a) else device(*B.device_of(a))

    @property
    def is_cuda(self) -> builtins.bool:
        return not B.on_host(self._array)

    @property
    def data(self) -> Tensor:
        """This tensor's values as a new Tensor that shares the memory and is outside autograd (no grad_fn,
        requires_grad=False), as torch's ``.data``: ``p.data.add_(...)``, ``x.grad.data.zero_()``,
        ``w.data.normal_()`` change this tensor without being recorded. (``detach()`` is the same thing.)"""
        return _wrap(self._array, None)

    @data.setter
    def data(self, value) -> Tensor:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"Tensor.data must be set to a Tensor, got {type(value).__name__} (torch's rule); for an "
                f"array write t.data = chainrule.from_numpy(array)"
            )
        self._array = value._array

    @property
    def is_leaf(self) -> builtins.bool:
        return self.grad_fn is None

    def is_floating_point(self) -> builtins.bool:
        return self._array.dtype.kind == "f"

    def numpy(self) -> np.ndarray[Any, Any]:
        """The values as a NumPy array sharing this tensor's memory (a CPU tensor only, as torch)."""
        a = self._array
        if type(a) is not ndarray:
            if not B.on_host(a):
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                                f"the tensor to host memory first.")
            if B.CAPTURE.graph is not None:  # (a traced view): NumPy code on it would escape the recording
                raise B.CaptureError(
                    "Tensor.numpy() inside a captured region: NumPy code on its result runs once, at capture, and "
                    "every replay would reuse what it computed then; use tensor operations instead (or run this "
                    "step eagerly)")
        return a

    def __array__(self, dtype=None, copy=None) -> Any:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def item(self) -> builtins.int | builtins.float | builtins.bool:
        if self._array.size != 1:
            raise ValueError(
                f"a Tensor with {self._array.size} elements cannot be converted to a Python number"
            )
        return self._array.item()

    def tolist(self) -> Any:
        return self._array.tolist()

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        if self._array.dtype.kind not in "iu" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> builtins.bool:
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._array.size} elements is ambiguous")
        return builtins.bool(self._array.item())

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec) -> str:
        """As torch: a 0-d tensor formats as its number (``f"{loss:.4f}"``, and ``f"{loss}"`` prints
        2.4565999507904053, not tensor(2.4566)); any other tensor prints its repr, and takes no format spec."""
        if self._array.ndim == 0 and type(self) is Tensor:
            return format(self._array.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string passed to Tensor.__format__: a tensor of shape "
                            f"{tuple(self._array.shape)} is not a number (format .item() or .tolist() instead)")
        return repr(self)

    # ------------------------------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=False) -> None:
        """Compute ∂self/∂leaf for every leaf that requires grad and add it to ``leaf.grad``."""
        if gradient is None and self.grad_fn is not None and self._array.size == 1:  # the usual loss.backward()
            a = self._array
            seed = _ONES.get(a.dtype) if type(a) is ndarray and a.ndim == 0 else None
            if seed is None:
                seed = B.ones(a.shape, a.dtype, like=a)
            _graph._run_backward((self,), (seed,), retain_graph)
        else:
            _graph.backward(self, gradient, retain_graph)

    def detach(self) -> Tensor:
        return _wrap(self._array, None)

    def detach_(self) -> Tensor:
        self.grad_fn, self.requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad=True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf tensors; use .detach() for a non-leaf"
            )
        if requires_grad and self._array.dtype.kind != "f":
            raise RuntimeError(f"only floating point tensors can require gradients, not {self.dtype}")
        self.requires_grad = builtins.bool(requires_grad)
        return self

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed; a returned
        tensor replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            node = self.grad_fn
            if node._hooks is None:
                node._hooks = {}
            hooks = node._hooks.setdefault(self._out_idx, {})
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward (as PyTorch)."""
        if self.grad_fn is None or getattr(self, "_retains", False):
            return

        def keep(g):
            self.grad = g if self.grad is None else _wrap(self.grad._array + g._array, None)

        self.register_hook(keep)

    @property
    def retains_grad(self) -> builtins.bool:
        node = self.grad_fn
        return builtins.bool(node is not None and node._hooks and node._hooks.get(self._out_idx))

    # --------------------------------------------------------------------------------- arithmetic
    def __add__(self, o) -> Tensor:
        return P.Add.apply(self, o)

    __radd__ = __add__

    def __sub__(self, o) -> Tensor:  # a − b = a + (−b); a constant b is negated without recording a node
        if isinstance(o, Tensor):
            if o.requires_grad and _Mode.grad:
                return labelled(P.Add.apply(self, P.Neg.apply(o)), "SubBackward0", (self, o))
            o = o._array
        return labelled(P.Add.apply(self, -o), "SubBackward0")

    def __rsub__(self, o) -> Tensor:
        return labelled(P.Add.apply(P.Neg.apply(self), o), "RsubBackward1", (self,))

    def __mul__(self, o) -> Tensor:
        return P.Mul.apply(self, o)

    __rmul__ = __mul__

    def __truediv__(self, o) -> Tensor:
        if self._array.dtype.kind != "f" and not _floating(o):  # int / int is a float (the default dtype)
            self = self.to(dtypes.get_default_dtype())
        return labelled(P.Div.apply(self, o), "DivBackward0")

    def __rtruediv__(self, o) -> Tensor:  # n / t = t⁻¹ · n, as torch computes it (and names it: MulBackward0)
        if self._array.dtype.kind != "f" and not _floating(o):
            self = self.to(dtypes.get_default_dtype())
        return P.Mul.apply(labelled(P.Pow.apply(self, -1.0), "ReciprocalBackward0", (self,)), o)

    def __pow__(self, o) -> Tensor:
        return P.Pow.apply(self, o)

    def __rpow__(self, o) -> Tensor:
        return P.Pow.apply(B.as_like(xp.asarray(o, dtype=self._array.dtype), self._array), self)

    def __neg__(self) -> Tensor:
        return P.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, o) -> Tensor:
        return _matmul(self, o)

    def __rmatmul__(self, o) -> Tensor:
        return _matmul(o, self)

    def __abs__(self) -> Tensor:
        return P.Abs.apply(self)

    # comparisons: boolean tensors, no gradient
    def __eq__(self, o) -> Tensor:
        return _wrap(self._array == _arr(o), None)

    def __ne__(self, o) -> Tensor:
        return _wrap(self._array != _arr(o), None)

    def __lt__(self, o) -> Tensor:
        return _wrap(self._array < _arr(o), None)

    def __le__(self, o) -> Tensor:
        return _wrap(self._array <= _arr(o), None)

    def __gt__(self, o) -> Tensor:
        return _wrap(self._array > _arr(o), None)

    def __ge__(self, o) -> Tensor:
        return _wrap(self._array >= _arr(o), None)

    def __invert__(self) -> Tensor:
        return _wrap(~self._array, None)

    def __and__(self, o) -> Tensor:
        return _wrap(self._array & _arr(o), None)

    def __or__(self, o) -> Tensor:
        return _wrap(self._array | _arr(o), None)

    def __xor__(self, o) -> Tensor:
        return _wrap(self._array ^ _arr(o), None)

    # ------------------------------------------------------------------------------------ in place
    def _tracked(self, other=None):
        """Must an in-place op on self be recorded in the graph? On a tensor that is part of a graph it is
        recorded out of place and the tensor is rebound to the result (PyTorch's history rewrite), so
        nodes that saved the old value keep it. On a leaf that requires grad it is refused."""
        if not _Mode.grad:
            return False
        if self.requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation. Wrap "
                    "the update in `with chainrule.no_grad():` (as optimizers do) or use an "
                    "out-of-place op"
                )
            return True
        return isinstance(other, Tensor) and other.requires_grad

    def _rebind(self, res):
        self._array, self.grad_fn, self.requires_grad = res._array, res.grad_fn, res.requires_grad
        self._out_idx = res._out_idx
        return self

    def _binary_inplace(self, o, op, ufunc):
        if self._tracked(o):
            return self._rebind(op(self, o))
        a, b = self._array, _arr(o)
        try:
            ufunc(a, b, out=a, casting="same_kind")
        except (TypeError, ValueError) as err:
            check_same_device(f"{ufunc.__name__}_", (a, b))
            if B.is_read_only(a):  # a broadcast view (expand's result): the tensor gets a new array
                self._array = ufunc(a, b).astype(a.dtype, copy=False)
                return self
            raise RuntimeError(
                f"in-place {ufunc.__name__} on a tensor of shape {tuple(a.shape)} and dtype {self.dtype} "
                f"with an operand of shape {tuple(xp.shape(b))} and dtype {xp.result_type(b)}: the "
                f"result must keep the tensor's shape and dtype ({err})"
            ) from None
        return self

    def add_(self, other, *, alpha=1) -> Tensor:
        """self ← self + alpha·other, in place."""
        if alpha != 1:  # (outside a graph, alpha·other is one array product: an optimizer's p.add_(g, alpha=-lr))
            other = other * alpha if self._tracked(other) else _arr(other) * alpha
        return self._binary_inplace(other, Tensor.__add__, xp.add)

    def sub_(self, other, *, alpha=1) -> Tensor:
        """self ← self − alpha·other, in place."""
        if alpha != 1:
            other = other * alpha if self._tracked(other) else _arr(other) * alpha
        return self._binary_inplace(other, Tensor.__sub__, xp.subtract)

    def mul_(self, other) -> Tensor:
        """self ← self·other, in place."""
        return self._binary_inplace(other, Tensor.__mul__, xp.multiply)

    def div_(self, other) -> Tensor:
        """self ← self / other, in place."""
        return self._binary_inplace(other, Tensor.__truediv__, xp.true_divide)

    def addcmul_(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self ← self + value·tensor1·tensor2, in place (optimizers' second moments: v ← v + (1−β)·g·g)."""
        if self._tracked(tensor1) or self._tracked(tensor2):
            return self._rebind(self.addcmul(tensor1, tensor2, value=value))
        prod = _arr(tensor1) * value if value != 1 else _arr(tensor1) * 1
        prod *= _arr(tensor2)
        return self._binary_inplace(prod, None, xp.add)

    def addcdiv_(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self ← self + value·tensor1/tensor2, in place (Adam's θ ← θ − γ·m/(√v + ε))."""
        if self._tracked(tensor1) or self._tracked(tensor2):
            return self._rebind(self.addcdiv(tensor1, tensor2, value=value))
        q = _arr(tensor1) / _arr(tensor2)
        if isinstance(value, Tensor) or value != 1:  # (a tensor value: a captured step's step-dependent rate)
            q *= _arr(value)
        return self._binary_inplace(q, None, xp.add)

    def addcmul(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value·tensor1·tensor2."""
        return self + tensor1 * value * tensor2 if value != 1 else self + tensor1 * tensor2

    def addcdiv(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value·tensor1/tensor2."""
        return self + tensor1 / tensor2 * value if value != 1 else self + tensor1 / tensor2

    def lerp_(self, end, weight) -> Tensor:
        """self ← self + weight·(end − self), in place. A number weight rounds as torch does, exact at 0 and 1:
        it steps from self when weight < ½ and back from end otherwise (EMAs: m ← m + (1−β)(g − m))."""
        if isinstance(weight, Tensor) or self._tracked(end):  # a tensor weight, or a graph: the composite
            res = self + (end - self) * weight
            return self._rebind(res) if self._tracked(end) or self._tracked(weight) else self.copy_(res)
        a, b = self._array, _arr(end)
        t = b - a
        if weight < 0.5:
            t *= weight
            a += t
        else:
            t *= 1 - weight
            xp.subtract(b, t, out=a)
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        return self.copy_(value)

    def copy_(self, src) -> Tensor:
        """Write src (broadcast) into this tensor; differentiable with respect to src. A source on another
        device is copied across (as torch's copy_)."""
        s = _arr(src)
        a = self._array
        if type(s) is ndarray and type(a) is ndarray and s.shape == a.shape and not self.requires_grad and not (
                isinstance(src, Tensor) and src.requires_grad):
            a[...] = s  # the common case (a batch into a captured step's input): nothing to check
            return self
        if hasattr(s, "shape") and B.on_host(s) != B.on_host(self._array):
            s = B.to_device(s, *B.device_of(self._array))
            src = s
        try:
            xp.broadcast_to(s, self._array.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: a source of shape {tuple(xp.shape(s))} cannot be broadcast to the destination's "
                f"shape {tuple(self._array.shape)}"
            ) from None
        if self._tracked(src):
            return self._rebind(P.Add.apply(P.Mul.apply(self, 0), src))
        self._array[...] = s
        return self

    def __setitem__(self, index, value) -> None:
        index, _ = _index(index, self._array)
        if self._tracked(value):
            self._rebind(P.IndexPut.apply(self, value, index=index))
            return
        self._array[index] = _arr(value)

    # ----------------------------------------------------------------------------- dtype conversion
    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False, **kwargs) -> Tensor:
        """``to(dtype)``, ``to(device)`` or ``to(device, dtype)``; differentiable through a cast and a move
        (the gradient goes back to this tensor's device)."""
        device, dtype = parse_to(args, dtype, device)
        if device is not None and device != self.device:
            moved = P.ToDevice.apply(self, device_type=device.type, index=device.index)
            return moved.to(dtype) if dtype is not None else moved
        if dtype is None:
            return self.clone() if copy else self
        np_dt = dtype.np
        if np_dt == self._array.dtype:
            return self.clone() if copy else self
        if self.requires_grad and np_dt.kind == "f":
            return P.Cast.apply(self, dtype=np_dt)
        return _wrap(self._array.astype(np_dt), None)

    def astype(self, dtype) -> Tensor:
        return self.to(dtype)

    def type(self, dtype=None) -> Tensor:
        """No argument: the legacy type name, as torch (``'chainrule.FloatTensor'``); else a cast to ``dtype``
        (a dtype, a legacy type such as ``chainrule.LongTensor``, or its name)."""
        if dtype is None:
            return f"{dtypes.shown_module}.{_LEGACY_NAMES.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str) and dtype.split(".")[-1] in _LEGACY_DTYPES:
            dtype = dtypes.as_dtype(_LEGACY_DTYPES[dtype.split(".")[-1]])
        return self.to(getattr(dtype, "dtype", dtype))

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def cpu(self, memory_format=None) -> Tensor:
        """This tensor on the CPU (itself when it is there)."""
        return self if B.on_host(self._array) else self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None) -> Tensor:
        """This tensor on the GPU (``cuda:device``)."""
        return self.to("cuda" if device is None else device)

    def clone(self) -> Tensor:
        return P.Clone.apply(self)

    def contiguous(self, memory_format=None) -> Tensor:
        return self

    def is_contiguous(self, memory_format=None) -> builtins.bool:
        return builtins.bool(self._array.flags.c_contiguous)

    def element_size(self) -> builtins.int:
        return self._array.dtype.itemsize

    def stride(self, dim=None) -> Any:
        st = tuple(s // self._array.dtype.itemsize for s in self._array.strides)
        return st if dim is None else st[dim]

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return P.Permute.apply(self, dims=tuple(range(self._array.ndim))[::-1])

    # ---------------------------------------------------------------------------------- random fills
    def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
        """Fill with samples of N(mean, std²) (in place)."""
        rng, a = as_rng(generator), self._array
        if is_torch(rng):  # torch's kernel depends on the dtype
            return self.copy_(rng.normal_(a.shape, a.dtype, mean, std))
        return self.copy_(rng.normal(mean, std, a.shape).astype(a.dtype))

    def uniform_(self, a=0.0, b=1.0, *, generator=None) -> Tensor:
        """Fill with samples of U[a, b) (in place)."""
        rng, arr = as_rng(generator), self._array
        if is_torch(rng):  # torch's kernel depends on the dtype
            return self.copy_(rng.uniform_(arr.shape, arr.dtype, a, b))
        return self.copy_(rng.uniform(a, b, arr.shape).astype(arr.dtype))

    if TYPE_CHECKING:  # what engine/methods.py attaches (x.sum(), x.softmax(), x.add_(), ...), for type checkers
        def add(self, other: Any, *, alpha: Any = ..., out: Any = ...) -> Tensor: ...
        def sub(self, other: Any, *, alpha: Any = ..., out: Any = ...) -> Tensor: ...
        def subtract(self, other: Any, *, alpha: Any = ..., out: Any = ...) -> Tensor: ...
        def mul(self, other: Any, *, out: Any = ...) -> Tensor: ...
        def multiply(self, other: Any, *, out: Any = ...) -> Tensor: ...
        def div(self, other: Any, *, rounding_mode: Any = ..., out: Any = ...) -> Tensor: ...
        def divide(self, other: Any, *, rounding_mode: Any = ..., out: Any = ...) -> Tensor: ...
        def true_divide(self, other: Any, *, rounding_mode: Any = ..., out: Any = ...) -> Tensor: ...
        def floor_divide(self, other: Any) -> Tensor: ...
        def remainder(self, other: Any) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def pow(self, exponent: Any) -> Tensor: ...
        def reciprocal(self) -> Tensor: ...
        def square(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def rsqrt(self) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def log2(self) -> Tensor: ...
        def log10(self) -> Tensor: ...
        def exp2(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tan(self) -> Tensor: ...
        def sinh(self) -> Tensor: ...
        def cosh(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def clamp(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clip(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clamp_min(self, min: Any) -> Tensor: ...
        def clamp_max(self, max: Any) -> Tensor: ...
        def maximum(self, other: Any) -> Tensor: ...
        def minimum(self, other: Any) -> Tensor: ...
        def lerp(self, end: Any, weight: Any) -> Tensor: ...
        def nan_to_num(self, nan: Any = ..., posinf: Any = ..., neginf: Any = ...) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def floor(self) -> Tensor: ...
        def round(self, decimals: Any = ...) -> Tensor: ...
        def ceil(self) -> Tensor: ...
        def trunc(self) -> Tensor: ...
        def fix(self) -> Tensor: ...
        def frac(self) -> Tensor: ...
        def eq(self, other: Any) -> Tensor: ...
        def ne(self, other: Any) -> Tensor: ...
        def lt(self, other: Any) -> Tensor: ...
        def le(self, other: Any) -> Tensor: ...
        def gt(self, other: Any) -> Tensor: ...
        def ge(self, other: Any) -> Tensor: ...
        def greater(self, other: Any) -> Tensor: ...
        def greater_equal(self, other: Any) -> Tensor: ...
        def less(self, other: Any) -> Tensor: ...
        def less_equal(self, other: Any) -> Tensor: ...
        def not_equal(self, other: Any) -> Tensor: ...
        def logical_and(self, other: Any) -> Tensor: ...
        def logical_or(self, other: Any) -> Tensor: ...
        def logical_xor(self, other: Any) -> Tensor: ...
        def logical_not(self) -> Tensor: ...
        def isnan(self) -> Tensor: ...
        def isfinite(self) -> Tensor: ...
        def allclose(self, other: Any, rtol: Any = ..., atol: Any = ..., equal_nan: Any = ...) -> builtins.bool: ...
        def isclose(self, other: Any, rtol: Any = ..., atol: Any = ..., equal_nan: Any = ...) -> Tensor: ...
        def equal(self, other: Any) -> builtins.bool: ...
        def sum(self, dim: Any = ..., keepdim: Any = ..., dtype: Any = ..., **np_names: Any) -> Tensor: ...
        def mean(self, dim: Any = ..., keepdim: Any = ..., dtype: Any = ..., **np_names: Any) -> Tensor: ...
        def var(self, dim: Any = ..., *, correction: Any = ..., keepdim: Any = ..., unbiased: Any = ...,
                **np_names: Any) -> Tensor: ...
        def std(self, dim: Any = ..., *, correction: Any = ..., keepdim: Any = ..., unbiased: Any = ...,
                **np_names: Any) -> Tensor: ...
        @overload
        def max(self) -> Tensor: ...
        @overload
        def max(self, dim: builtins.int, keepdim: builtins.bool = ...) -> ValuesIndices: ...
        @overload
        def max(self, other: Tensor) -> Tensor: ...
        @overload
        def min(self) -> Tensor: ...
        @overload
        def min(self, dim: builtins.int, keepdim: builtins.bool = ...) -> ValuesIndices: ...
        @overload
        def min(self, other: Tensor) -> Tensor: ...
        def amax(self, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def amin(self, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def argmax(self, dim: Any = ..., keepdim: Any = ..., **np_names: Any) -> Tensor: ...
        def argmin(self, dim: Any = ..., keepdim: Any = ..., **np_names: Any) -> Tensor: ...
        def logsumexp(self, dim: Any, keepdim: Any = ...) -> Tensor: ...
        def norm(self, p: Any = ..., dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def softmax(self, dim: Any, dtype: Any = ...) -> Tensor: ...
        def log_softmax(self, dim: Any, dtype: Any = ...) -> Tensor: ...
        def all(self, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def any(self, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def cumsum(self, dim: Any, dtype: Any = ...) -> Tensor: ...
        def prod(self, dim: Any = ..., keepdim: Any = ..., dtype: Any = ...) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_dim: Any = ..., end_dim: Any = ...) -> Tensor: ...
        def unflatten(self, dim: Any, sizes: Any) -> Tensor: ...
        def permute(self, *dims: Any) -> Tensor: ...
        def transpose(self, dim0: Any, dim1: Any) -> Tensor: ...
        def swapaxes(self, dim0: Any, dim1: Any) -> Tensor: ...
        def t(self) -> Tensor: ...
        def squeeze(self, dim: Any = ...) -> Tensor: ...
        def unsqueeze(self, dim: Any) -> Tensor: ...
        def expand(self, *sizes: Any) -> Tensor: ...
        def expand_as(self, other: Any) -> Tensor: ...
        def broadcast_to(self, size: Any) -> Tensor: ...
        def movedim(self, source: Any, destination: Any) -> Tensor: ...
        def moveaxis(self, source: Any, destination: Any) -> Tensor: ...
        def repeat(self, *sizes: Any) -> Tensor: ...
        def tile(self, dims: Any) -> Tensor: ...
        def gather(self, dim: Any, index: Any) -> Tensor: ...
        def take_along_dim(self, indices: Any, dim: Any) -> Tensor: ...
        def index_select(self, dim: Any, index: Any) -> Tensor: ...
        def select(self, dim: Any, index: Any) -> Tensor: ...
        def masked_fill(self, mask: Any, value: Any) -> Tensor: ...
        def scatter(self, dim: Any, index: Any, src: Any = ..., value: Any = ...) -> Tensor: ...
        def narrow(self, dim: Any, start: Any, length: Any) -> Tensor: ...
        def split(self, split_size_or_sections: Any, dim: Any = ...) -> tuple[Tensor, ...]: ...
        def chunk(self, chunks: Any, dim: Any = ...) -> tuple[Tensor, ...]: ...
        def tensor_split(self, indices_or_sections: Any, dim: Any = ...) -> tuple[Tensor, ...]: ...
        def unbind(self, dim: Any = ...) -> tuple[Tensor, ...]: ...
        def flip(self, dims: Any) -> Tensor: ...
        def fliplr(self) -> Tensor: ...
        def flipud(self) -> Tensor: ...
        def roll(self, shifts: Any, dims: Any = ...) -> Tensor: ...
        def matmul(self, other: Any, *, out: Any = ...) -> Tensor: ...
        def mm(self, mat2: Any) -> Tensor: ...
        def bmm(self, mat2: Any) -> Tensor: ...
        def mv(self, mat2: Any) -> Tensor: ...
        def dot(self, other: Any) -> Tensor: ...
        def outer(self, vec2: Any) -> Tensor: ...
        def ger(self, vec2: Any) -> Tensor: ...
        def trace(self) -> Tensor: ...
        def diag(self, diagonal: Any = ...) -> Tensor: ...
        def tril(self, diagonal: Any = ...) -> Tensor: ...
        def triu(self, diagonal: Any = ...) -> Tensor: ...
        def argsort(self, dim: Any = ..., descending: Any = ..., stable: Any = ...) -> Tensor: ...
        def sort(self, dim: Any = ..., descending: Any = ..., stable: Any = ...) -> ValuesIndices: ...
        def topk(self, k: Any, dim: Any = ..., largest: Any = ..., sorted: Any = ...) -> ValuesIndices: ...
        def median(self, dim: Any = ..., keepdim: Any = ...) -> Any: ...
        def nonzero(self, *, as_tuple: Any = ...) -> Tensor: ...
        def argwhere(self) -> Tensor: ...
        def count_nonzero(self, dim: Any = ...) -> Tensor: ...
        def unique(self, sorted: Any = ..., return_inverse: Any = ..., return_counts: Any = ...,
                   dim: Any = ...) -> Any: ...
        def bincount(self, weights: Any = ..., minlength: Any = ...) -> Tensor: ...
        def histogram(self, bins: Any, *, range: Any = ..., weight: Any = ..., density: Any = ...) -> tuple[Tensor,
                      Tensor]: ...
        def histc(self, bins: Any = ..., min: Any = ..., max: Any = ...) -> Tensor: ...
        def abs_(self) -> Tensor: ...
        def neg_(self) -> Tensor: ...
        def exp_(self) -> Tensor: ...
        def log_(self) -> Tensor: ...
        def sqrt_(self) -> Tensor: ...
        def sin_(self) -> Tensor: ...
        def cos_(self) -> Tensor: ...
        def tanh_(self) -> Tensor: ...
        def sigmoid_(self) -> Tensor: ...
        def relu_(self) -> Tensor: ...
        def clamp_(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clip_(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def pow_(self, exponent: Any) -> Tensor: ...
        def floor_(self) -> Tensor: ...
        def ceil_(self) -> Tensor: ...
        def round_(self, decimals: Any = ...) -> Tensor: ...
        def trunc_(self) -> Tensor: ...
        def reciprocal_(self) -> Tensor: ...
        def square_(self) -> Tensor: ...
        def sign_(self) -> Tensor: ...
        def log1p_(self) -> Tensor: ...
        def expm1_(self) -> Tensor: ...
        def clamp_min_(self, min: Any) -> Tensor: ...
        def clamp_max_(self, max: Any) -> Tensor: ...
        def remainder_(self, other: Any) -> Tensor: ...
        def floor_divide_(self, other: Any) -> Tensor: ...
        def nan_to_num_(self, nan: Any = ..., posinf: Any = ..., neginf: Any = ...) -> Tensor: ...
        def masked_fill_(self, mask: Any, value: Any) -> Tensor: ...
        def scatter_(self, dim: Any, index: Any, src: Any = ..., value: Any = ...) -> Tensor: ...
        def new_zeros(self, *args: Any, **kwargs: Any) -> Tensor: ...
        def new_ones(self, *args: Any, **kwargs: Any) -> Tensor: ...
        def new_empty(self, *args: Any, **kwargs: Any) -> Tensor: ...
        def new_full(self, *args: Any, **kwargs: Any) -> Tensor: ...
        def new_tensor(self, *args: Any, **kwargs: Any) -> Tensor: ...
        def negative(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __floordiv__(self, other: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __mod__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __ifloordiv__(self, other: Any) -> Tensor: ...
        def __imod__(self, other: Any) -> Tensor: ...
        def where(self, condition: Any, other: Any) -> Tensor: ...
        def reshape_as(self, other: Tensor) -> Tensor: ...
        def view_as(self, other: Tensor) -> Tensor: ...
        @property
        def mT(self) -> Tensor: ...


_UFUNC_OPS = {  # ufunc name -> (the method when the Tensor is on the left, when it is on the right)
    "add": ("__add__", "__radd__"), "subtract": ("__sub__", "__rsub__"), "multiply": ("__mul__", "__rmul__"),
    "true_divide": ("__truediv__", "__rtruediv__"), "divide": ("__truediv__", "__rtruediv__"),
    "power": ("__pow__", "__rpow__"), "matmul": ("__matmul__", "__rmatmul__"),
    "floor_divide": ("__floordiv__", "__rfloordiv__"), "remainder": ("__mod__", "__rmod__"),
    "equal": ("__eq__", "__eq__"), "not_equal": ("__ne__", "__ne__"), "less": ("__lt__", "__gt__"),
    "less_equal": ("__le__", "__ge__"), "greater": ("__gt__", "__lt__"), "greater_equal": ("__ge__", "__le__"),
    "bitwise_and": ("__and__", "__and__"), "bitwise_or": ("__or__", "__or__"), "bitwise_xor": ("__xor__", "__xor__"),
}


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
                 "int32": "IntTensor", "bool": "BoolTensor", "uint8": "ByteTensor"}
_LEGACY_DTYPES = {legacy: name for name, legacy in _LEGACY_NAMES.items()}


class Size(tuple[builtins.int, ...]):
    """A tensor's shape: a tuple that prints like torch.Size."""

    def __repr__(self) -> str:
        return f"{dtypes.shown_module}.Size({list(self)})"

    def numel(self) -> builtins.int:
        n = 1
        for s in self:
            n *= s
        return n


def _index(index, like=None):
    """Normalise an index: Tensors and lists become arrays, on the device of ``like`` (the indexed array: a
    CUDA tensor takes a CPU index, as torch's). Returns (index, is_advanced)."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    adv = False
    for i in index:
        if isinstance(i, Tensor):
            i = i._array
            adv = adv or i.ndim > 0 or i.dtype.kind == "b"
        elif isinstance(i, (list, ndarray)):
            i = xp.asarray(i)
            adv = True
        if like is not None and isinstance(i, B.ARRAY_TYPES):
            i = B.as_like(i, like)
        out.append(i)
    return (tuple(out) if len(out) != 1 else out[0]), adv


def _matmul(a, b):
    """Matrix product with PyTorch's rules (1-d, 2-d, batched); a shape mismatch names both shapes."""
    try:
        out = P.MatMul.apply(a, b)
    except ValueError:
        sa, sb = xp.shape(_arr(a)), xp.shape(_arr(b))
        if not sa or not sb:
            raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes {sa} and {sb}") from None
        ka, kb = sa[-1], (sb[0] if len(sb) == 1 else sb[-2])
        raise ValueError(
            f"matmul: shapes {tuple(sa)} and {tuple(sb)} cannot be multiplied ({ka} != {kb}: the last "
            f"dimension of the first must equal the {'only' if len(sb) == 1 else 'second-to-last'} "
            f"dimension of the second)"
        ) from None
    if out.grad_fn is not None:  # torch's names for the 2-d, matrix-vector and vector cases
        name = _MATMUL_NAMES.get((xp.ndim(_arr(a)), xp.ndim(_arr(b))))
        if name:
            out.grad_fn._label = name
    return out


_MATMUL_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0", (3, 3): "BmmBackward0"}

bind_tensor_type(Tensor, _wrap)
