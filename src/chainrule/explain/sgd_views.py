"""The SGD table as a picture (SVG) and as a page that steps through it (HTML), like the formula's circuit.

Colours follow the circuit's: forward values (the model's output h and the loss L) green, gradients red, and
the parameters after each update blue. The page walks each step in three moves — forward (h, L), backward
(every gradient, with the chain-rule lines of that step's circuit), update (p ← p − lr·∂L/∂p with its numbers)
— filling the table's cells as it goes. Both show at most ``MAX_ROWS`` steps (the text table has them all).
"""

from __future__ import annotations

import html as _html
from pathlib import Path

from . import fmt
from .page import stepper
from .svg import GRAD_COLOR, VALUE_COLOR
from .text import backward_steps, forward_line, seed_line

PARAM_COLOR = "#1f4e9c"  # the parameters after the update: blue
MAX_ROWS = 100
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
CHAR_W, ROW_H, MARGIN = 9.0, 26, 20  # one character of 15 px monospace


def _groups(table):
    """The colour group of each column: "value" (h, L), "grad" (∂L/∂·) or "param"."""
    k = len(table.params)
    return ["value", "value"] + ["grad"] * (1 + k) + ["param"] * k


def header_lines(table, digits=2):
    """The lines above the table: model, loss, update rule, start (as the text form prints them)."""
    return table.text(digits).split("\n\n")[0].splitlines()


def cells(table, digits=2):
    """The shown rows as strings, and how many rows were left out."""
    rows = [[fmt.value(v, digits) for v in r] for r in table.rows[:MAX_ROWS]]
    return rows, max(0, len(table.rows) - MAX_ROWS)


def _key_items(table):
    L, h = table.columns[1], table.columns[0]
    return [("value", VALUE_COLOR, f"forward: the model's output {h} and the loss {L}"),
            ("grad", GRAD_COLOR, f"backward: the gradients ∂{L}/∂·"),
            ("param", PARAM_COLOR, f"update: each parameter after p ← p − {fmt.number(table.lr, 6)}·∂{L}/∂p")]


def to_svg(table, digits: int = 2) -> str:
    """The table as the slide prints it, as SVG: the header lines, the coloured table, a colour key, the note."""
    e = _html.escape
    rows, left_out = cells(table, digits)
    cols = ["step"] + list(table.columns)
    body = [[str(k + 1)] + r for k, r in enumerate(rows)]
    widths = [max(len(c), *(len(r[i]) for r in body)) * CHAR_W + 22 for i, c in enumerate(cols)]
    colour = {"value": VALUE_COLOR, "grad": GRAD_COLOR, "param": PARAM_COLOR}
    groups = ["step"] + _groups(table)
    head = header_lines(table, digits)
    note = table.note(digits).splitlines()
    extra = [f"… and {left_out} more steps (the text table has them all)"] if left_out else []
    table_w = sum(widths)
    width = max(table_w, max(len(s) for s in head + note + extra + ["x" * 70]) * CHAR_W * 0.92) + 2 * MARGIN
    y = MARGIN + 14
    out = []
    for line in head:
        out.append(f'<text x="{MARGIN}" y="{y}" class="head">{e(line)}</text>')
        y += 20
    y += 10
    top = y
    out.append(f'<rect x="{MARGIN}" y="{top}" width="{table_w}" height="{ROW_H}" fill="#f2f2f2"/>')
    for r, row in enumerate([cols] + body):
        cy = top + r * ROW_H + ROW_H / 2
        if r and r % 2 == 0:
            out.append(f'<rect x="{MARGIN}" y="{top + r * ROW_H}" width="{table_w}" height="{ROW_H}" '
                       f'fill="#fafafa"/>')
        x = MARGIN
        for i, text in enumerate(row):
            fill = "#555" if groups[i] == "step" else colour[groups[i]]
            weight = ' font-weight="bold"' if r == 0 else ""
            out.append(f'<text x="{x + 11}" y="{cy}" fill="{fill}"{weight} class="cell">{e(text)}</text>')
            x += widths[i]
    y = top + (len(body) + 1) * ROW_H
    out.append(f'<path d="M {MARGIN} {top + ROW_H} H {MARGIN + table_w}" stroke="#999"/>')
    out.append(f'<path d="M {MARGIN} {y} H {MARGIN + table_w}" stroke="#999"/>')
    y += 24
    for line in extra:
        out.append(f'<text x="{MARGIN}" y="{y}" class="head">{e(line)}</text>')
        y += 20
    out.append('<g class="legend">')
    for _, col, text in _key_items(table):
        out.append(f'<rect x="{MARGIN}" y="{y - 9}" width="12" height="12" fill="{col}"/>'
                   f'<text x="{MARGIN + 20}" y="{y}" class="key">{e(text)}</text>')
        y += 20
    out.append("</g>")
    for line in note:
        out.append(f'<text x="{MARGIN}" y="{y + 6}" class="note">{e(line.strip())}</text>')
        y += 19
    height = y + MARGIN
    w = round(width)
    # the rules apply only inside svg.cr-sgd: shown inline in a notebook, the SVG leaves the page's text alone
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="cr-sgd" width="{w}" height="{round(height)}" '
            f'viewBox="0 0 {w} {round(height)}">\n<style>\n'
            f"  .cr-sgd text {{ font-family: {MONO}; }}\n"
            "  .cr-sgd .cell { font-size: 15px; dominant-baseline: central; }\n"
            "  .cr-sgd .head { font-size: 14px; fill: #333; white-space: pre; }\n"
            "  .cr-sgd .key { font-size: 13px; fill: #444; }\n  .cr-sgd .note { font-size: 13px; fill: #7a4b00; }\n"
            "</style>\n"
            f'<rect width="{w}" height="{round(height)}" fill="white"/>\n' + "\n".join(out) + "\n</svg>\n")


def page_data(table, digits: int = 2) -> dict:
    """The page's steps: for every shown SGD step, forward, backward and update, each with the lines that
    explain it and the table cells it fills in ({"row", "cols"})."""
    rows, left_out = cells(table, digits)
    params, L = table.params, table.columns[1]
    k = len(params)
    steps = []
    for r in range(len(rows)):
        g = table.step_graph(r)
        n = f"step {r + 1} of {len(table.rows)}"
        steps.append({"phase": "forward", "row": r, "cols": [0, 1], "title": f"{n} — forward: {table.columns[0]} "
                      f"and {L}", "lines": [forward_line(g, gate, digits) for gate in g.gates]})
        lines = [seed_line(g)] + [s for _, ls in backward_steps(g, digits) for s in ls]
        steps.append({"phase": "backward", "row": r, "cols": list(range(2, 3 + k)),
                      "title": f"{n} — backward: each gradient is upstream · local", "lines": lines})
        update = []
        for j, p in enumerate(params):
            before, grad, after = table.starts[r][p], table.rows[r][3 + j], table.rows[r][3 + k + j]
            line = (f"{p} ← {p} − {fmt.number(table.lr, 6)}·∂{L}/∂{p} = {fmt.value(before, digits)} − "
                    f"{fmt.number(table.lr, 6)}·{_paren(fmt.value(grad, digits))}")
            exact = before - table.lr * grad
            if table.carried is not None:
                line += f" = {fmt.value(exact, digits + 3)}, carried as {fmt.value(after, digits)}"
            else:
                line += f" = {fmt.value(after, digits)}"
            update.append(line.replace(" − ", f" {fmt.MINUS} "))
        steps.append({"phase": "update", "row": r, "cols": list(range(3 + k, 3 + 2 * k)),
                      "title": f"{n} — update: a step against the gradient", "lines": update})
    done = table.note(digits).replace("\n      ", " ")
    last = [f"{p} = {v}" for p, v in zip(params, rows[-1][-k:])] if rows else []
    steps.append({"phase": "done", "row": None, "cols": [], "title": "After the last step",
                  "lines": ([", ".join(last)] + ([done] if done else [])
                            + ([f"(the page shows the first {len(rows)} of {len(table.rows)} steps)"]
                               if left_out else []))})
    return {"steps": steps, "columns": list(table.columns), "groups": _groups(table), "rows": rows,
            "head": header_lines(table, digits)}


def _paren(s):
    return f"({s})" if s.startswith(fmt.MINUS) else s


def to_html(table, digits: int = 2, title=None) -> str:
    """A self-contained page that fills the SGD table in, step by step (Next/Back or the arrow keys)."""
    content = ('<pre id="head"></pre>\n<table id="table"></table>\n<div class="key"><span class="value">green'
               "</span>: forward (the model's output and the loss) · <span class=\"grad\">red</span>: backward "
               '(the gradients) · <span class="param">blue</span>: the parameters after the update. Use Next/Back '
               "or the arrow keys.</div>")
    return stepper(title or "SGD, step by step", content, page_data(table, digits), _SCRIPT, _CSS)


def write_svg(table, path, digits: int = 2) -> Path:
    path = Path(path)
    path.write_text(to_svg(table, digits), encoding="utf-8")
    return path


def write_html(table, path, digits: int = 2, title=None) -> Path:
    path = Path(path)
    path.write_text(to_html(table, digits, title), encoding="utf-8")
    return path


_CSS = """
  pre#head { font-size: 14px; color: #333; margin: 0 0 12px; }
  table { border-collapse: collapse; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 16px; }
  th, td { padding: 4px 14px; text-align: left; border-bottom: 1px solid #eee; }
  th { background: #f2f2f2; border-bottom: 1px solid #999; }
  .value { color: #1b7a1b; } .grad { color: #c0392b; } .param { color: #1f4e9c; }
  td.hidden { color: transparent; }
  td.current { background: #ffe9a8; }
  tr.current td.step { font-weight: 700; }
  .key { color: #555; font-size: 14px; margin: 10px 0; }
  .key span { font-weight: 600; }
"""

_SCRIPT = """
document.getElementById("head").textContent = DATA.head.join("\\n");
const table = document.getElementById("table");
const hr = table.insertRow();
["step"].concat(DATA.columns).forEach((c, i) => {
  const th = document.createElement("th"); th.textContent = c;
  if (i) th.className = DATA.groups[i - 1];
  hr.appendChild(th);
});
const shownAt = DATA.rows.map(() => []);  // shownAt[row][col]: the step that fills the cell in
DATA.steps.forEach((s, k) => { if (s.row !== null) s.cols.forEach(c => { shownAt[s.row][c] = k; }); });
const tds = DATA.rows.map((row, r) => {
  const tr = table.insertRow();
  const n = tr.insertCell(); n.textContent = r + 1; n.className = "step";
  return row.map(v => { const td = tr.insertCell(); td.textContent = v; return td; });
});
function show(s, step) {
  tds.forEach((row, r) => {
    row.forEach((td, c) => {
      const current = s.row === r && s.cols.includes(c);
      td.className = DATA.groups[c] + (shownAt[r][c] > step ? " hidden" : "") + (current ? " current" : "");
    });
    table.rows[r + 1].classList.toggle("current", s.row === r);
  });
}
"""
