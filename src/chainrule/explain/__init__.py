"""Backprop made visible: the computational graph with its values and gradients, gate by gate.

    import chainrule.explain as ex
    g = ex.formula("q = x + y; f = q * z", x=-2, y=5, z=-4)
    print(ex.text(g))                 # forward and backward pass in the lecture's words
    ex.write_svg(g, "circuit.svg")    # the circuit, values above the wires, gradients below, a colour key
    ex.write_html(g, "circuit.html")  # a page that steps through the forward then the backward pass

For any code, not only formulas::

    with ex.record():
        loss = model(x).sum()
    g = ex.graph(loss, names={"x": x})

and for a network, layer by layer: ``ex.layers(model, x, y, loss_fn)``.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

# Import every submodule first: several share their name with a function defined below (graph, text, check,
# sgd, layers), and a submodule imported for the first time later would overwrite that function.
from . import check as _check
from . import graph as _graph
from . import html as _html
from . import layers as _layers
from . import sgd as _sgd
from . import svg as _svg
from . import text as _text
from .graph import Graph, Node, record
from .parse import Formula, FormulaError, parse

graph = _graph.graph


def build(f: Formula, values) -> Graph:
    """Run a parsed formula on the engine inside ``record()`` and return its graph. ``values``: name ->
    number or array; every input becomes a float64 leaf that requires grad."""
    tensors = {}
    for name in f.inputs:
        if name not in values:
            raise FormulaError(f"no value for {name}: give it with --at {name}=VALUE (in Python: {name}=VALUE)",
                               syntax=False)
        tensors[name] = cr.from_numpy(np.array(values[name], dtype=np.float64)).requires_grad_()
    with record():
        out, named, gates = f.evaluate(tensors)
    if out.grad_fn is None:
        raise FormulaError(f"the formula's result is the input {f.source.strip()!r} itself: it has no gate to "
                           "explain", syntax=False)
    names = {**tensors, **named}
    names.setdefault(f.output, out)
    g = graph(out, names)
    order = {id(fn): k for k, fn in enumerate(gates)}
    g.positions = {n.index: order[id(n.engine)] for n in g.gates}
    return g


def formula(source: str, **values) -> Graph:
    """The graph of a formula at the given values: ``formula("(x + y) * z", x=-2, y=5, z=-4)``."""
    return build(parse(source), values)


def _need_graph(g, op):
    if not isinstance(g, Graph):
        raise TypeError(f"{op}() takes the Graph that graph(output) or formula(...) returns, got a "
                        f"{type(g).__name__}" + (": call chainrule.explain.graph(output) first"
                                                 if type(g).__name__ == "Tensor" else ""))


def text(g: Graph, digits: int = 2, check_rows=None) -> str:
    """The terminal rendering (see explain.text)."""
    _need_graph(g, "text")
    return _text.render(g, digits, check_rows)


def check(source_or_formula, **values):
    """Rows comparing every gradient of the formula with a central finite difference."""
    f = parse(source_or_formula) if isinstance(source_or_formula, str) else source_or_formula
    return _check.finite_differences(f, values, build(f, values))


def write_svg(g: Graph, path, digits: int = 2, graphviz: bool = False, timeout=None):
    """The circuit as an SVG file, drawn by chainrule (or by Graphviz's ``dot`` with ``graphviz=True``, within
    ``timeout`` seconds; see explain.svg and explain.dot)."""
    _need_graph(g, "write_svg")
    return _svg.write_svg(g, path, digits, graphviz=graphviz, timeout=timeout)


def write_html(g: Graph, path, digits: int = 2, title=None):
    """A self-contained page that steps through the forward and backward pass (see explain.html)."""
    _need_graph(g, "write_html")
    return _html.write_html(g, path, digits, title)


def sgd(model: str, loss: str, at: dict, lr: float, steps: int, params=None, carry_rounded=None):
    """The lecture's SGD table (see explain.sgd); ``carry_rounded=2`` carries the printed values from step to
    step, as the slide does. The table's ``write_svg(path)`` and ``write_html(path)`` draw it and step through it."""
    return _sgd.sgd_table(model, loss, at, lr, steps, params, carry_rounded)


def layers(model, x, y, loss_fn):
    """Layer-level backprop for an nn model (see explain.layers)."""
    return _layers.layers(model, x, y, loss_fn)


__all__ = ["Graph", "Node", "Formula", "FormulaError", "record", "graph", "parse", "build", "formula", "text",
           "check", "write_svg", "write_html", "sgd", "layers"]
