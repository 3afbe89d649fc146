"""The recorded graph as data: every gate with its forward value, local derivatives and gradients.

    with chainrule.explain.record():           # keep every op's inputs and outputs
        q = x + y
        f = q * z
    g = chainrule.explain.graph(f, names={"x": x, "y": y, "z": z, "q": q})
    g["x"].grad                                # −4 = ∂f/∂q · ∂q/∂x = −4 · 1

The backward pass here is the engine's own: each gate's ``backward`` (the engine's primitive, or a user
``Function``) is called on the upstream gradient exactly as the engine's graph walk calls it, and the result
is summed back to the input's shape by the engine's ``unbroadcast``. What is added is bookkeeping: the upstream
gradient ∂f/∂out at every gate, its local derivatives ∂out/∂in, and what it sends back to each input,

    ∂f/∂in = ∂f/∂out · ∂out/∂in            (the chain rule, one gate at a time)

with the contributions of several consumers added up (gradients add where a value fans out).

The engine does not keep forward values (it keeps only what each backward needs), so ``graph`` needs the
ops to have run inside ``record()``, which hooks the engine's slow path (the one ``detect_anomaly`` uses);
outside ``record()`` the engine pays one flag check per op and nothing else.

The graph is read through the public API (``grad_fn``, ``name()``); the few engine internals an explainer
cannot do without — the recorder hook, a node's own backward, ``unbroadcast``, a node's own edges (what
``next_functions`` shows is torch's view: a composite lists its inputs, a leaf its AccumulateGrad) — are used
in the "engine seam" block below and nowhere else.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

import numpy as np

import chainrule as cr

from . import fmt
from .labels import describe, local_numbers

# engine node -> (input values, keyword parameters, output values, order of creation)
_RECORDED = weakref.WeakKeyDictionary()
_ORDER = itertools.count()

# nodes whose derivative is elementwise: ∂out/∂in is a diagonal, so "local gradient" is an array like the value
_ELEMENTWISE = {f"{n}Backward0" for n in ("Add", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where", "Neg", "Exp",
                                           "Log", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Abs", "Clone", "Cast")}


# --- the engine seam --------------------------------------------------------------------------------------
def _set_recorder(recorder):
    """Have the engine call ``recorder(node, inputs, kwargs, outputs)`` for every node it records."""
    cr.autograd._Mode.recorder = recorder
    cr.autograd._update_slow()


def _current_recorder():
    return cr.autograd._Mode.recorder


def _freed(fn) -> bool:
    return fn._freed


def graph_edges(fn):
    """Per input of ``fn``: (the engine node or leaf Tensor its gradient goes to, output index), or (None, 0)."""
    return cr.autograd.graph_edges(fn)


def _output_index(t) -> int:
    return getattr(t, "_out_idx", 0)


def _vjp(fn, gs):
    """The engine's backward of one node on output gradients gs: one gradient (or None) per input."""
    if fn._arrays:
        r = fn.backward(fn, gs[0])
        return r if type(r) is tuple else (r,)
    return cr.autograd._call_user_backward(fn, gs)


def _unbroadcast(g, shape):
    return cr.autograd.unbroadcast(g, shape)


def _forward_again(fn, args, kwargs):
    """A node's forward on new input values (as recorded: arrays for the engine's ops), recording nothing."""
    with cr.no_grad():
        return type(fn).apply(*args, **kwargs).detach().numpy()


def _is_engine_op(fn) -> bool:
    """One of the engine's own operations (not a user ``Function``)."""
    return type(fn).__module__.startswith("chainrule.")


# ------------------------------------------------------------------------------------------------------------
def _remember(node, inputs, kwargs, outputs):
    arrays = tuple(x.detach().numpy() if isinstance(x, cr.Tensor) else x for x in inputs)
    _RECORDED[node] = (arrays, dict(kwargs), tuple(outputs), next(_ORDER))


class record:
    """Context manager: inside it every recorded op also keeps its input and output values, so that
    ``graph(output)`` can show the forward pass. Costs memory and time; for explaining, not training."""

    def __enter__(self):
        self._prev = _current_recorder()
        _set_recorder(_remember)
        return self

    def __exit__(self, *exc):
        _set_recorder(self._prev)
        return False


def recorded_output(fn):
    """The (first) output value of a node recorded inside ``record()``, as an array."""
    return np.asarray(_RECORDED[fn][2][0])


def replay(fn, replaced):
    """Run a recorded node's forward again, with the inputs at positions ``replaced`` ({position: value})
    and the recorded ones elsewhere; returns the output array (nothing is recorded)."""
    ins, kwargs, _, _ = _RECORDED[fn]
    return _forward_again(fn, [replaced.get(pos, x) for pos, x in enumerate(ins)], kwargs)


@dataclass
class Node:
    """One value in the circuit: an input (a leaf that requires grad), a constant, or a gate's output."""

    index: int
    name: str
    kind: str  # "input", "const" or "gate"
    value: object  # an array (a tuple of arrays for a multi-output user Function)
    op: str = ""  # the gate's label as on the slides: "+", "·", "·(−1)", "exp", "+1", "1/x"
    engine_op: str = ""  # the engine node's name, e.g. "MulBackward0"
    inputs: list = field(default_factory=list)  # indices of the input nodes, in argument order
    template: str = ""  # the gate as a formula over its inputs, "{0} + {1}", "1/{0}" ({i} = input i)
    local_templates: list = field(default_factory=list)  # per input: ∂out/∂input as a formula, or None
    local: list = field(default_factory=list)  # per input: ∂out/∂input as numbers (None: no gradient, or a Jacobian)
    local_numeric: list = field(default_factory=list)  # per input: (template, extra values): ∂out/∂in with numbers
    upstream: object = None  # gates: ∂f/∂out, the gradient arriving from the output side
    sends: list = field(default_factory=list)  # per input: what this gate sends back (summed to the input's shape)
    grad: object = None  # ∂f/∂(this value): the sum of what its consumers send (None for constants)
    consumers: list = field(default_factory=list)  # indices of the gates using this value, once per use
    folded: bool = False  # a scalar constant written into its gate's label ("+1") instead of drawn as a wire
    elementwise: bool = False  # local derivatives are elementwise (or the output is a scalar): local is set
    params: dict = field(default_factory=dict)  # the op's keyword parameters (dim=..., shape=...)
    engine: object = field(default=None, repr=False, compare=False)  # the engine's node (gates)

    def __repr__(self):
        from .notebook import node_repr

        return node_repr(self)


@dataclass
class Graph:
    """The circuit: ``nodes`` in topological order (inputs first, every gate after its inputs)."""

    nodes: list
    output: int  # index of the output node f
    seeded: bool = False  # the output is not a scalar: backward started from ∂f/∂out = 1 everywhere (Σ out)
    positions: dict = field(default_factory=dict)  # for formulas: gate node index -> order of creation

    def __getitem__(self, name):
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"no value named {name!r} in the graph; names: {', '.join(n.name for n in self.nodes)}")

    @property
    def gates(self):
        return [n for n in self.nodes if n.kind == "gate"]

    @property
    def inputs(self):
        return [n for n in self.nodes if n.kind == "input"]

    @property
    def out(self):
        return self.nodes[self.output]

    def __repr__(self):
        from .notebook import graph_repr

        return graph_repr(self)

    def _repr_html_(self):
        """In a notebook: the stepping page of ``explain.html``, inline (see explain.notebook)."""
        from .notebook import graph_html

        return graph_html(self)

    def _repr_svg_(self):
        """In a notebook: the circuit as chainrule draws it (``explain.svg``; no Graphviz)."""
        from .notebook import graph_svg

        return graph_svg(self)

    def to_dict(self):
        """JSON-ready: numbers as nested lists."""

        def arr(a):
            if a is None:
                return None
            if isinstance(a, (list, tuple)):
                return [arr(x) for x in a]
            return np.asarray(a).tolist()

        return {
            "output": self.output,
            "seeded": self.seeded,
            "nodes": [
                {"index": n.index, "name": n.name, "kind": n.kind, "op": n.op, "engine_op": n.engine_op,
                 "inputs": n.inputs, "template": n.template, "local_templates": n.local_templates,
                 "value": arr(n.value), "local": [arr(x) for x in n.local], "upstream": arr(n.upstream),
                 "sends": [arr(x) for x in n.sends], "grad": arr(n.grad), "consumers": n.consumers,
                 "folded": n.folded}
                for n in self.nodes
            ],
        }


_FREED = ("graph(): this graph was already freed by backward(). Build the explanation before calling "
          ".backward(), or call .backward(retain_graph=True).")
_NOT_RECORDED = ("graph(): the forward values of this graph were not recorded (the engine keeps only what "
                 "backward needs). Compute the output inside `with chainrule.explain.record():` and call "
                 "graph() on it.")


def graph(output, names=None) -> Graph:
    """The graph that produced ``output`` (computed inside ``record()``), with every gradient of f = output.

    ``names`` maps names to tensors (inputs or intermediate results) so the rendering can use the
    lecture's names; others are called in1, in2, ... (inputs) and t1, t2, ... (gates)."""
    if not isinstance(output, cr.Tensor):
        raise TypeError(f"graph() expects the output Tensor, got {type(output).__name__}")
    root = output.grad_fn
    if root is None:
        raise ValueError("graph(): this tensor was not produced by a recorded operation (it is a leaf, or was "
                         "computed without requires_grad=True or under no_grad): there is nothing to explain")
    order = _collect(root)
    names = dict(names or {})
    leaf_names, gate_names = {}, {}
    for k, t in names.items():  # the first name given for a tensor wins
        if isinstance(t, cr.Tensor):
            d, key = (leaf_names, id(t)) if t.grad_fn is None else (gate_names, (t.grad_fn, _output_index(t)))
            d.setdefault(key, k)
    used = set(names)
    out_name = gate_names.get((root, _output_index(output))) or ("f" if "f" not in used else "out")
    used.add(out_name)
    counters = {}

    def fresh(prefix):
        while True:
            counters[prefix] = counters.get(prefix, 0) + 1
            name = f"{prefix}{counters[prefix]}"
            if name not in used:
                used.add(name)
                return name

    nodes, leaf_index, fn_index = [], {}, {}
    for fn in order:  # inputs first, in order of first use
        for pos, e in enumerate(_edges(fn)):
            if e is not None and isinstance(e[0], cr.Tensor) and id(e[0]) not in leaf_index:
                t = e[0]
                leaf_index[id(t)] = len(nodes)
                nodes.append(Node(len(nodes), leaf_names.get(id(t)) or fresh("in"), "input",
                                  np.asarray(_RECORDED[fn][0][pos])))
    for fn in order:
        ins, kwargs, outs, _ = _RECORDED[fn]
        edges = _edges(fn)
        op, template, local_t, folded = describe(fn, ins, edges, _is_engine_op(fn))
        idx = []
        for pos, x in enumerate(ins):
            e = edges[pos]
            if e is None:
                a = np.asarray(x)
                cname = "mask" if a.dtype == bool else (fmt.value(a) if fmt.is_small(a) else "const")
                nodes.append(Node(len(nodes), cname, "const", a, folded=pos in folded))
                idx.append(len(nodes) - 1)
            elif isinstance(e[0], cr.Tensor):
                idx.append(leaf_index[id(e[0])])
            else:
                idx.append(fn_index[e[0]])
        name = out_name if fn is root else gate_names.get((fn, 0)) or fresh("t")
        fn_index[fn] = len(nodes)
        value = outs[0] if len(outs) == 1 else tuple(outs)
        elementwise = fn.op_name() in _ELEMENTWISE or all(np.size(o) == 1 for o in outs)
        numeric = local_numbers(fn, _is_engine_op(fn), local_t, outs[0] if len(outs) == 1 else None)
        nodes.append(Node(len(nodes), name, "gate", value, op, fn.op_name(), idx, template, local_t,
                          [None] * len(ins), numeric, sends=[None] * len(ins), elementwise=elementwise,
                          params=dict(kwargs), engine=fn))
        for i in idx:
            nodes[i].consumers.append(len(nodes) - 1)
    _backward(nodes, order, fn_index, root, output)
    return Graph(nodes, fn_index[root], seeded=output.numel() != 1)


def _edges(fn):
    """Per input of a recorded node: (the node or leaf tensor its gradient goes to, output index), or None."""
    edges = [None if src is None else (src, i) for src, i in graph_edges(fn)]
    return edges + [None] * (len(_RECORDED[fn][0]) - len(edges))


def _collect(root):
    """Every engine node that leads to root, in topological order (the order ``record()`` saw them made)."""
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        if _freed(n):
            raise RuntimeError(_FREED)
        if n not in _RECORDED:
            raise RuntimeError(_NOT_RECORDED)
        seen.add(n)
        stack.extend(src for src, _ in graph_edges(n) if src is not None and not isinstance(src, cr.Tensor))
    return sorted(seen, key=lambda n: _RECORDED[n][3])


def _backward(nodes, order, fn_index, root, output):
    """Walk the gates from the output back, as the engine does, keeping every intermediate gradient."""
    grads = {(fn_index[root], _output_index(output)): np.ones_like(output.detach().numpy())}
    for fn in reversed(order):
        k = fn_index[fn]
        node = nodes[k]
        ins, _, outs, _ = _RECORDED[fn]
        n_out = len(outs)
        gs = [grads.get((k, j)) for j in range(n_out)]
        node.upstream = gs[0] if n_out == 1 else gs
        node.grad = node.upstream
        edges = _edges(fn)
        if n_out == 1 and gs[0] is None:
            continue
        for pos, g in enumerate(_vjp(fn, gs)):
            e = edges[pos] if pos < len(edges) else None
            if e is None or g is None:
                continue
            g = _unbroadcast(np.asarray(g), np.shape(ins[pos]))
            node.sends[pos] = g
            i = node.inputs[pos]
            out_idx = 0 if isinstance(e[0], cr.Tensor) else e[1]
            key = (i, out_idx)
            grads[key] = g if key not in grads else grads[key] + g
        if node.elementwise and n_out == 1:
            ones = np.ones_like(np.asarray(node.value))
            node.local = [
                (np.asarray(loc) if loc is not None and pos < len(edges) and edges[pos] is not None else None)
                for pos, loc in enumerate(_vjp(fn, [ones]))
            ]
    for n in nodes:
        if n.kind == "input":
            n.grad = grads.get((n.index, 0))
