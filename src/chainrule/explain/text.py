"""The terminal rendering, in the lecture's words.

    forward pass
      q = x + y = −2 + 5 = 3
      f = q · z = 3 · (−4) = −12
    backward pass
      ∂f/∂f = 1
      ∂f/∂q = z = −4
      ∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4

Each backward line is one use of the chain rule: the gradient arriving at a gate from above (upstream,
∂f/∂q) times the gate's local derivative (∂q/∂x) is the gradient it sends to its input. Where a value feeds
several gates, their contributions add.
"""

from __future__ import annotations

import re

import numpy as np

from . import fmt

_SLOT = re.compile(r"\{(\d+)\}")
_NUMBER = re.compile(r"^[\u2212-]?[\d.]+$")


def fill(template, args):
    """Substitute input strings into a gate template; negative numbers get parentheses unless they open
    the formula before an infix operator (the slides write "−4 · 1" but "3 · (−4)" and "(−1.9)²")."""

    def one(m):
        s = args[int(m.group(1))]
        if s.startswith(fmt.MINUS):
            before, after = template[m.start() - 1 : m.start()], template[m.end() : m.end() + 1]
            opening = m.start() == 0 and after == " "
            enclosed = before in ("(", " ") and after in (")", ",") and template[: m.start()].rstrip()[-1:] in "(,"
            if not (opening or enclosed):
                return f"({s})"
        return s

    return _SLOT.sub(one, template)


def _names(g, node):
    return [g.nodes[i].name for i in node.inputs]


def _values(g, node, digits):
    return [fmt.value(g.nodes[i].value, digits) for i in node.inputs]


def forward_line(g, node, digits=2):
    """'q = x + y = −2 + 5 = 3' (the middle step is left out when a value is a large tensor)."""
    out = fmt.value(node.value, digits)
    names = fill(node.template, _names(g, node))
    if all(fmt.is_small(g.nodes[i].value) for i in node.inputs) and not isinstance(node.value, tuple):
        vals = fill(node.template, _values(g, node, digits))
        if vals != names:
            return f"{node.name} = {names} = {vals} = {out}"
    return f"{node.name} = {names} = {out}"


def inputs_line(g, digits=2):
    return "    ".join(f"{n.name} = {fmt.value(n.value, digits)}" for n in g.inputs)


def _d(f, x):
    return f"∂{f}/∂{x}"


def edge_line(g, gate, pos, digits=2, lhs=None):
    """The chain rule for one input of one gate: '∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4'."""
    f = g.out.name
    inp = g.nodes[gate.inputs[pos]]
    lhs = lhs or _d(f, inp.name)
    send = fmt.value(gate.sends[pos], digits)
    tpl = gate.local_templates[pos] if pos < len(gate.local_templates) else None
    local_formula = fill(tpl, _names(g, gate)) if tpl else None
    local = gate.local[pos] if pos < len(gate.local) else None
    numbers = _local_numbers(g, gate, pos, digits)
    if gate.index == g.output and not g.seeded and local is not None:  # upstream is ∂f/∂f = 1
        loc = fmt.value(local, digits)
        if local_formula and local_formula != loc:
            return f"{lhs} = {local_formula}{numbers} = {send}"
        return f"{lhs} = {send}"
    chain = f"{_d(f, gate.name)} · {_d(gate.name, inp.name)}"
    if local is None:  # not elementwise: a Jacobian, applied as a vector-Jacobian product
        how = f" (∂{gate.name}/∂{inp.name} = {local_formula})" if local_formula else ""
        return f"{lhs} = {chain} = {send}   (vector-Jacobian product through {gate.op}{how})"
    up = np.asarray(gate.upstream)
    local = np.asarray(local)
    scalar = up.size == 1 and local.size == 1
    if not scalar:
        chain = chain.replace(" · ", " ⊙ ")
        summed = np.shape(gate.sends[pos]) != np.broadcast_shapes(up.shape, local.shape)
        if summed:  # broadcasting: the input was used for many elements, so its gradient is their sum
            chain = "Σ " + chain
    loc = fmt.value(local, digits)
    product = f"{fmt.value(up, digits)} {'·' if scalar else '⊙'} {_paren(loc)}"
    if not scalar and chain.startswith("Σ"):
        product = f"Σ {product}"
    line = f"{lhs} = {chain} = {product} = {send}"
    if local_formula and local_formula != loc and not _NUMBER.match(local_formula):
        line += f"   ({_d(gate.name, inp.name)} = {local_formula}{numbers}{' = ' + loc if numbers else ''})"
    return line


def _local_numbers(g, gate, pos, digits):
    """' = 0.73·0.27': the local derivative's formula with the numbers put in (scalars only), or ''."""
    spec = gate.local_numeric[pos] if pos < len(gate.local_numeric) else None
    if not spec or gate.local[pos] is None:
        return ""
    template, extras = spec
    if _SLOT.fullmatch(template):  # ∂(a·b)/∂a = b: the product already shows b's value
        return ""
    values = [g.nodes[i].value for i in gate.inputs] + list(extras)
    if any(isinstance(v, tuple) or np.size(v) != 1 for v in values):
        return ""
    text = fill(template, [fmt.value(v, digits) for v in values])
    loc = fmt.value(gate.local[pos], digits)
    formula = fill(template, _names(g, gate) + [""] * len(extras))
    if text in (loc, formula) or _NUMBER.match(text):
        return ""
    return f" = {text}"


def _paren(s):
    return f"({s})" if s.startswith(fmt.MINUS) else s


def backward_steps(g, digits=2):
    """[(gate index, [lines])] in backward order: for each gate, the gradient it sends to each input, and
    the total ∂f/∂v of a value once its last consumer has sent its part (where gradients add)."""
    f = g.out.name
    uses = {n.index: len(n.consumers) for n in g.nodes}
    parts = {}  # node index -> contributions so far
    steps = []
    for gate in reversed(g.gates):
        lines = []
        for pos, i in enumerate(gate.inputs):
            if gate.sends[pos] is None:
                continue
            inp = g.nodes[i]
            if uses[i] == 1:
                lines.append(edge_line(g, gate, pos, digits))
                continue
            parts.setdefault(i, []).append(gate.sends[pos])
            lines.append(edge_line(g, gate, pos, digits, lhs=f"{_d(f, inp.name)} (via {gate.name})"))
            if len(parts[i]) == uses[i]:
                terms = " + ".join(_paren(fmt.value(p, digits)) for p in parts[i])
                lines.append(f"{_d(f, inp.name)} = {terms} = {fmt.value(inp.grad, digits)}   "
                             f"({inp.name} is used {uses[i]} times: the gradients add)")
        steps.append((gate.index, lines))
    return steps


def seed_line(g):
    f = g.out.name
    if g.seeded:
        return (f"∂{f}/∂{f} = 1 for every element ({f} is not a scalar: these are the gradients of "
                f"the sum of its elements)")
    return f"∂{f}/∂{f} = 1"


def render(g, digits=2, check_rows=None) -> str:
    """The whole explanation: inputs, forward pass, backward pass, gradients (and the check, if given)."""
    out = ["inputs", "  " + inputs_line(g, digits), "", "forward pass: values flow from the inputs to the output"]
    out += ["  " + forward_line(g, n, digits) for n in g.gates]
    out += ["", "backward pass: each gate multiplies the gradient from above by its local gradient",
            "  " + seed_line(g)]
    for _, lines in backward_steps(g, digits):
        out += ["  " + s for s in lines]
    f = g.out.name
    out += ["", "gradients", "  " + "    ".join(f"∂{f}/∂{n.name} = {fmt.value(n.grad, digits)}" for n in g.inputs)]
    if check_rows is not None:
        out += ["", *check_lines(check_rows, f)]
    return "\n".join(out)


def check_lines(rows, f="f"):
    """The gradient check as a table: engine (backprop) and central difference side by side."""
    head = ("gradient check: backprop vs the central difference (f(v + h) − f(v − h)) / 2h, "
            "h = 1e-6·max(1, |v|)").replace("−", fmt.MINUS)
    table = [("gradient", "backprop", "numerical", "difference", "")]
    for r in rows:
        table.append((f"∂{f}/∂{r['name']}{r['element']}", fmt.precise(r["engine"]), fmt.precise(r["numeric"]),
                      f"{abs(r['engine'] - r['numeric']):.1e}", "✓" if r["ok"] else "✗ MISMATCH"))
    widths = [max(len(row[c]) for row in table) for c in range(5)]
    lines = [head] + ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    bad = sum(not r["ok"] for r in rows)
    lines.append(f"  {len(rows) - bad} of {len(rows)} gradients agree" + (f"; {bad} do NOT" if bad else ""))
    total = getattr(rows, "total", len(rows))
    if total > len(rows):
        lines.append(f"  ({len(rows)} of {total} gradients checked: every input, then gates spread over the circuit)")
    return lines


def safe_for(stream, text):
    """Replace ∂ − · ⊙ ‖ by ASCII when the terminal's encoding cannot show them."""
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(enc)
        return text
    except (UnicodeEncodeError, LookupError):
        table = {"∂": "d", fmt.MINUS: "-", "·": "*", "⊙": "*", "‖": "|", "Σ": "sum ", "σ": "sigmoid", "√": "sqrt",
                 "²": "^2", "³": "^3", "×": "x", "✓": "ok", "✗": "X", "∞": "inf", "ᵀ": "^T"}
        for a, b in table.items():
            text = text.replace(a, b)
        return text.encode(enc, "replace").decode(enc)
