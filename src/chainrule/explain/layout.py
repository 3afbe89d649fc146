"""Where each part of the circuit is drawn: a layered layout, computed here in bounded work (no external program),
shared by the SVG (``explain.svg``) and the stepping page (``explain.html``).

Columns by depth, left to right as the slides draw circuits: a gate sits one column right of its deepest input;
an input or constant sits just left of its first consumer. Within a column, nodes are ordered by the mean height
of their neighbours (``SWEEPS`` barycentre sweeps, as Graphviz's dot does), then centred on them. The work is
``SWEEPS`` passes over the nodes and wires plus a sort per column: a thousand gates take milliseconds, and
``Layout.work`` counts the neighbour visits so that tests can check the bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import fmt

ROW_H, MARGIN, RADIUS = 92, 24, 22
CHAR_W = 7.4  # width of one character of a 13 px wire label (DejaVu Sans / Helvetica): enough for the widest
SWEEPS = 4
LEGEND_H = 34  # the colour key above the circuit


@dataclass
class Wire:
    source: int  # node index (-1 for the output's name)
    target: int
    value: str  # the forward value it carries, formatted
    grad: str  # the gradient sent back along it, formatted ("" when none)
    points: list  # the polyline [(x, y), ...] from the source's right side to the target's left side
    label_at: tuple  # (x, y): the labels are centred there, the value above and the gradient below


@dataclass
class Layout:
    pos: dict  # node index -> (x, y) of its centre
    wires: list  # Wire, one per drawn input of each gate, then the output wire
    result: tuple  # where the output's name is written
    width: float
    height: float
    col_w: float
    work: int = 0  # neighbour visits of the sweeps (bounded by SWEEPS · (nodes + 2 · wires))
    kinds: dict = field(default_factory=dict)  # node index -> "gate" / "input" / "const"


def drawn_nodes(g):
    """Nodes that get a place: every gate, input and constant, except scalar constants written into a gate's
    label ("+1")."""
    return [n for n in g.nodes if not (n.kind == "const" and n.folded)]


def _labels(g, digits):
    """(value, gradient) label of every wire, in the order the wires are drawn."""
    out = []
    for gate in g.gates:
        for p, i in enumerate(gate.inputs):
            n = g.nodes[i]
            if n.kind == "const" and n.folded:
                continue
            grad = fmt.value(gate.sends[p], digits) if gate.sends[p] is not None else ""
            out.append((i, gate.index, fmt.value(n.value, digits), grad))
    seed = "" if g.out.grad is None else ("1" if not g.seeded else "1 (each)")
    out.append((g.output, -1, fmt.value(g.out.value, digits), seed))
    return out


def layout(g, digits: int = 2) -> Layout:
    """Positions of the nodes and wires of graph ``g`` (see the module docstring)."""
    drawn = drawn_nodes(g)
    labels = _labels(g, digits)
    widest = max((len(s) for _, _, v, gr in labels for s in (v, gr)), default=1)
    col_w = max(150.0, 2 * RADIUS + 44 + CHAR_W * widest)  # room for a label on the straight run of a wire
    depth = {}
    for n in g.nodes:  # topological order: inputs come before their consumers
        depth[n.index] = 1 + max((depth[i] for i in n.inputs if i in depth), default=-1) if n.kind == "gate" else 0
    for n in drawn:
        if n.kind != "gate" and n.consumers:
            depth[n.index] = min(depth[c] for c in n.consumers) - 1
    cols = {}
    for n in drawn:
        cols.setdefault(depth[n.index], []).append(n.index)
    y = {}
    for d in sorted(cols):
        for r, i in enumerate(cols[d]):
            y[i] = r * ROW_H
    neighbours = {n.index: [i for i in n.inputs if i in y] + [c for c in n.consumers if c in y] for n in drawn}
    work = 0
    for _ in range(SWEEPS):
        for d in sorted(cols):
            target = {}
            for i in cols[d]:
                near = neighbours[i]
                work += len(near) + 1
                target[i] = sum(y[j] for j in near) / len(near) if near else y[i]
            cols[d].sort(key=lambda i: target[i])
            centre = sum(target.values()) / len(target)
            top = centre - (len(cols[d]) - 1) * ROW_H / 2
            for r, i in enumerate(cols[d]):
                y[i] = top + r * ROW_H
    lo, left = min(y.values()), min(depth[i] for i in y)
    x0, y0 = MARGIN + 40, MARGIN + LEGEND_H + 30
    pos = {i: (x0 + (depth[i] - left) * col_w, y0 + y[i] - lo) for i in y}
    ox, oy = pos[g.output]
    result = (ox + col_w * 0.8, oy)
    wires = []
    fan_out = {}
    for source, *_ in labels:
        fan_out[source] = fan_out.get(source, 0) + 1
    for source, target, value, grad in labels:
        a = _port(pos[source], g.nodes[source].kind, 1)
        b = (result[0] - 4, result[1]) if target == -1 else _port(pos[target], "gate", -1)
        wires.append(_wire(source, target, value, grad, a, b, fan_out[source] > 1))
    width = result[0] + CHAR_W * max(4, len(g.out.name) + 2) + MARGIN
    height = max(p[1] for p in pos.values()) + RADIUS + 30 + MARGIN
    return Layout(pos, wires, result, width, height, col_w, work, {i: g.nodes[i].kind for i in pos})


def _wire(source, target, value, grad, a, b, shared):
    """A wire from a to b: straight out of its source for as long as its labels need (so they sit on a level
    line, clear of the wires converging on the target), then straight to the target. A value that fans out
    to several gates leaves along straight lines, each labelled half-way."""
    (x1, y1), (x2, y2) = a, b
    if shared or abs(y2 - y1) < 16 or x2 - x1 < 60:  # (a slight slope reads better than a small step)
        return Wire(source, target, value, grad, [a, b], ((x1 + x2) / 2, (y1 + y2) / 2))
    need = CHAR_W * max(len(value), len(grad)) + 16
    bend = min(x2 - 24, x1 + max(need, (x2 - x1) / 2))
    return Wire(source, target, value, grad, [a, (bend, y1), b], ((x1 + bend) / 2, y1))


def _port(p, kind, side):
    """Where a wire leaves (side 1) or enters (side −1) a node: a gate's circle, or beside a name."""
    x, y = p
    if kind == "gate":
        return (x + side * RADIUS, y)
    return (x + (6 if side > 0 else -6), y)


__all__ = ["Layout", "Wire", "layout", "drawn_nodes", "ROW_H", "RADIUS", "SWEEPS"]
