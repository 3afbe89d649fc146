"""The gradient check view: every gradient of a formula's graph against a central finite difference.

For a value v of the graph (an input, or a gate's output) and one of its elements, nudge that element by
±h and run the formula again (without recording a graph):

    ∂f/∂v ≈ (f(v + h) − f(v − h)) / 2h,        h = 1e-6 · max(1, |v|)

An error of O(h²) plus rounding of O(ε/h): with float64 about 1e-9 relative, far below any mistake in a
derivative. A gate's output is nudged by adding h to its result as the formula runs, so the intermediate
gradients (∂f/∂q) are checked too, not only the inputs'.

Each row runs the formula twice, so a big formula would cost (values × gates) gate evaluations: at most
``MAX_ROWS`` rows are checked — every input element first, then gates spread evenly over the circuit (the
output among them) — and the table says how many of how many.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from .graph import record

MAX_ELEMENTS = 12  # per value: enough to see a pattern, few enough to stay readable
MAX_ROWS = 60  # in all: a thousand-gate formula is checked in seconds, not minutes


class Rows(list):
    """The checked rows; ``total`` is how many gradients there were to check (more than ``len`` when capped)."""

    total = 0


def finite_differences(formula, values, g, eps=1e-6, atol=1e-6, rtol=1e-4):
    """Rows {name, element, engine, numeric, ok} for every input and gate of ``g`` (built from ``formula``
    at ``values`` by ``chainrule.explain.build``, which sets ``g.positions``: gate node -> its place in
    the order the formula creates gates)."""
    base = {k: np.asarray(v, dtype=np.float64) for k, v in values.items()}

    def f(vals, nudge=None):
        # recorded, as build() ran it: the same gates in the same order, so gate k is the same gate
        tensors = {k: cr.from_numpy(np.array(v)).requires_grad_() for k, v in vals.items()}
        with cr.enable_grad(), record():
            out, _, _ = formula.evaluate(tensors, nudge)
        return float(np.sum(out.detach().numpy()))

    candidates = []
    for node in g.nodes:
        if node.grad is None or node.kind == "const" or isinstance(node.value, tuple):
            continue
        value = np.asarray(node.value, dtype=np.float64)
        candidates += [(node, value, j) for j in range(min(value.size, MAX_ELEMENTS))]
    rows = Rows()
    rows.total = len(candidates)
    for node, value, j in _spread(candidates):
        grad = np.broadcast_to(np.asarray(node.grad, dtype=np.float64), value.shape)
        idx = np.unravel_index(j, value.shape) if value.shape else ()
        h = eps * max(1.0, abs(float(value[idx])))
        if node.kind == "input":
            plus, minus = dict(base), dict(base)
            plus[node.name] = _bump(value, idx, h)
            minus[node.name] = _bump(value, idx, -h)
            numeric = (f(plus) - f(minus)) / (2 * h)
        else:
            k = g.positions[node.index]
            delta = np.zeros(value.shape)
            delta[idx] = h
            numeric = (f(base, (k, delta)) - f(base, (k, -delta))) / (2 * h)
        engine = float(grad[idx])
        element = "" if value.size == 1 else str([int(i) for i in idx]).replace(" ", "")
        rows.append({"name": node.name, "element": element, "engine": engine, "numeric": numeric,
                     "ok": bool(abs(engine - numeric) <= atol + rtol * abs(numeric))})
    return rows


def _spread(candidates):
    """At most MAX_ROWS of the (node, value, element) candidates: the inputs' first, then gates evenly spread
    over the rest (the last one, the output, included), in their original order."""
    if len(candidates) <= MAX_ROWS:
        return candidates
    inputs = [c for c in candidates if c[0].kind == "input"][:MAX_ROWS]
    gates = [c for c in candidates if c[0].kind != "input"]
    room = MAX_ROWS - len(inputs)
    if room <= 0 or not gates:
        return inputs
    picks = sorted({int(round(i)) for i in np.linspace(0, len(gates) - 1, room)})
    return inputs + [gates[i] for i in picks]


def _bump(a, idx, h):
    b = np.array(a, dtype=np.float64)
    b[idx] += h
    return b
