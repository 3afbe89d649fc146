"""The explanations in a Jupyter notebook: what ``_repr_html_``, ``_repr_svg_`` and ``repr`` return.

* a ``Graph`` (``formula``, ``graph``): as HTML, the stepping page of ``explain.html`` inline (an iframe whose
  ``srcdoc`` is the page, so its script runs and its styles stay inside); as SVG, the circuit of
  ``explain.svg`` — drawn by chainrule, no Graphviz binary;
* an ``SGDTable`` (``sgd``): its stepping page, and its SVG;
* a ``LayerReport`` (``layers``): an HTML table, the rows of its text form.

Nothing is fetched from anywhere (see ``chainrule._display``). Jupyter shows the HTML where it can; the SVG is
in the same output, for front ends and converters (nbconvert to PDF) that take pictures only.
"""

from __future__ import annotations

from .. import _display as d
from . import fmt

# The page around a circuit: body margins, the title, the hint, the controls and the explanation panel (at
# most 360 px, then it scrolls), in px; the iframe is this much taller than the drawing.
CIRCUIT_CHROME = 300
# The SGD page: margins, title, header lines, key and panel; each table row adds ROW_PX.
SGD_CHROME, ROW_PX = 420, 30


def graph_html(g, digits: int = 2) -> str:
    from .html import to_html
    from .layout import layout

    height = layout(g, digits).height + CIRCUIT_CHROME
    return d.iframe(to_html(g, digits), height, f"backprop through {g.out.name}, step by step")


def graph_svg(g, digits: int = 2) -> str:
    from .svg import to_svg

    return to_svg(g, digits)


def graph_repr(g) -> str:
    out = g.out
    shown = g.inputs[:6]
    grads = ", ".join(f"∂{out.name}/∂{n.name} = {fmt.value(n.grad)}" for n in shown)
    more = f", … ({len(g.inputs) - len(shown)} more)" if len(g.inputs) > len(shown) else ""
    names = ", ".join(n.name for n in shown) + ("" if not more else ", …")
    return (f"Graph({out.name} = {fmt.value(out.value)}: {len(g.inputs)} input{'s' * (len(g.inputs) != 1)} "
            f"({names}), {len(g.gates)} gate{'s' * (len(g.gates) != 1)}; {grads}{more})")


def node_repr(n) -> str:
    if n.kind == "gate":
        what = f"gate {n.op}"
    else:
        what = n.kind
    grad = f", gradient {fmt.value(n.grad)}" if n.grad is not None else ""
    return f"Node({n.name}: {what}, value {fmt.value(n.value)}{grad})"


def sgd_html(table, digits: int = 2) -> str:
    from .sgd_views import MAX_ROWS, to_html

    height = SGD_CHROME + ROW_PX * (1 + min(len(table.rows), MAX_ROWS))
    return d.iframe(to_html(table, digits), height, "SGD, step by step")


def sgd_repr(table) -> str:
    h, L = table.columns[0], table.columns[1]
    last = table.rows[-1][-len(table.params):] if table.rows else list(table.start.values())
    params = ", ".join(f"{p} = {fmt.value(v)}" for p, v in zip(table.params, last))
    carried = f", {table.carried} decimals carried" if table.carried is not None else ""
    return (f"SGDTable({h} = {table.model}; {L} = {table.loss}; lr {fmt.number(table.lr, 6)}, {len(table.rows)} "
            f"step{'s' * (len(table.rows) != 1)}{carried}: {params})")


def layers_html(report, digits: int = 2) -> str:
    head, rows, note = report.parts(digits)
    numeric = {3, 5, 6, 7}
    align = ["right" if c in numeric else "left" for c in range(len(rows[0]))]
    parts = [f"<div><b>{d.esc(head[0])}</b></div>", f'<div style="color: #555;">{d.esc(head[1])}</div>',
             d.table(rows[0], rows[1:], align=align)]
    if note:
        parts.append(f'<div style="color: #555;">{d.esc(note)}</div>')
    return d.block(*parts)


def layers_repr(report) -> str:
    linear = [lay for lay in report.layers if lay.by_hand is not None]
    checked = (f"; δᵀ·in = ∂L/∂W for {sum(lay.by_hand for lay in linear)} of {len(linear)} Linear layers"
               if linear else "")
    return (f"LayerReport({report.model_name} on a batch of {report.batch}: {report.loss_name} "
            f"{fmt.number(report.loss, 4)}, {len(report.layers)} layers{checked})")


def layer_repr(lay) -> str:
    from .layers import _norm

    delta = "" if lay.grad_output is None else f", ‖δ‖ = {fmt.value(_norm(lay.grad_output), 3)}"
    params = "".join(f", ‖∂L/∂{p}‖ = {fmt.value(_norm(g), 3)}" for p, _, g in lay.params if g is not None)
    return f"Layer({lay.name} {lay.kind}, output {fmt.shape(lay.output_shape)}{delta}{params})"

