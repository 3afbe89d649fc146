"""A self-contained HTML page that steps through the forward pass, then the backward pass, gate by gate.

Next/Back (or the arrow keys) move one step: first the inputs, then each gate computing its value (the
gate is highlighted, its value appears on its output wire), then ∂f/∂f = 1, then each gate in reverse
order sending upstream · local gradient down its input wires, with the chain-rule product written out.
The page has no external resources (the circuit is laid out here and drawn by a few lines of JavaScript),
so it works from a file, offline, in any browser.
"""

from __future__ import annotations

import html as _html
import json
from pathlib import Path

from . import fmt
from .text import backward_steps, forward_line, inputs_line, seed_line

COL_W, ROW_H, MARGIN = 150, 92, 24


def layout(g):
    """(x, y) of every drawn node: columns by depth (inputs just left of their first consumer), rows ordered
    by the mean height of their neighbours (a few barycentre sweeps), like Graphviz's dot does."""
    drawn = [n for n in g.nodes if not (n.kind == "const" and n.folded)]
    depth = {}
    for n in g.nodes:  # topological order: inputs come before their consumers
        ins = [i for i in n.inputs if i in depth]
        depth[n.index] = 1 + max((depth[i] for i in ins), default=-1) if n.kind == "gate" else 0
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
    for _ in range(4):
        for d in sorted(cols):
            target = {i: sum(y[j] for j in neighbours[i]) / len(neighbours[i]) if neighbours[i] else y[i]
                      for i in cols[d]}
            cols[d].sort(key=lambda i: target[i])
            centre = sum(target.values()) / len(target)
            top = centre - (len(cols[d]) - 1) * ROW_H / 2
            for r, i in enumerate(cols[d]):
                y[i] = top + r * ROW_H
    lo = min(y.values())
    pos = {i: (MARGIN + 30 + depth[i] * COL_W, MARGIN + 30 + y[i] - lo) for i in y}
    return pos


def page_data(g, digits=2):
    """Everything the page needs, as JSON-ready data: nodes, wires and the steps."""
    pos = layout(g)
    steps = [{"phase": "inputs", "gate": None, "title": "The inputs", "lines": [inputs_line(g, digits)]}]
    value_step = {n.index: 0 for n in g.nodes if n.kind != "gate"}
    for gate in g.gates:
        value_step[gate.index] = len(steps)
        steps.append({"phase": "forward", "gate": gate.index, "title": f"Forward: the {gate.op} gate",
                      "lines": [forward_line(g, gate, digits)]})
    f = g.out.name
    steps.append({"phase": "backward", "gate": g.output, "title": "Backward starts at the output",
                  "lines": [seed_line(g)]})
    seed_step = len(steps) - 1
    grad_step = {}
    for gate_index, lines in backward_steps(g, digits):
        grad_step[gate_index] = len(steps)
        gate = g.nodes[gate_index]
        steps.append({"phase": "backward", "gate": gate_index,
                      "title": f"Backward: the {gate.op} gate (upstream ∂{f}/∂{gate.name} · local gradient)",
                      "lines": lines})
    steps.append({"phase": "done", "gate": None, "title": "The gradients",
                  "lines": [f"∂{f}/∂{n.name} = {fmt.value(n.grad, digits)}" for n in g.inputs]})
    nodes = [{"i": i, "name": g.nodes[i].name, "kind": g.nodes[i].kind, "op": g.nodes[i].op, "x": x, "y": y}
             for i, (x, y) in pos.items()]
    wires = []
    for gate in g.gates:
        for p, i in enumerate(gate.inputs):
            if i in pos:
                wires.append({"from": i, "to": gate.index, "value": fmt.value(g.nodes[i].value, digits),
                              "grad": fmt.value(gate.sends[p], digits) if gate.sends[p] is not None else "",
                              "vstep": value_step[i], "gstep": grad_step.get(gate.index, 10**9)})
    ox, oy = pos[g.output]
    nodes.append({"i": -1, "name": f, "kind": "result", "op": "", "x": ox + COL_W * 0.8, "y": oy})
    wires.append({"from": g.output, "to": -1, "value": fmt.value(g.out.value, digits), "grad": "1" if not g.seeded
                  else "1 (each)", "vstep": value_step[g.output], "gstep": seed_step})
    width = max(n["x"] for n in nodes) + MARGIN + 40
    height = max(n["y"] for n in nodes) + MARGIN + 40
    return {"nodes": nodes, "wires": wires, "steps": steps, "width": width, "height": height}


def to_html(g, digits: int = 2, title=None) -> str:
    data = json.dumps(page_data(g, digits), ensure_ascii=False)
    # inside <script>, "</script>" or "<!--" in a string would end the script: escape < > & as JSON allows
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    title = title or f"Backprop, step by step: {g.out.name}"
    return _PAGE.replace("__TITLE__", _html.escape(title)).replace("__DATA__", data)


def write_html(g, path, digits: int = 2, title=None) -> Path:
    path = Path(path)
    path.write_text(to_html(g, digits, title), encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
  h1 { font-size: 20px; font-weight: 600; margin: 0 0 4px; }
  .legend { color: #666; font-size: 14px; margin-bottom: 12px; }
  .legend .v { color: #1b7a1b; font-weight: 600; } .legend .g { color: #c0392b; font-weight: 600; }
  #circuit { border: 1px solid #ddd; border-radius: 8px; background: #fff; max-width: 100%; }
  .gate circle { fill: #fdf6e3; stroke: #555; stroke-width: 1.5; }
  .gate.done circle { fill: #fff3c4; }
  .gate.current circle { fill: #ffd54f; stroke: #e65100; stroke-width: 3; }
  .gate text.op { font-size: 17px; text-anchor: middle; dominant-baseline: central; }
  .gate text.name { font-size: 11px; fill: #777; text-anchor: middle; }
  .input text, .const text, .result text { font-size: 16px; text-anchor: end; dominant-baseline: central; }
  .result text { text-anchor: start; font-weight: 600; }
  .wire line { stroke: #666; stroke-width: 1.5; }
  .wire.active line { stroke: #e65100; stroke-width: 2.5; }
  .wire text { font-size: 13px; text-anchor: middle; }
  .wire text.value { fill: #1b7a1b; } .wire text.grad { fill: #c0392b; }
  #panel { margin-top: 14px; display: flex; gap: 16px; align-items: flex-start; }
  #controls button { font-size: 16px; padding: 6px 18px; margin-right: 6px; cursor: pointer; }
  #controls button:disabled { cursor: default; opacity: 0.4; }
  #counter { color: #666; font-size: 14px; margin-top: 8px; }
  #explain { flex: 1; background: #f7f7f7; border-radius: 8px; padding: 10px 16px; min-height: 90px; }
  #title { font-weight: 600; margin-bottom: 6px; }
  #lines div { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 16px; margin: 3px 0; }
  .phase-forward #title { color: #1b7a1b; } .phase-backward #title { color: #c0392b; }
</style></head>
<body>
<h1>__TITLE__</h1>
<div class="legend">values flow forward <span class="v">(green, above the wires)</span>; gradients flow
backward <span class="g">(red, below)</span>. Use Next/Back or the arrow keys.</div>
<svg id="circuit" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="panel">
  <div id="controls"><button id="back">&#9664; Back</button><button id="next">Next &#9654;</button>
    <div id="counter"></div></div>
  <div id="explain"><div id="title"></div><div id="lines"></div></div>
</div>
<script>
"use strict";
const DATA = __DATA__;
const NS = "http://www.w3.org/2000/svg";
const svg = document.getElementById("circuit");
svg.setAttribute("width", DATA.width); svg.setAttribute("height", DATA.height);
svg.setAttribute("viewBox", "0 0 " + DATA.width + " " + DATA.height);
const R = 22, byIndex = {};
DATA.nodes.forEach(n => { byIndex[n.i] = n; });
function el(tag, attrs, parent, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}
function port(n, side) {  // where a wire leaves (side 1) or enters (side -1) a node
  if (n.kind === "gate") return [n.x + side * R, n.y];
  return [n.x + (side > 0 ? 6 : -6), n.y];
}
const wires = DATA.wires.map(w => {
  const a = port(byIndex[w.from], 1), b = port(byIndex[w.to], -1);
  const g = el("g", {"class": "wire"}, svg);
  el("line", {x1: a[0], y1: a[1], x2: b[0], y2: b[1]}, g);
  const mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2;
  const v = el("text", {"class": "value", x: mx, y: my - 7}, g, w.value);
  const gr = el("text", {"class": "grad", x: mx, y: my + 17}, g, w.grad);
  return {w, g, v, gr};
});
const gates = {};
DATA.nodes.forEach(n => {
  const g = el("g", {"class": n.kind, "data-index": n.i}, svg);
  if (n.kind === "gate") {
    el("circle", {cx: n.x, cy: n.y, r: R}, g);
    const op = el("text", {"class": "op", x: n.x, y: n.y}, g, n.op);
    op.style.fontSize = n.op.length === 1 ? "24px" : n.op.length <= 3 ? "15px" : "12px";
    el("text", {"class": "name", x: n.x, y: n.y + R + 13}, g, n.name);
    gates[n.i] = g;
  } else {
    el("text", {x: n.kind === "result" ? n.x + 4 : n.x, y: n.y}, g, n.name);
  }
});
let step = 0;
const next = document.getElementById("next"), back = document.getElementById("back");
function render() {
  const s = DATA.steps[step];
  wires.forEach(o => {
    o.v.style.visibility = step >= o.w.vstep ? "visible" : "hidden";
    o.gr.style.visibility = step >= o.w.gstep ? "visible" : "hidden";
    const touches = o.w.to === s.gate || (s.phase === "forward" && o.w.from === s.gate);
    o.g.classList.toggle("active", s.gate !== null && touches);
  });
  for (const i in gates) {
    gates[i].classList.toggle("current", s.gate !== null && String(s.gate) === i);
    const seen = DATA.steps.slice(0, step + 1).some(t => t.gate !== null && String(t.gate) === i);
    gates[i].classList.toggle("done", seen);
  }
  document.body.className = "phase-" + s.phase;
  document.getElementById("title").textContent = s.title;
  const lines = document.getElementById("lines");
  lines.textContent = "";
  s.lines.forEach(t => { const d = document.createElement("div"); d.textContent = t; lines.appendChild(d); });
  document.getElementById("counter").textContent = "step " + (step + 1) + " of " + DATA.steps.length;
  back.disabled = step === 0; next.disabled = step === DATA.steps.length - 1;
  window.explain = {step: step, steps: DATA.steps.length, phase: s.phase};
}
next.addEventListener("click", () => { if (step < DATA.steps.length - 1) { step++; render(); } });
back.addEventListener("click", () => { if (step > 0) { step--; render(); } });
document.addEventListener("keydown", e => {
  if (e.key === "ArrowRight") next.click();
  if (e.key === "ArrowLeft") back.click();
});
render();
</script>
</body></html>
"""
