"""The circuit as an SVG drawn by Graphviz: forward values above the wires (green), gradients below (red).

``to_dot(graph)`` writes the Graphviz source (always available); ``to_svg`` runs Graphviz's ``dot`` on it.
Each gate is one Graphviz node with class "gate" (and each input one with class "input"), so the SVG can
be styled or checked. Without ``dot`` the error names the package to install (Debian: ``graphviz``).
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from . import fmt
from .text import forward_line

VALUE_COLOR = "#1b7a1b"  # forward values: green, as the slides
GRAD_COLOR = "#c0392b"  # gradients: red

MISSING = (
    "drawing the SVG needs Graphviz's `dot` program, which was not found on PATH. Install Graphviz: on "
    "Debian/Ubuntu the package is `graphviz` (sudo apt-get install graphviz); on macOS `brew install graphviz`. "
    "The HTML page (--html) needs nothing extra."
)


class GraphvizMissing(RuntimeError):
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
    """The Graphviz source of the circuit, laid out left to right like the slides."""
    lines = [
        "digraph circuit {",
        '  rankdir=LR; nodesep=0.35; ranksep=0.7; bgcolor="white";',
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


def to_svg(g, digits: int = 2, dot: str | None = None) -> str:
    """Run Graphviz on ``to_dot(g)`` and return the SVG text."""
    exe = dot or shutil.which("dot")
    if not exe:
        raise GraphvizMissing(MISSING)
    try:
        res = subprocess.run([exe, "-Tsvg"], input=to_dot(g, digits).encode(), capture_output=True, timeout=60)
    except FileNotFoundError:
        raise GraphvizMissing(MISSING) from None
    if res.returncode != 0:
        raise RuntimeError(f"Graphviz `dot` failed (exit {res.returncode}): {res.stderr.decode(errors='replace')}")
    return res.stdout.decode()


def write_svg(g, path, digits: int = 2) -> Path:
    path = Path(path)
    path.write_text(to_svg(g, digits), encoding="utf-8")
    return path
