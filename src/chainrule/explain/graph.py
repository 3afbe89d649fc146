"""The recorded graph as data: every gate with its forward value, local derivatives and gradients.

    with chainrule.explain.record():           # keep every op's inputs and outputs
        q = x + y
        f = q * z
    g = chainrule.explain.graph(f, names={"x": x, "y": y, "z": z, "q": q})
    g["x"].grad                                # −4 = ∂f/∂q · ∂q/∂x = −4 · 1

The backward pass here is the engine's own: each gate's ``backward`` (ops.py, or a user ``Function``) is
called on the upstream gradient exactly as ``autograd._run_backward`` calls it, and the result is summed
back to the input's shape by ``autograd.unbroadcast``. What is added is bookkeeping: the upstream
gradient ∂f/∂out at every gate, its local derivatives ∂out/∂in, and what it sends back to each input,

    ∂f/∂in = ∂f/∂out · ∂out/∂in            (the chain rule, one gate at a time)

with the contributions of several consumers added up (gradients add where a value fans out).

The engine does not keep forward values (it keeps only what each backward needs), so ``graph`` needs the
ops to have run inside ``record()``, which hooks the engine's slow path (the one ``detect_anomaly`` uses);
outside ``record()`` the engine pays one flag check per op and nothing else.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from ..autograd import _Mode, _update_slow
from ..engine import Tensor, autograd
from ..engine import ops as P
from . import fmt

_RECORDED = weakref.WeakKeyDictionary()  # engine node -> (input values, keyword parameters, output values)

# ops whose derivative is elementwise: ∂out/∂in is a diagonal, so "local gradient" is an array like the value
_ELEMENTWISE = tuple(
    getattr(P, n)
    for n in ("Add", "Mul", "Pow", "Maximum", "Minimum", "Where", "Neg", "Exp", "Log", "Sin", "Cos", "Tanh",
              "Sigmoid", "Abs", "Clone", "Cast")
    if hasattr(P, n)
)


def _remember(node, inputs, kwargs, outputs):
    _RECORDED[node] = (tuple(x.data if isinstance(x, Tensor) else x for x in inputs), dict(kwargs), tuple(outputs))


class record:
    """Context manager: inside it every recorded op also keeps its input and output values, so that
    ``graph(output)`` can show the forward pass. Costs memory and time; for explaining, not training."""

    def __enter__(self):
        self._prev = _Mode.recorder
        _Mode.recorder = _remember
        _update_slow()
        return self

    def __exit__(self, *exc):
        _Mode.recorder = self._prev
        _update_slow()
        return False


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
    upstream: object = None  # gates: ∂f/∂out, the gradient arriving from the output side
    sends: list = field(default_factory=list)  # per input: what this gate sends back (summed to the input's shape)
    grad: object = None  # ∂f/∂(this value): the sum of what its consumers send (None for constants)
    consumers: list = field(default_factory=list)  # indices of the gates using this value, once per use
    folded: bool = False  # a scalar constant written into its gate's label ("+1") instead of drawn as a wire
    elementwise: bool = False  # local derivatives are elementwise (or the output is a scalar): local is set
    params: dict = field(default_factory=dict)  # the op's keyword parameters (dim=..., shape=...)
    engine: object = field(default=None, repr=False, compare=False)  # the engine's node (gates)


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
    if not isinstance(output, Tensor):
        raise TypeError(f"graph() expects the output Tensor, got {type(output).__name__}")
    root = output.grad_fn
    if root is None:
        raise ValueError("graph(): this tensor was not produced by a recorded operation (it is a leaf, or was "
                         "computed without requires_grad=True or under no_grad): there is nothing to explain")
    order = _collect(root)
    names = dict(names or {})
    leaf_names, gate_names = {}, {}
    for k, t in names.items():  # the first name given for a tensor wins
        if isinstance(t, Tensor):
            d, key = (leaf_names, id(t)) if t.grad_fn is None else (gate_names, (t.grad_fn, t._out_idx))
            d.setdefault(key, k)
    used = set(names)
    out_name = gate_names.get((root, output._out_idx)) or ("f" if "f" not in used else "out")
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
        for pos, e in enumerate(fn._edges):
            if e is not None and isinstance(e[0], Tensor) and id(e[0]) not in leaf_index:
                t = e[0]
                leaf_index[id(t)] = len(nodes)
                nodes.append(Node(len(nodes), leaf_names.get(id(t)) or fresh("in"), "input",
                                  np.asarray(_RECORDED[fn][0][pos])))
    for fn in order:
        ins, kwargs, outs = _RECORDED[fn]
        edges = list(fn._edges) + [None] * (len(ins) - len(fn._edges))
        op, template, local_t, folded = _describe(fn, ins, edges)
        idx = []
        for pos, x in enumerate(ins):
            e = edges[pos]
            if e is None:
                a = np.asarray(x)
                cname = "mask" if a.dtype == bool else (fmt.value(a) if fmt.is_small(a) else "const")
                nodes.append(Node(len(nodes), cname, "const", a, folded=pos in folded))
                idx.append(len(nodes) - 1)
            elif isinstance(e[0], Tensor):
                idx.append(leaf_index[id(e[0])])
            else:
                idx.append(fn_index[e[0]])
        name = out_name if fn is root else gate_names.get((fn, 0)) or fresh("t")
        fn_index[fn] = len(nodes)
        value = outs[0] if len(outs) == 1 else tuple(outs)
        elementwise = isinstance(fn, _ELEMENTWISE) or all(np.size(o) == 1 for o in outs)
        nodes.append(Node(len(nodes), name, "gate", value, op, fn.name(), idx, template, local_t,
                          [None] * len(ins), sends=[None] * len(ins), elementwise=elementwise,
                          params=dict(kwargs), engine=fn))
        for i in idx:
            nodes[i].consumers.append(len(nodes) - 1)
    _backward(nodes, order, fn_index, root, output)
    return Graph(nodes, fn_index[root], seeded=output.data.size != 1)


def _collect(root):
    """Every engine node that leads to root, in topological order (the engine's sequence numbers)."""
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        if n._freed:
            raise RuntimeError(_FREED)
        if n not in _RECORDED:
            raise RuntimeError(_NOT_RECORDED)
        seen.add(n)
        stack.extend(e[0] for e in n._edges if e is not None and not isinstance(e[0], Tensor))
    return sorted(seen, key=lambda n: n._seq)


def _vjp(fn, gs):
    """The engine's backward of one node on output gradients gs: one gradient (or None) per input."""
    if fn._arrays:
        r = fn.backward(fn, gs[0])
        return r if type(r) is tuple else (r,)
    return autograd._call_user_backward(fn, gs)


def _backward(nodes, order, fn_index, root, output):
    """Walk the gates from the output back, as the engine does, keeping every intermediate gradient."""
    grads = {(fn_index[root], output._out_idx): np.ones_like(output.data)}
    for fn in reversed(order):
        k = fn_index[fn]
        node = nodes[k]
        gs = [grads.get((k, j)) for j in range(fn._n_out)]
        node.upstream = gs[0] if fn._n_out == 1 else gs
        node.grad = node.upstream
        edges = list(fn._edges)
        if fn._n_out == 1 and gs[0] is None:
            continue
        for pos, g in enumerate(_vjp(fn, gs)):
            e = edges[pos] if pos < len(edges) else None
            if e is None or g is None:
                continue
            g = autograd.unbroadcast(np.asarray(g), e[2])
            node.sends[pos] = g
            i = node.inputs[pos]
            out_idx = 0 if isinstance(e[0], Tensor) else e[1]
            key = (i, out_idx)
            grads[key] = g if key not in grads else grads[key] + g
        if node.elementwise and fn._n_out == 1:
            ones = np.ones_like(np.asarray(node.value))
            node.local = [
                (np.asarray(loc) if loc is not None and pos < len(edges) and edges[pos] is not None else None)
                for pos, loc in enumerate(_vjp(fn, [ones]))
            ]
    for n in nodes:
        if n.kind == "input":
            n.grad = grads.get((n.index, 0))


# -------------------------------------------------------------------------------------- labels, formulas
def _scalar_const(x, e):
    a = np.asarray(x)
    return e is None and a.size == 1 and a.dtype != bool


def _paren(s):
    return f"({s})" if s.startswith(fmt.MINUS) else s


def _describe(fn, ins, edges):
    """(label, template, local-derivative templates, positions of folded constants) of one gate.

    Templates use {i} for input i. Scalar constants are written into the label and the template, as the
    slides write the "+1" and "·(−1)" gates."""
    n = len(ins)
    const = [_scalar_const(x, edges[i]) for i, x in enumerate(ins)]
    c = [fmt.number(np.asarray(x).reshape(()).item()) if const[i] else None for i, x in enumerate(ins)]
    generic = ", ".join(f"{{{i}}}" for i in range(n))
    if isinstance(fn, P.Add) and n == 2:
        if any(const) and not all(const):
            j = 0 if const[0] else 1
            i = 1 - j
            label = ("+" + c[j]) if not c[j].startswith(fmt.MINUS) else c[j]
            if j == 1:
                tpl = f"{{0}} + {c[1]}" if not c[1].startswith(fmt.MINUS) else f"{{0}} {fmt.MINUS} {c[1][1:]}"
            else:
                tpl = f"{c[0]} + {{1}}"
            loc = [None, None]
            loc[i] = "1"
            return label, tpl, loc, {j}
        return "+", "{0} + {1}", ["1", "1"], set()
    if isinstance(fn, P.Mul) and n == 2:
        if any(const) and not all(const):
            j = 0 if const[0] else 1
            i = 1 - j
            label = "·" + _paren(c[j])
            tpl = f"{{0}} · {_paren(c[1])}" if j == 1 else f"{c[0]} · {{1}}"
            loc = [None, None]
            loc[i] = c[j]
            return label, tpl, loc, {j}
        return "·", "{0} · {1}", ["{1}", "{0}"], set()
    if isinstance(fn, P.Neg):
        return f"·({fmt.MINUS}1)", f"{{0}} · ({fmt.MINUS}1)", [f"{fmt.MINUS}1"], set()
    if isinstance(fn, P.Pow) and n == 2:
        return _describe_pow(ins, const, c)
    unary = {"Exp": ("exp", "exp({0})", "exp({0})"), "Log": ("log", "log({0})", "1/{0}"),
             "Sin": ("sin", "sin({0})", "cos({0})"), "Cos": ("cos", "cos({0})", f"{fmt.MINUS}sin({{0}})"),
             "Tanh": ("tanh", "tanh({0})", f"1 {fmt.MINUS} tanh({{0}})²"),
             "Sigmoid": ("σ", "σ({0})", f"σ({{0}})·(1 {fmt.MINUS} σ({{0}}))"),
             "Abs": ("|x|", "|{0}|", "sign({0})"), "Clone": ("clone", "{0}", "1")}
    cls = type(fn).__name__
    if isinstance(fn, P.Primitive) and cls in unary:
        label, tpl, loc = unary[cls]
        return label, tpl, [loc], set()
    if isinstance(fn, (P.Maximum, P.Minimum)):
        w, cmp = ("max", ">") if isinstance(fn, P.Maximum) else ("min", "<")
        loc = [f"1 if {{0}} {cmp} {{1}} else 0", f"1 if {{1}} {cmp} {{0}} else 0"]
        args = [c[i] if const[i] else f"{{{i}}}" for i in range(2)]
        return w, f"{w}({args[0]}, {args[1]})", [None if const[i] else loc[i] for i in range(2)], {
            i for i in range(2) if const[i]}
    if isinstance(fn, P.Where) and n == 3:
        cond, a, b = (np.asarray(x) for x in ins)
        if (edges[0] is None and edges[2] is None and edges[1] is not None and const[2] and float(b) == 0
                and cond.shape == a.shape and np.array_equal(cond, a > 0)):
            return "relu", "relu({1})", [None, "1 if {1} > 0 else 0", None], {0, 2}
        return "where", "where({0}, {1}, {2})", [None, "{0}", "not {0}"], set()
    if isinstance(fn, P.Sum):
        return "Σ", "Σ {0}", ["1"], set()
    if isinstance(fn, P.MatMul):
        return "@", "{0} @ {1}", ["{1}ᵀ", "{0}ᵀ"], set()
    label = cls[: -len("Backward0")] if cls.endswith("Backward0") else cls
    label = label.lower() if isinstance(fn, P.Primitive) else label
    return label, f"{label}({generic})", [None] * n, set()


def _describe_pow(ins, const, c):
    if const[1] and not const[0]:
        p = float(np.asarray(ins[1]))
        special = {-1.0: ("1/x", "1/{0}", f"{fmt.MINUS}1/{{0}}²"), 2.0: ("x²", "{0}²", "2·{0}"),
                   3.0: ("x³", "{0}³", "3·{0}²"), 0.5: ("√x", "√{0}", "1/(2·√{0})"),
                   -0.5: ("1/√x", "1/√{0}", f"{fmt.MINUS}1/(2·{{0}}^1.5)")}
        if p in special:
            label, tpl, loc = special[p]
            return label, tpl, [loc, None], {1}
        return f"x^{_paren(c[1])}", f"{{0}}^{_paren(c[1])}", [f"{c[1]}·{{0}}^{_paren(fmt.number(p - 1))}", None], {1}
    if const[0] and not const[1]:
        return f"{c[0]}^x", f"{_paren(c[0])}^{{1}}", [None, f"{_paren(c[0])}^{{1}}·ln {_paren(c[0])}"], {0}
    return "^", "{0}^{1}", [f"{{1}}·{{0}}^({{1}} {fmt.MINUS} 1)", "{0}^{1}·ln {0}"], set()
