"""``Function``: a node of the graph (forward + backward), and how calling one records it.

Reverse mode in one paragraph. Every differentiable operation is a ``Function``. Calling ``F.apply(x, y)``
runs ``F.forward`` and, when some input requires a gradient, records a node (the ``ctx``) that remembers
its inputs' *edges*: where each input's gradient must go (the node that produced it, or the leaf tensor
itself). ``backward()`` (graph.py) walks the nodes in reverse topological order; each node receives the
upstream gradient ∂L/∂out and returns ∂L/∂in = ∂L/∂out · ∂out/∂in for each input -- the chain rule, one
gate at a time.

Two calling conventions, one mechanism: user ``Function``s (PyTorch's contract) see Tensors in ``forward``
and ``backward``; the engine's primitives in ``engine/ops`` set ``_arrays = True`` and see the raw arrays,
which keeps per-op overhead low.
"""

from __future__ import annotations

import itertools
import weakref

from .. import backend as B
from .. import dtypes
from ..backend import PLAIN as _PLAIN
from ..backend import device_of, xp
from ..backend import ndarray as _ndarray
from ..dtypes import get_default_dtype
from .grad_mode import _Mode, _slow_path

# Bound by engine/tensor.py (see bind_tensor_type): the engine needs the Tensor type and its fast
# constructor on every op, and Tensor itself is built on this module.
Tensor = None
_wrap = None

# Every recorded node gets an increasing sequence number: a node's consumers are always created after
# it, so processing nodes from the highest number down is a topological order (as in PyTorch).
_seq = itertools.count()


# --------------------------------------------------------------------------------------------- Function
class _NodeName:
    """``node.name()``: torch's name for the node -- the one a composite's last node is shown under
    (SubBackward0 for the Add that ends a − b), else ``op_name()``; on the class, ``op_name``."""

    def __get__(self, node, cls):
        if node is None or node._label is None:
            return cls.op_name
        label = node._label
        return lambda: label


class Function:
    """An operation with its own forward and derivative; an instance is both the graph node and ``ctx``.

    Subclass it with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):                 # x: Tensor
                ctx.save_for_backward(x)
                return x ** 3
            @staticmethod
            def backward(ctx, grad_out):         # ∂L/∂y  ->  ∂L/∂x = ∂L/∂y · 3x²
                (x,) = ctx.saved_tensors
                return grad_out * 3 * x ** 2

        y = Cube.apply(x)

    ``backward`` returns one gradient per ``forward`` argument (``None`` for non-tensors or when
    ``ctx.needs_input_grad[i]`` is False). Broadcasting is undone by the engine, not by each op.
    """

    _arrays = False  # Primitive (below): forward/backward take and return raw arrays
    _edges = ()
    _n_out = 1
    _hooks = None  # {output index: [fn, ...]} tensor hooks of non-leaf outputs
    _freed = False
    _label = None  # torch's name for a composite's last node (MeanBackward0 for sum·(1/n)): printing only
    _shown = None  # torch's next_functions for that composite (its own inputs, not the last node's)
    _created_at = None
    _non_diff = ()
    _seq = 0

    # --- ctx API (PyTorch's) ---
    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        return self._saved

    @property
    def needs_input_grad(self):
        e = self._edges
        n = len(e)
        if n == 2:
            return e[0] is not None, e[1] is not None
        if n == 3:
            return e[0] is not None, e[1] is not None, e[2] is not None
        return tuple([x is not None for x in e])

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value):  # accepted for compatibility; grads are always materialized
        pass

    @classmethod
    def op_name(cls):
        """The engine's name for this node's operation (AddBackward0 for the Add that ends a − b)."""
        n = cls.__name__
        if not cls._arrays:  # a user's Function: torch names its node MyFunctionBackward
            return n if n.endswith("Backward") else n + "Backward"
        return n if n.endswith("Backward0") else n + "Backward0"

    name = _NodeName()

    def __repr__(self):
        where = "" if self._arrays else f"{dtypes.shown_module}.autograd.function."
        return f"<{where}{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        """torch's view of the node's inputs: per input (its node, output index), (None, 0) without a gradient;
        a leaf's node is its ``AccumulateGrad``. A composite shown under torch's name lists torch's inputs
        (``labelled(..., inputs=)``); ``graph_edges`` gives the engine's own edges."""
        edges = self._shown if self._shown is not None else self._edges
        return tuple((_shown_source(e[0]), e[1]) if e is not None else (None, 0) for e in edges)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward``; if any input requires grad (and grad mode is on), record this node.

        Positional arguments are the op's inputs (each gets an edge); keyword arguments are its
        parameters (dim, shape, ...), which have no gradient."""
        if not cls._arrays:
            return _apply_tensors(cls, args, kwargs, [])
        ctx = cls()
        need = False
        if len(args) == 2:  # the common case, unrolled: per-op overhead is what small networks pay
            a, b = args
            ea = eb = None
            if isinstance(a, Tensor):
                if a.requires_grad:
                    ea = (a.grad_fn or a, a._out_idx, a._array.shape)
                    need = True
                a = a._array
            if isinstance(b, Tensor):
                if b.requires_grad:
                    eb = (b.grad_fn or b, b._out_idx, b._array.shape)
                    need = True
                b = b._array
            if type(a) is _ndarray or isinstance(a, B.ARRAY_TYPES):  # (a traced view, a CUDA array)
                if type(b) is _ndarray or isinstance(b, B.ARRAY_TYPES):
                    if a.dtype is not b.dtype:
                        a, b = _promote(a, b)
                elif type(b) is float and a.dtype.kind != "f":  # int tensor ⊕ 0.5 is a float32 tensor
                    a = a.astype(_default_float())
                elif type(b) not in _PLAIN:  # a torch tensor, say: refused with the conversion to use
                    B.refuse_foreign(b, cls.__name__.lower())
            elif type(a) is float and isinstance(b, B.ARRAY_TYPES) and b.dtype.kind != "f":
                b = b.astype(_default_float())
            elif type(a) not in _PLAIN:
                B.refuse_foreign(a, cls.__name__.lower())
            vals = (a, b)
            if need and _Mode.grad:
                ctx._edges = (ea, eb)
                ctx._seq = next(_seq)
            else:
                need = False
        elif len(args) == 1:  # unary ops (activations): no promotion, one edge
            a = args[0]
            if isinstance(a, Tensor):
                if a.requires_grad and _Mode.grad:
                    ctx._edges = ((a.grad_fn or a, a._out_idx, a._array.shape),)
                    ctx._seq = next(_seq)
                    need = True
                vals = (a._array,)
            else:
                vals = args
        else:  # three or more (linear's x, W, b): one pass over the inputs
            vals, edges = [], []
            for a in args:
                if isinstance(a, Tensor):
                    arr = a._array
                    if a.requires_grad:
                        edges.append((a.grad_fn or a, a._out_idx, arr.shape))
                        need = True
                    else:
                        edges.append(None)
                    vals.append(arr)
                else:
                    edges.append(None)
                    vals.append(a)
            if need and _Mode.grad:
                ctx._edges = edges
                ctx._seq = next(_seq)
            else:
                need = False
        try:
            out = cls.forward(ctx, *vals, **kwargs)
        except ValueError as err:  # broadcasting failures: name the op and every shape
            shapes = " and ".join(str(tuple(v.shape)) for v in vals if hasattr(v, "shape"))
            raise ValueError(f"{cls.__name__.lower()}: shapes {shapes} are incompatible: {err}") from None
        except TypeError:  # a CPU array meeting a CUDA one: a 0-d one moves (as torch's CPU scalars), else torch's
            vals = _scalars_to_device(vals)  # message, naming the op
            check_same_device(cls.__name__.lower(), vals)
            out = cls.forward(ctx, *vals, **kwargs)
        if not need:
            return _wrap(out, None)
        if _Mode.slow:
            _slow_path(ctx, vals, kwargs, (out,))
        return _wrap(out, ctx)

    forward = None
    backward = None


def labelled(out, name, inputs=None):
    """Show ``out``'s node under torch's name ``name`` when printed (``grad_fn=<MeanBackward0>``): composites
    end on a primitive of another name (mean on a Mul), and tutorials print their losses. With ``inputs`` (the
    composite's own inputs, in torch's order), its ``next_functions`` are torch's too (the 60-minute blitz walks
    ``loss.grad_fn.next_functions``); backward still runs through the composite. Returns ``out``."""
    node = out.grad_fn
    if node is not None:
        node._label = name
        if inputs is not None:
            node._shown = tuple(_input_edge(x) for x in inputs)
    return out


def _input_edge(x):
    """An input as an edge: (its grad_fn or the leaf itself, output index), None without a gradient; a
    ``ShownNode`` is its own edge; an edge (or None) stays as it is."""
    if x is None or type(x) is tuple:
        return x
    if isinstance(x, ShownNode):
        return (x, 0)
    if isinstance(x, Tensor) and x.requires_grad:
        return (x.grad_fn or x, x._out_idx)
    return None


def _shown_source(src):
    """An edge's source as torch shows it: a leaf Tensor is its AccumulateGrad node."""
    return AccumulateGrad.of(src) if isinstance(src, Tensor) else src


def graph_edges(node):
    """The engine's edges of ``node``: per input (the node or the leaf Tensor its gradient goes to, output
    index), or (None, 0). What ``next_functions`` shows differs for composites shown under torch's names."""
    return tuple((e[0], e[1]) if e is not None else (None, 0) for e in node._edges)


class ShownNode:
    """A node torch records that chainrule folds into another (TBackward0, the transpose inside a linear
    layer): it exists for ``next_functions`` only. ``ShownNode(name, *inputs)``: Tensors, ShownNodes or edges."""

    def __init__(self, label, *inputs):
        self._label, self._edges = label, tuple(_input_edge(x) for x in inputs)

    @property
    def next_functions(self):
        return tuple((_shown_source(e[0]), e[1]) if e is not None else (None, 0) for e in self._edges)

    def name(self):
        return self._label

    def __repr__(self):
        return f"<{self._label} object at {id(self):#x}>"


class AccumulateGrad:
    """What torch shows for a leaf in ``next_functions``: the node that adds a gradient into ``variable.grad``.
    One per leaf while it is referenced (``AccumulateGrad.of(t) is AccumulateGrad.of(t)``), as torch's."""

    _alive = weakref.WeakValueDictionary()  # id(leaf) -> its node; a node keeps its leaf (and so the id) alive

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    @classmethod
    def of(cls, leaf):
        node = cls._alive.get(id(leaf))
        if node is None or node.variable is not leaf:
            node = cls._alive[id(leaf)] = cls(leaf)
        return node

    @staticmethod
    def name():
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


class Primitive(Function):
    """The engine's own operations (engine/ops): ``forward`` and ``backward`` take and return raw arrays."""

    _arrays = True

def _scalars_to_device(vals):
    """0-d host arrays (a Python number made an array) moved to the device of the op's other arrays."""
    like = next((v for v in vals if hasattr(v, "shape") and not B.on_host(v)), None)
    if like is None:
        return vals
    return [B.as_like(v, like) if hasattr(v, "shape") and v.ndim == 0 and B.on_host(v) else v for v in vals]


def check_same_device(op, arrays):
    """Raise torch's error if the arrays live on different devices."""
    devices = []
    for a in arrays:
        if hasattr(a, "dtype") and hasattr(a, "shape"):
            d = device_of(a)
            name = d[0] if d[1] is None else f"{d[0]}:{d[1]}"
            if name not in devices:
                devices.append(name)
    if len(devices) > 1:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{devices[0]} and {devices[1]}! (in {op}: move them with .to(device) first)")


def _default_float():
    return get_default_dtype().np


def _promote(a, b):
    """PyTorch's type promotion where it differs from NumPy's: float beats int/bool without widening
    (float32 ⊕ int64 → float32, not float64), and a 0-d tensor does not widen a dimensioned one."""
    ka, kb = a.dtype.kind, b.dtype.kind
    if ka == "f" and kb != "f":
        return a, b.astype(a.dtype)
    if kb == "f" and ka != "f":
        return a.astype(b.dtype), b
    if ka == kb == "f":
        if a.ndim == 0 and b.ndim:
            return a.astype(b.dtype), b
        if b.ndim == 0 and a.ndim:
            return a, b.astype(a.dtype)
    return a, b


_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time."
)


def _apply_tensors(cls, args, kwargs, edges):
    """Function.apply for user Functions: forward sees Tensors (with grad recording off)."""
    need = False
    for a in args:
        if isinstance(a, Tensor) and a.requires_grad:
            edges.append((a.grad_fn or a, a._out_idx, a._array.shape))
            need = True
        else:
            edges.append(None)
    need = need and _Mode.grad
    ctx = cls()
    ctx._edges = edges
    ctx._seq = next(_seq)
    prev = _Mode.grad
    _Mode.grad = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        _Mode.grad = prev
    multi = isinstance(out, tuple)
    outs = out if multi else (out,)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward must return a Tensor or a tuple of Tensors; output {i} is "
                f"{type(o).__name__}"
            )
    if not need:
        return tuple(_wrap(o._array, None) for o in outs) if multi else _wrap(outs[0]._array, None)
    ctx._n_out = len(outs)
    ctx._out_shapes = tuple(o._array.shape for o in outs)
    if _Mode.slow:
        _slow_path(ctx, args, kwargs, [o._array for o in outs])
    wrapped = []
    for i, o in enumerate(outs):
        if id(o) in ctx._non_diff:
            wrapped.append(_wrap(o._array, None))
        else:
            t = _wrap(o._array, ctx)
            t._out_idx = i
            wrapped.append(t)
    return tuple(wrapped) if multi else wrapped[0]


def _call_user_backward(node, grads):
    """Run a user Function's backward on Tensors; check the count and shapes of what it returns."""
    gts = [_wrap(g if g is not None else B.zeros(s, B.float64), None) for g, s in zip(grads, node._out_shapes)]
    res = node.backward(node, *gts)
    if not isinstance(res, tuple):
        res = (res,)
    name = type(node).__name__
    n_in = len(node._edges)
    if len(res) != n_in:
        raise RuntimeError(
            f"function {name}.backward returned an incorrect number of gradients (expected {n_in}, "
            f"got {len(res)})"
        )
    out = []
    for i, (r, e) in enumerate(zip(res, node._edges)):
        if r is None or e is None:
            out.append(None)
            continue
        arr = r._array if isinstance(r, Tensor) else xp.asanyarray(r)
        if arr.shape != e[2]:
            try:
                xp.broadcast_shapes(arr.shape, e[2])
                ok = len(arr.shape) <= len(e[2]) and arr.size <= xp.prod(e[2])
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(
                    f"function {name}.backward returned a gradient of shape {tuple(arr.shape)} for "
                    f"argument {i}, but that input has shape {tuple(e[2])}"
                )
        out.append(arr)
    return out
