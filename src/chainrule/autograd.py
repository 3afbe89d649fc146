"""The engine: ``Function`` (a node of the graph), the backward graph walk, grad modes, ``grad``, ``gradcheck``.

Reverse mode in one paragraph. Every differentiable operation is a ``Function``. Calling ``F.apply(x, y)``
runs ``F.forward`` and, when some input requires a gradient, records a node (the ``ctx``) that remembers
its inputs' *edges*: where each input's gradient must go (the node that produced it, or the leaf tensor
itself). ``backward()`` walks the nodes in reverse topological order; each node receives the upstream
gradient ∂L/∂out and returns ∂L/∂in = ∂L/∂out · ∂out/∂in for each input -- the chain rule, one gate at a time.

Two calling conventions, one mechanism: user ``Function``s (PyTorch's contract) see Tensors in ``forward``
and ``backward``; the engine's primitives in ``ops.py`` set ``_arrays = True`` and see the raw arrays, which
keeps per-op overhead low.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import traceback
from contextlib import contextmanager
from functools import wraps

from .backend import ndarray as _ndarray
from .backend import xp

# Filled in by tensor.py (which imports this module): the engine needs the Tensor type and its
# fast constructor, and a function-level import would cost a microsecond per op.
Tensor = None
_wrap = None


# Every recorded node gets an increasing sequence number: a node's consumers are always created after
# it, so processing nodes from the highest number down is a topological order (as in PyTorch).
_seq = itertools.count()


class _ThreadMode(threading.local):
    """Grad mode and friends are per thread, as in PyTorch: ``no_grad`` in one thread (a playground tab
    drawing a frame) must not switch off recording in another (a tab training). The class attributes are
    every thread's starting values."""

    grad = True  # is_grad_enabled()
    anomaly = False  # detect_anomaly()
    recorder = None  # chainrule.explain.record(): called as recorder(node, inputs, kwargs, outputs)
    slow = False  # anomaly or recorder: the per-node extra work in Function.apply (one check on the fast path)


_Mode = _ThreadMode()


def _update_slow():
    _Mode.slow = _Mode.anomaly or _Mode.recorder is not None


# ----------------------------------------------------------------------------------------------- modes
class _GradMode:
    """Base of no_grad/enable_grad: a context manager that is also a decorator."""

    _value = True

    def __enter__(self):
        self._prev = _Mode.grad
        _Mode.grad = self._value

    def __exit__(self, *exc):
        _Mode.grad = self._prev
        return False

    def __call__(self, fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class _BareDecorator(_GradMode):
    """``@no_grad`` works without the parentheses too, as in torch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):
    """Operations inside record no graph (evaluation, manual parameter updates)."""

    _value = False


class enable_grad(_BareDecorator):
    """Re-enables recording inside a ``no_grad`` block."""

    _value = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode: bool):
        self._value = bool(mode)
        self._prev = _Mode.grad
        _Mode.grad = self._value  # like torch: takes effect as a function call too

    def __enter__(self):
        pass


def is_grad_enabled() -> bool:
    return _Mode.grad


class AnomalyError(RuntimeError):
    pass


@contextmanager
def detect_anomaly():
    """Inside, the first op whose forward or backward produces NaN/Inf raises, naming the op and the
    line of user code that created it. Slow (records a stack per op); for debugging only."""
    prev = _Mode.anomaly
    _Mode.anomaly = True
    _update_slow()
    try:
        yield
    finally:
        _Mode.anomaly = prev
        _update_slow()


def set_detect_anomaly(mode: bool):
    """Switch anomaly detection on or off (for this thread) until switched again: ``detect_anomaly`` as a
    plain call, as torch's ``torch.autograd.set_detect_anomaly(True)``."""
    _Mode.anomaly = bool(mode)
    _update_slow()


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - torch's (pre-0.4) name
    """The old PyTorch wrapper, kept so that old tutorials run: Tensors are Variables now, so this
    returns ``data`` itself, with ``requires_grad`` set when asked."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable(data): data must be a Tensor, got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


def _user_frame() -> str:
    """The innermost stack frame outside chainrule, as 'file:line: code'."""
    pkg = __file__.rsplit("/", 1)[0]
    for fr in reversed(traceback.extract_stack()[:-1]):
        if not fr.filename.startswith(pkg):
            return f"{fr.filename}:{fr.lineno}: {fr.line}"
    return "<unknown>"


def _check_finite(node, arrays, phase):
    for a in arrays:
        if a is not None and hasattr(a, "dtype") and a.dtype.kind == "f" and not xp.isfinite(a).all():
            where = getattr(node, "_created_at", None) or "<unknown>"
            raise AnomalyError(
                f"{node.name()} produced NaN/Inf in its {phase} pass. The op was created at {where}"
            )


def _slow_path(node, inputs, kwargs, outputs):
    """Per-node extra work, only while detect_anomaly() or chainrule.explain.record() is active."""
    if _Mode.anomaly:
        node._created_at = _user_frame()
        _check_finite(node, outputs, "forward")
    if _Mode.recorder is not None:
        _Mode.recorder(node, inputs, kwargs, outputs)


# --------------------------------------------------------------------------------------------- Function
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

    _arrays = False  # primitives in ops.py: forward/backward take and return raw arrays
    _edges = ()
    _n_out = 1
    _hooks = None  # {output index: [fn, ...]} tensor hooks of non-leaf outputs
    _freed = False
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
        if len(e) == 2:
            return e[0] is not None, e[1] is not None
        return tuple([x is not None for x in e])

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value):  # accepted for compatibility; grads are always materialized
        pass

    @classmethod
    def name(cls):
        n = cls.__name__
        return n if n.endswith("Backward0") else n + "Backward0"

    def __repr__(self):
        return f"<{self.name()} object>"

    @property
    def next_functions(self):
        return tuple((e[0] if e is not None else None, e[1] if e is not None else 0) for e in self._edges)

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
                    ea = (a.grad_fn or a, a._out_idx, a.data.shape)
                    need = True
                a = a.data
            if isinstance(b, Tensor):
                if b.requires_grad:
                    eb = (b.grad_fn or b, b._out_idx, b.data.shape)
                    need = True
                b = b.data
            if type(a) is _ndarray:
                if type(b) is _ndarray:
                    if a.dtype is not b.dtype:
                        a, b = _promote(a, b)
                elif type(b) is float and a.dtype.kind != "f":  # int tensor ⊕ 0.5 is a float32 tensor
                    a = a.astype(_default_float())
            elif type(a) is float and type(b) is _ndarray and b.dtype.kind != "f":
                b = b.astype(_default_float())
            vals = (a, b)
            if need and _Mode.grad:
                ctx._edges = (ea, eb)
                ctx._seq = next(_seq)
            else:
                need = False
        else:
            vals = [a.data if isinstance(a, Tensor) else a for a in args]
            if _Mode.grad:
                edges = [
                    (a.grad_fn or a, a._out_idx, a.data.shape) if isinstance(a, Tensor) and a.requires_grad else None
                    for a in args
                ]
                need = any(edges)
                if need:
                    ctx._edges = edges
                    ctx._seq = next(_seq)
        try:
            out = cls.forward(ctx, *vals, **kwargs)
        except ValueError as err:  # broadcasting failures: name the op and every shape
            shapes = " and ".join(str(tuple(v.shape)) for v in vals if hasattr(v, "shape"))
            raise ValueError(f"{cls.__name__.lower()}: shapes {shapes} are incompatible: {err}") from None
        if not need:
            return _wrap(out, None)
        if _Mode.slow:
            _slow_path(ctx, vals, kwargs, (out,))
        return _wrap(out, ctx)

    forward = None
    backward = None


def _default_float():
    from .dtypes import get_default_dtype

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
            edges.append((a.grad_fn or a, a._out_idx, a.data.shape))
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
        return tuple(_wrap(o.data, None) for o in outs) if multi else _wrap(outs[0].data, None)
    ctx._n_out = len(outs)
    ctx._out_shapes = tuple(o.data.shape for o in outs)
    if _Mode.slow:
        _slow_path(ctx, args, kwargs, [o.data for o in outs])
    wrapped = []
    for i, o in enumerate(outs):
        if id(o) in ctx._non_diff:
            wrapped.append(_wrap(o.data, None))
        else:
            t = _wrap(o.data, ctx)
            t._out_idx = i
            wrapped.append(t)
    return tuple(wrapped) if multi else wrapped[0]


def _call_user_backward(node, grads):
    """Run a user Function's backward on Tensors; check the count and shapes of what it returns."""
    gts = [_wrap(g if g is not None else xp.zeros(s), None) for g, s in zip(grads, node._out_shapes)]
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
        arr = r.data if isinstance(r, Tensor) else xp.asarray(r)
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


# ------------------------------------------------------------------------------------------- the engine
def unbroadcast(g, shape):
    """Sum a gradient back to ``shape``: the adjoint of broadcasting (leading dims, then size-1 dims)."""
    if g.shape == shape:
        return g
    nd = g.ndim - len(shape)
    if nd == 1 and g.shape[1:] == shape:  # a bias added to a batch: sum over the batch
        return g.sum(axis=0)
    if nd < 0:  # a gradient smaller than its input: broadcast it up (e.g. a scalar grad of expand)
        return xp.broadcast_to(g, shape)
    axes = tuple(range(nd)) + tuple(i + nd for i, n in enumerate(shape) if n == 1 and g.shape[i + nd] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _run_backward(roots, root_grads, retain_graph, capture=None):
    """Reverse-mode walk. ``roots``: output tensors; ``root_grads``: arrays ∂L/∂root.

    Nodes wait in a heap keyed by sequence number; the newest is processed first, so by the time a node
    runs, every consumer has already sent it its gradient (no recursion: a chain of 100,000 ops works).
    With ``capture`` (a dict id(tensor) -> tensor), gradients of those tensors are returned instead of
    accumulated into ``.grad`` (``autograd.grad``).
    """
    captured = cap_nodes = None
    if capture is not None:
        captured = {k: None for k, t in capture.items() if t.grad_fn is None}
        cap_nodes = {(t.grad_fn, t._out_idx): k for k, t in capture.items() if t.grad_fn is not None}

    grads = {}  # node -> list of its output gradients (filled by its consumers)
    heap = []
    for r, g in zip(roots, root_grads):
        n = r.grad_fn
        if n is None:
            if r.requires_grad:
                _deliver_leaf(r, g, captured, True)
            continue
        if n._freed:
            raise RuntimeError(_FREED_MSG)
        slot = grads.get(n)
        if slot is None:
            slot = grads[n] = [None] * n._n_out
            heapq.heappush(heap, (-n._seq, n))
        i = r._out_idx
        slot[i] = g if slot[i] is None else slot[i] + g

    # each node turns ∂L/∂out into ∂L/∂in (the chain rule) and passes it along its edges
    anomaly = _Mode.anomaly
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        node = pop(heap)[1]
        gs = grads.pop(node)
        if node._hooks:
            _run_tensor_hooks(node, gs)
        if cap_nodes:
            for i, g in enumerate(gs):
                k = cap_nodes.get((node, i))
                if k is not None:
                    captured[k] = g
        edges = node._edges
        if node._arrays:
            g_in = gs[0]
            in_grads = node.backward(node, g_in)
            if type(in_grads) is not tuple:  # a one-input primitive returns its gradient bare
                in_grads = (in_grads,)
        else:
            g_in = None
            in_grads = _call_user_backward(node, gs)
        if anomaly:
            _check_finite(node, in_grads, "backward")
        for e, g in zip(edges, in_grads):
            if e is None or g is None:
                continue
            nxt, idx, shape = e
            if g.shape != shape:
                g = unbroadcast(g, shape)
            if isinstance(nxt, Tensor):
                if g.dtype is not nxt.data.dtype:  # a leaf's .grad has the leaf's dtype (float64 data, float32 W)
                    g = g.astype(nxt.data.dtype)
                if nxt._hooks is None and captured is None and nxt.grad is None:
                    # a gradient passed straight through (x + y gives both the same array) is copied,
                    # so that in-place changes to one leaf's .grad never show up in another's
                    nxt.grad = _wrap(g.copy() if g is g_in else g, None)
                else:
                    _deliver_leaf(nxt, g, captured, g is g_in)
                continue
            slot = grads.get(nxt)
            if slot is None:
                if nxt._freed:
                    raise RuntimeError(_FREED_MSG)
                slot = grads[nxt] = [None] * nxt._n_out
                slot[idx] = g
                push(heap, (-nxt._seq, nxt))
            elif slot[idx] is None:
                slot[idx] = g
            else:
                slot[idx] = slot[idx] + g
        if not retain_graph:
            node.__dict__.clear()
            node._freed = True
    return captured


def _run_tensor_hooks(node, gs):
    for i, fns in node._hooks.items():
        for fn in fns:
            if gs[i] is None:
                continue
            new = fn(_wrap(gs[i], None))
            if new is not None:
                gs[i] = new.data if isinstance(new, Tensor) else new


def _deliver_leaf(leaf, g, captured, passthrough):
    hooks = leaf._hooks
    if hooks:
        for fn in list(hooks.values()):
            new = fn(_wrap(g, None))
            if new is not None:
                g = new.data if isinstance(new, Tensor) else new
                passthrough = True
    if captured is not None:
        k = id(leaf)
        if k in captured:
            captured[k] = g if captured[k] is None else captured[k] + g
        return
    cur = leaf.grad
    if cur is None:
        leaf.grad = _wrap(g.copy() if passthrough else g, None)
    elif cur.data.shape == g.shape and cur.data.dtype == g.dtype and cur.data.flags.writeable:
        cur.data += g
    else:
        leaf.grad = _wrap(cur.data + g, None)


# --------------------------------------------------------------------------------------- public helpers
def backward(tensors, grad_tensors=None, retain_graph=False):
    """Accumulate ∂(sum of tensors·grad_tensors)/∂leaf into every leaf's ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors)
    roots, seeds = _prepare_roots(tensors, grad_tensors)
    _run_backward(roots, seeds, retain_graph)


def _prepare_roots(outputs, grad_outputs):
    roots, seeds = [], []
    for t, g in zip(outputs, grad_outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward expects Tensors, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: nothing to "
                "differentiate (did you compute it under no_grad, or forget requires_grad=True?)"
            )
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this output has shape "
                    f"{tuple(t.shape)}. Pass gradient= (∂L/∂output, the same shape) to backward()"
                )
            g = xp.ones_like(t.data)
        else:
            g = g.data if isinstance(g, Tensor) else xp.asarray(g, dtype=t.data.dtype)
            if g.shape != t.data.shape:
                raise RuntimeError(
                    f"gradient has shape {tuple(g.shape)} but the output has shape {tuple(t.data.shape)}"
                )
        roots.append(t)
        seeds.append(g)
    return roots, seeds


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, allow_unused=False):
    """∂outputs/∂inputs as a tuple of Tensors, without touching any ``.grad`` (like torch.autograd.grad)."""
    single_out = isinstance(outputs, Tensor)
    outputs = [outputs] if single_out else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"input {i} of autograd.grad does not require grad")
    roots, seeds = _prepare_roots(outputs, grad_outputs)
    capture = {id(t): t for t in inputs}
    captured = _run_backward(roots, seeds, bool(retain_graph), capture={**capture})
    out = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"input {i} was not used to compute the outputs; pass allow_unused=True to get None"
                )
            out.append(None)
        else:
            out.append(_wrap(g, None))
    return tuple(out)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, n_directions=2, seed=0):
    """Check the engine's gradient of ``fn`` against central finite differences.

    Projection check (HIPS autograd's): for a random direction u over all inputs and a random cotangent
    v over the output, compare ⟨v, ∂f/∂x · u⟩ computed two ways:

        engine:      Σ_i ⟨VJP_i(v), u_i⟩
        numerical:   ⟨v, f(x + εu) − f(x − εu)⟩ / 2ε

    One backward and two forward passes per direction, for inputs of any shape. Use float64 inputs.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad")
    for i in diff:
        if inputs[i].data.dtype.kind != "f" or inputs[i].data.dtype.itemsize < 8:
            import warnings

            warnings.warn(
                f"gradcheck: input {i} is {inputs[i].data.dtype}; use float64 for a meaningful check",
                stacklevel=2,
            )
    rng = xp.random.default_rng(seed)

    def call(arrs):
        args = list(inputs)
        for i, a in zip(diff, arrs):
            args[i] = _wrap(a, None)
        with no_grad():
            out = fn(*args)
        return [o.data for o in (out if isinstance(out, (tuple, list)) else (out,))]

    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    outs = [o for o in outs if isinstance(o, Tensor) and o.requires_grad]
    base = [inputs[i].data for i in diff]
    for _ in range(n_directions):
        vs = [rng.standard_normal(o.shape).astype(o.data.dtype) for o in outs]
        us = [rng.standard_normal(b.shape).astype(b.dtype) for b in base]
        gs = grad(outs, [inputs[i] for i in diff], vs, retain_graph=True, allow_unused=True)
        analytic = sum(float((g.data * u).sum()) for g, u in zip(gs, us) if g is not None)
        plus = call([b + eps * u for b, u in zip(base, us)])
        minus = call([b - eps * u for b, u in zip(base, us)])
        numeric = sum(float((v * (p - m)).sum()) for v, p, m in zip(vs, plus, minus)) / (2 * eps)
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck failed: analytical directional derivative {analytic:.10g} vs numerical "
                    f"{numeric:.10g} (atol={atol}, rtol={rtol})"
                )
            return False
    return True


class GradcheckError(RuntimeError):
    pass

