"""Rich display in Jupyter for chainrule's explanations and reports: the pieces they share.

An object that shows itself in a notebook defines ``_repr_html_`` (and ``_repr_svg_`` where it is a picture);
IPython calls them, and nothing here imports IPython. What they return is self-contained: no script, style
sheet, font or image is fetched from anywhere, so a notebook opened offline shows the same. Two rules keep the
notebook itself untouched:

* a page with a script (the stepping pages of ``chainrule.explain``) goes into an ``<iframe srcdoc>``: its
  script runs there in every front end, and its style sheet and element ids stay inside it;
* plain HTML (tables, reports) carries inline ``style=`` attributes only, never a ``<style>`` element, which
  would restyle the whole notebook.
"""

from __future__ import annotations

import html

FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
MONO = "'DejaVu Sans Mono', Menlo, Consolas, monospace"


def esc(s) -> str:
    return html.escape(str(s), quote=True)


def iframe(page: str, height: int, title: str) -> str:
    """``page`` (a whole HTML document) shown inline: an iframe whose ``srcdoc`` is the page, scripts allowed,
    nothing else (no same-origin access to the notebook, no forms, no pop-ups)."""
    return (f'<iframe srcdoc="{esc(page)}" title="{esc(title)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {int(height)}px; border: 1px solid #e3e3e3; border-radius: 6px;">'
            "</iframe>")


def table(head, rows, *, align=None, mono: bool = True, cell_styles=None) -> str:
    """An HTML table with inline styles: ``head`` a list of column titles, ``rows`` lists of strings (escaped
    here). ``align``: per column "left"/"right"; ``cell_styles``: per row, per cell, extra CSS or None."""
    align = align or ["left"] * len(head)
    family = MONO if mono else FONT
    th = ("padding: 3px 10px; border-bottom: 1px solid #999; background: #f2f2f2; font-weight: 600; "
          "white-space: nowrap;")
    out = [f'<table style="border-collapse: collapse; font-family: {family}; font-size: 13px; margin: 6px 0;">',
           "<thead><tr>" + "".join(f'<th style="{th} text-align: {a};">{esc(h)}</th>' for h, a in zip(head, align))
           + "</tr></thead><tbody>"]
    for r, row in enumerate(rows):
        extra = cell_styles[r] if cell_styles else [None] * len(row)
        cells = []
        for c, (v, a) in enumerate(zip(row, align)):
            style = f"padding: 2px 10px; border-bottom: 1px solid #eee; text-align: {a}; white-space: nowrap;"
            if extra[c]:
                style += " " + extra[c]
            cells.append(f'<td style="{style}">{esc(v)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def block(*parts: str) -> str:
    """Parts (HTML) in one ``<div>`` in the notebook's text font."""
    return f'<div style="font-family: {FONT}; font-size: 13px; line-height: 1.45;">' + "".join(parts) + "</div>"


__all__ = ["iframe", "table", "block", "esc", "FONT", "MONO"]
