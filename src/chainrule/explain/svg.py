"""The circuit as SVG, drawn here: forward values above the wires (green), gradients below (red), a colour key.

``to_svg(graph)`` lays the circuit out with ``explain.layout`` (bounded work, no external program, so it
always finishes) and writes the SVG text. Each gate is a ``<g class="node gate">`` (inputs ``node input``,
the output's name ``node output``), each wire a ``<g class="wire">`` holding its line and its two labels, so
the SVG can be styled or checked, and the stepping page (``explain.html``) embeds the same drawing. Its style
rules apply only inside an ``svg.cr-circuit`` (and its arrow is ``#cr-arrow``), so a notebook that shows the
SVG inline (``Graph._repr_svg_``) keeps its own look.

``write_svg(g, path, graphviz=True)`` draws it with Graphviz's ``dot`` instead (``explain.dot``): a different
look, and an external program, which runs under a time limit and fails with a clean message.
"""

from __future__ import annotations

import html
from pathlib import Path

from .layout import LEGEND_H, MARGIN, RADIUS, layout
from .text import forward_line

VALUE_COLOR = "#1b7a1b"  # forward values: green, as the slides
GRAD_COLOR = "#c0392b"  # gradients: red
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

STYLE = f"""
  .cr-circuit .wire path, .cr-circuit .legend path {{ stroke: #666; stroke-width: 1.5; fill: none; }}
  .cr-circuit .wire text {{ font-size: 13px; text-anchor: middle; }}
  .cr-circuit .wire text.value, .cr-circuit .legend .value {{ fill: {VALUE_COLOR}; }}
  .cr-circuit .wire text.grad, .cr-circuit .legend .grad {{ fill: {GRAD_COLOR}; }}
  .cr-circuit .gate circle {{ fill: #fdf6e3; stroke: #555; stroke-width: 1.5; }}
  .cr-circuit .gate text.op {{ text-anchor: middle; dominant-baseline: central; }}
  .cr-circuit .gate text.name {{ font-size: 11px; fill: #777; text-anchor: middle; }}
  .cr-circuit .input text, .cr-circuit .const text {{ font-size: 16px; text-anchor: end;
                                                    dominant-baseline: central; }}
  .cr-circuit .output text {{ font-size: 16px; font-weight: bold; dominant-baseline: central; }}
  .cr-circuit .legend text {{ font-size: 13px; fill: #555; dominant-baseline: central; }}
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _op_size(op: str) -> int:
    return 24 if len(op) == 1 else 15 if len(op) <= 3 else 12  # a lone "·" or "+" must stay visible


def legend(x, y, f="f") -> str:
    """The colour key: what the green and the red numbers on a wire are."""
    return (f'<g class="legend"><path d="M {x} {y} L {x + 56} {y}" marker-end="url(#cr-arrow)"/>'
            f'<text class="value" x="{x + 26}" y="{y - 9}" text-anchor="middle">1.37</text>'
            f'<text class="grad" x="{x + 26}" y="{y + 10}" text-anchor="middle">−0.53</text>'
            f'<text x="{x + 70}" y="{y - 9}"><tspan class="value">green, above a wire:</tspan> the value it '
            f'carries forward</text>'
            f'<text x="{x + 70}" y="{y + 10}"><tspan class="grad">red, below:</tspan> the gradient '
            f'∂{_e(f)}/∂(that value) sent back along it</text></g>')


def to_svg(g, digits: int = 2, steps=None, element_id=None) -> str:
    """The circuit of graph ``g`` as SVG text. ``steps``: {(source, target): (value step, gradient step)} for the
    stepping page, written as ``data-vstep``/``data-gstep`` on each wire."""
    lay = layout(g, digits)
    w, h = round(lay.width), round(lay.height)
    ident = f' id="{_e(element_id)}"' if element_id else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="cr-circuit" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="{FONT}">',
           f"<style>{STYLE}</style>",
           '<defs><marker id="cr-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 1 L 9 5 L 0 9 z" fill="#666"/></marker></defs>',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           legend(MARGIN, MARGIN + LEGEND_H / 2, g.out.name)]
    for wire in lay.wires:
        d = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in wire.points)
        mx, my = wire.label_at
        data = ""
        if steps is not None:
            vs, gs = steps[(wire.source, wire.target)]
            data = f' data-from="{wire.source}" data-to="{wire.target}" data-vstep="{vs}" data-gstep="{gs}"'
        grad = (f'<text class="grad" x="{mx:.1f}" y="{my + 17:.1f}">{_e(wire.grad)}</text>' if wire.grad else "")
        out.append(f'<g class="wire"{data}><path d="{d}" marker-end="url(#cr-arrow)"/>'
                   f'<text class="value" x="{mx:.1f}" y="{my - 7:.1f}">{_e(wire.value)}</text>{grad}</g>')
    copies = set()
    for key, (x, y) in lay.pos.items():
        i = key if isinstance(key, int) else key[0]
        n = g.nodes[i]
        if n.kind == "gate":
            out.append(f'<g class="node gate" id="n{i}" data-index="{i}"><title>{_e(forward_line(g, n, digits))}'
                       f'</title><circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}"/>'
                       f'<text class="op" x="{x:.1f}" y="{y:.1f}" font-size="{_op_size(n.op)}">{_e(n.op)}</text>'
                       f'<text class="name" x="{x:.1f}" y="{y + RADIUS + 13:.1f}">{_e(n.name)}</text></g>')
        else:
            ident = f"n{i}" if i not in copies else f"n{i}-{key[1]}"  # the same input, beside other readers
            copies.add(i)
            out.append(f'<g class="node {n.kind}" id="{ident}" data-index="{i}"><text x="{x:.1f}" y="{y:.1f}">'
                       f"{_e(n.name)}</text></g>")
    rx, ry = lay.result
    out.append(f'<g class="node output" id="result"><text x="{rx + 4:.1f}" y="{ry:.1f}">{_e(g.out.name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_svg(g, path, digits: int = 2, graphviz: bool = False, timeout: float | None = None) -> Path:
    """Write the circuit to ``path``: drawn here (default), or by Graphviz's ``dot`` with ``graphviz=True``
    (within ``timeout`` seconds, else ``explain.dot.GraphvizTimeout``)."""
    if graphviz:
        from . import dot

        text = dot.to_svg(g, digits, timeout=dot.TIMEOUT if timeout is None else timeout)
    else:
        text = to_svg(g, digits)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
