"""A self-contained HTML page that steps through the forward pass, then the backward pass, gate by gate.

Next/Back (or the arrow keys) move one step: first the inputs, then each gate computing its value (the
gate is highlighted, its value appears on its output wire), then ∂f/∂f = 1, then each gate in reverse
order sending upstream · local gradient down its input wires, with the chain-rule product written out.
The circuit is the SVG of ``explain.svg``, embedded in the page (with its colour key); a few lines of
JavaScript only show and highlight its parts step by step. The page has no external resources, so it works
from a file, offline, in any browser.
"""

from __future__ import annotations

from pathlib import Path

from . import fmt
from .page import stepper
from .svg import to_svg
from .text import backward_steps, forward_line, inputs_line, seed_line


def page_data(g, digits=2):
    """Everything the page needs besides the drawing, as JSON-ready data: the steps, and for each wire
    (source, target) the step at which its value and its gradient appear."""
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
    wires = {(i, gate.index): (value_step[i], grad_step.get(gate.index, 10**9)) for gate in g.gates
             for i in gate.inputs}
    wires[(g.output, -1)] = (value_step[g.output], seed_step)
    return {"steps": steps, "wires": wires}


def to_html(g, digits: int = 2, title=None) -> str:
    data = page_data(g, digits)
    drawing = to_svg(g, digits, steps=data["wires"], element_id="circuit")
    content = ('<div class="hint">The forward pass, then the backward pass, one gate at a time: use Next/Back or '
               f'the arrow keys.</div>\n<div id="drawing">\n{drawing}</div>')
    return stepper(title or f"Backprop, step by step: {g.out.name}", content, {"steps": data["steps"]}, _SCRIPT,
                   _CSS)


def write_html(g, path, digits: int = 2, title=None) -> Path:
    path = Path(path)
    path.write_text(to_html(g, digits, title), encoding="utf-8")
    return path


_CSS = """
  .hint { color: #666; font-size: 14px; margin-bottom: 12px; }
  #drawing { overflow-x: auto; }
  #circuit { border: 1px solid #ddd; border-radius: 8px; background: #fff; }
  #circuit .gate.done circle { fill: #fff3c4; }
  #circuit .gate.current circle { fill: #ffd54f; stroke: #e65100; stroke-width: 3; }
  #circuit .wire.active path { stroke: #e65100; stroke-width: 2.5; }
"""

_SCRIPT = """
const wires = Array.from(document.querySelectorAll("#circuit .wire")).map(g => ({
  g, from: +g.dataset.from, to: +g.dataset.to, vstep: +g.dataset.vstep, gstep: +g.dataset.gstep,
  v: g.querySelector("text.value"), gr: g.querySelector("text.grad")}));
const gates = {};
document.querySelectorAll("#circuit .gate").forEach(g => { gates[g.dataset.index] = g; });
const firstStep = {};  // the first step at which each gate is the current one
DATA.steps.forEach((t, k) => { if (t.gate !== null && !(t.gate in firstStep)) firstStep[t.gate] = k; });
function show(s, step) {
  wires.forEach(o => {
    o.v.style.visibility = step >= o.vstep ? "visible" : "hidden";
    if (o.gr) o.gr.style.visibility = step >= o.gstep ? "visible" : "hidden";
    const touches = o.to === s.gate || (s.phase === "forward" && o.from === s.gate);
    o.g.classList.toggle("active", s.gate !== null && touches);
  });
  for (const i in gates) {
    gates[i].classList.toggle("current", s.gate !== null && String(s.gate) === i);
    gates[i].classList.toggle("done", i in firstStep && firstStep[i] <= step);
  }
}
"""
