"""Where each part of the circuit is drawn: a layered layout, computed here in bounded work (no external program),
shared by the SVG (``explain.svg``) and the stepping page (``explain.html``).

Columns by depth, left to right as the slides draw circuits: a gate sits one column right of its deepest input
gate; an input or constant is drawn just left of the gates that read it, once per column of them (so x in
x·x + sin(x) + ... appears beside each gate that reads it, and no wire from an input crosses the circuit).
Within a column, nodes are ordered by the mean height of their neighbours (``SWEEPS`` barycentre sweeps, as
Graphviz's dot does), then centred on them. The work is ``SWEEPS`` passes over the nodes and wires plus a
sort per column: a thousand gates take milliseconds, and ``Layout.work`` counts the neighbour visits so that
tests can check the bound. (A wire from a gate to one many columns on is drawn straight, across what lies
between: routing it round needs work that grows with its length.)
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
    pos: dict  # gate index, or (input/constant index, column of its readers) -> (x, y) of its centre
    wires: list  # Wire, one per drawn input of each gate, then the output wire
    result: tuple  # where the output's name is written
    width: float
    height: float
    col_w: float
    work: int = 0  # neighbour visits of the sweeps (bounded by SWEEPS · (nodes + 2 · wires))
    kinds: dict = field(default_factory=dict)  # key of pos -> "gate" / "input" / "const"


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
    """Positions of the nodes and wires of graph ``g`` (see the module docstring). ``pos`` is keyed by
    node index for gates and by (node index, column) for the copies of inputs and constants."""
    labels = _labels(g, digits)
    widest = max((len(s) for _, _, v, gr in labels for s in (v, gr)), default=1)
    col_w = max(150.0, 2 * RADIUS + 44 + CHAR_W * widest)  # room for a label on the straight run of a wire
    depth = {}
    for n in g.nodes:  # topological order: inputs come before their consumers
        if n.kind == "gate":
            depth[n.index] = 1 + max((depth[i] for i in n.inputs if g.nodes[i].kind == "gate"), default=0)
    # an input or constant is drawn once per column of its consumers, just left of them: no wire from it
    # crosses the circuit (x in f = x·x + sin(x) + ... appears beside each gate that reads it)
    cols = {}
    for n in drawn_nodes(g):
        if n.kind == "gate":
            cols.setdefault(depth[n.index], []).append(n.index)
        else:
            for d in sorted({depth[c] for c in n.consumers}):
                cols.setdefault(d - 1, []).append((n.index, d))
    source_key = {}  # (gate, input position) -> key of the drawn source
    neighbours = {key: [] for keys in cols.values() for key in keys}
    for gate in g.gates:
        for pos, i in enumerate(gate.inputs):
            key = i if g.nodes[i].kind == "gate" else (i, depth[gate.index])
            if key in neighbours:
                source_key[(gate.index, pos)] = key
                neighbours[key].append(gate.index)
                neighbours[gate.index].append(key)
    y = {}
    for d in sorted(cols):
        for r, key in enumerate(cols[d]):
            y[key] = r * ROW_H
    work = 0
    for _ in range(SWEEPS):
        for d in sorted(cols):
            target = {}
            for key in cols[d]:
                near = neighbours[key]
                work += len(near) + 1
                target[key] = sum(y[j] for j in near) / len(near) if near else y[key]
            cols[d].sort(key=lambda k: target[k])
            centre = sum(target.values()) / len(target)
            top = centre - (len(cols[d]) - 1) * ROW_H / 2
            for r, key in enumerate(cols[d]):
                y[key] = top + r * ROW_H
    lo, left = min(y.values()), min(cols)
    x0, y0 = MARGIN + 40, MARGIN + LEGEND_H + 30
    pos = {key: (x0 + (d - left) * col_w, y0 + y[key] - lo) for d, keys in cols.items() for key in keys}
    ox, oy = pos[g.output]
    result = (ox + col_w * 0.8, oy)
    wires, fan_out, drawn_labels = [], {}, []
    it = iter(labels)
    for gate in g.gates:
        for p in range(len(gate.inputs)):
            if (gate.index, p) in source_key:
                source, target, value, grad = next(it)
                drawn_labels.append((source_key[(gate.index, p)], target, value, grad))
    drawn_labels.append((g.output, *next(it)[1:]))
    for key, *_ in drawn_labels:
        fan_out[key] = fan_out.get(key, 0) + 1
    for key, target, value, grad in drawn_labels:
        source = key if isinstance(key, int) else key[0]
        a = _port(pos[key], g.nodes[source].kind, 1)
        b = (result[0] - 4, result[1]) if target == -1 else _port(pos[target], "gate", -1)
        wires.append(_wire(source, target, value, grad, a, b, fan_out[key] > 1))
    width = result[0] + CHAR_W * max(4, len(g.out.name) + 2) + MARGIN
    height = max(p[1] for p in pos.values()) + RADIUS + 30 + MARGIN
    kinds = {key: g.nodes[key if isinstance(key, int) else key[0]].kind for key in pos}
    return Layout(pos, wires, result, width, height, col_w, work, kinds)


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
