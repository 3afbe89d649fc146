"""The circuit for Graphviz: ``to_dot(graph)`` writes the DOT source (always available, no program run);
``to_svg(graph, timeout=...)`` runs Graphviz's ``dot`` on it, as an opt-in alternative to chainrule's own
drawing (``explain.svg``).

``dot`` is an external program whose layout time grows steeply with long-range wires: a 60-statement formula
within every limit of ``chainrule explain`` can keep it busy for minutes. So it runs under a time limit
(``TIMEOUT`` seconds by default): past it the process is killed and ``GraphvizTimeout`` says what happened
and that the built-in drawing (the default) always finishes. Without ``dot``, ``GraphvizMissing`` names the
package to install (Debian: ``graphviz``).
"""

from __future__ import annotations

import html
import shutil
import subprocess

from . import fmt
from .svg import GRAD_COLOR, VALUE_COLOR
from .text import forward_line

TIMEOUT = 20.0  # seconds

MISSING = (
    "drawing the SVG with Graphviz needs its `dot` program, which was not found on PATH. Install Graphviz: on "
    "Debian/Ubuntu the package is `graphviz` (sudo apt-get install graphviz); on macOS `brew install graphviz`. "
    "Without --graphviz, chainrule draws the SVG itself and needs nothing extra."
)


class GraphvizError(RuntimeError):
    """Graphviz could not draw the circuit; the message says why and what to do instead."""


class GraphvizMissing(GraphvizError):
    pass


class GraphvizTimeout(GraphvizError):
    pass


def _q(s):
    """A DOT double-quoted string."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wire(value, grad, digits):
    """An HTML-like edge label: the value on top, the gradient under it."""
    top = f'<font color="{VALUE_COLOR}">{html.escape(fmt.value(value, digits))}</font>'
    if grad is None:
        return f"<{top}>"
    return f'<{top}<br/><font color="{GRAD_COLOR}">{html.escape(fmt.value(grad, digits))}</font>>'


def to_dot(g, digits: int = 2) -> str:
    """The Graphviz source of the circuit, laid out left to right like the slides, with the colour key as the
    graph's label."""
    key = (f'<<font color="{VALUE_COLOR}">green: the value a wire carries forward</font>    '
           f'<font color="{GRAD_COLOR}">red: the gradient ∂{html.escape(g.out.name)}/∂(that value) sent back'
           f"</font>>")
    lines = [
        "digraph circuit {",
        '  rankdir=LR; nodesep=0.35; ranksep=0.7; bgcolor="white";',
        f'  label={key}; labelloc=t; labeljust=l; fontname="Helvetica"; fontsize=12;',
        '  node [fontname="Helvetica", fontsize=14];',
        '  edge [fontname="Helvetica", fontsize=12, arrowsize=0.6, color="#555555"];',
    ]
    for n in g.nodes:
        if n.kind == "const" and n.folded:
            continue
        if n.kind == "gate":
            sub = f'<br/><font point-size="9" color="#777777">{html.escape(n.name)}</font>'
            size = 20 if len(n.op) == 1 else 14  # a lone "·" or "+" must stay visible
            lines.append(f"  n{n.index} [id={_q(f'n{n.index}')}, class=gate, shape=circle, margin=0.04, "
                         f"style=filled, fillcolor=\"#fdf6e3\", fontsize={size}, label=<{html.escape(n.op)}{sub}>, "
                         f"tooltip={_q(forward_line(g, n, digits))}];")
        else:
            lines.append(f"  n{n.index} [id={_q(f'n{n.index}')}, class={n.kind}, shape=plaintext, "
                         f"label={_q(n.name)}];")
    for gate in g.gates:
        for pos, i in enumerate(gate.inputs):
            src = g.nodes[i]
            if src.kind == "const" and src.folded:
                continue
            # each wire carries its value forward and, backward, what this gate sends along it (where a
            # value fans out, its gradient is the sum over its wires)
            lines.append(f"  n{i} -> n{gate.index} [label={_wire(src.value, gate.sends[pos], digits)}];")
    out = g.out
    lines.append(f"  result [id=\"result\", class=output, shape=plaintext, label={_q(out.name)}];")
    lines.append(f"  n{out.index} -> result [label={_wire(out.value, out.grad, digits)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(g, digits: int = 2, dot: str | None = None, timeout: float = TIMEOUT) -> str:
    """Run Graphviz on ``to_dot(g)`` and return the SVG text; the process is killed after ``timeout`` seconds."""
    exe = dot or shutil.which("dot")
    if not exe:
        raise GraphvizMissing(MISSING)
    try:
        res = subprocess.run([exe, "-Tsvg"], input=to_dot(g, digits).encode(), capture_output=True,
                             timeout=timeout)
    except FileNotFoundError:
        raise GraphvizMissing(MISSING) from None
    except subprocess.TimeoutExpired:
        wires = sum(len(n.inputs) for n in g.gates)
        raise GraphvizTimeout(
            f"Graphviz's dot did not finish laying out the circuit ({len(g.gates)} gates, {wires} wires) within "
            f"{timeout:g} s and was stopped; drop --graphviz (graphviz=False) to draw it with chainrule's own "
            f"layout, which always finishes") from None
    if res.returncode != 0:
        raise GraphvizError(f"Graphviz `dot` failed (exit {res.returncode}): "
                            f"{res.stderr.decode(errors='replace').strip()}")
    return res.stdout.decode()


__all__ = ["to_dot", "to_svg", "GraphvizError", "GraphvizMissing", "GraphvizTimeout", "TIMEOUT"]
