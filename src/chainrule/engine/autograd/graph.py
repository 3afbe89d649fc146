"""The backward graph walk: ``backward``, ``grad`` and how a gradient reaches a leaf's ``.grad``."""

from __future__ import annotations

import heapq

from ..backend import xp
from .function import _FREED_MSG, _call_user_backward
from .grad_mode import _check_finite, _Mode

Tensor = None  # bound by engine/tensor.py, as in function.py
_wrap = None


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
                if g.dtype is not nxt._array.dtype:  # a leaf's .grad has the leaf's dtype (float64 data, float32 W)
                    g = g.astype(nxt._array.dtype)
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
        if not retain_graph:  # the saved arrays go; the node keeps its name and next_functions, as torch's
            d = node.__dict__
            label = d.get("_label")
            node.__dict__ = {"_freed": True, "_edges": edges} if label is None else \
                {"_freed": True, "_edges": edges, "_label": label, "_shown": d.get("_shown")}
    return captured


def _run_tensor_hooks(node, gs):
    for i, fns in node._hooks.items():
        for fn in list(fns.values()):
            if gs[i] is None:
                continue
            new = fn(_wrap(gs[i], None))
            if new is not None:
                gs[i] = new._array if isinstance(new, Tensor) else new


def _deliver_leaf(leaf, g, captured, passthrough):
    hooks = leaf._hooks
    if hooks:
        for fn in list(hooks.values()):
            new = fn(_wrap(g, None))
            if new is not None:
                g = new._array if isinstance(new, Tensor) else new
                passthrough = True
    if captured is not None:
        k = id(leaf)
        if k in captured:
            captured[k] = g if captured[k] is None else captured[k] + g
        return
    cur = leaf.grad
    if cur is None:
        leaf.grad = _wrap(g.copy() if passthrough else g, None)
    elif cur._array.shape == g.shape and cur._array.dtype == g.dtype and cur._array.flags.writeable:
        cur._array += g
    else:
        leaf.grad = _wrap(cur._array + g, None)


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
            if t._array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this output has shape "
                    f"{tuple(t.shape)}. Pass gradient= (∂L/∂output, the same shape) to backward()"
                )
            g = xp.ones_like(t._array)
        else:
            g = g._array if isinstance(g, Tensor) else xp.asanyarray(g, dtype=t._array.dtype)
            if g.shape != t._array.shape:
                raise RuntimeError(
                    f"gradient has shape {tuple(g.shape)} but the output has shape {tuple(t._array.shape)}"
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
