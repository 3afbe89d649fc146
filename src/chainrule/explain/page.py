"""The stepping page's shell, shared by the circuit (``explain.html``) and the SGD table (``explain.sgd_views``):
a title, what to look at, Next/Back buttons (and the arrow keys), a step counter and a panel with the current
step's title and lines. Each page brings its own content and a JavaScript ``show(s, step)`` that draws step
``s``; the shell keeps ``window.explain = {step, steps, phase}`` for tests.

The page is self-contained (no external resources) and its data is JSON inside ``<script>``, with ``< > &``
escaped so that no name can end the script.
"""

from __future__ import annotations

import html
import json
import re

CSS = """
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
  h1 { font-size: 20px; font-weight: 600; margin: 0 0 6px; }
  #panel { margin-top: 14px; display: flex; gap: 16px; align-items: flex-start; }
  #controls button { font-size: 16px; padding: 6px 18px; margin-right: 6px; cursor: pointer; }
  #controls button:disabled { cursor: default; opacity: 0.4; }
  #counter { color: #666; font-size: 14px; margin-top: 8px; }
  #explain { flex: 1; background: #f7f7f7; border-radius: 8px; padding: 10px 16px; min-height: 90px;
             max-height: 360px; overflow-y: auto; }
  #title { font-weight: 600; margin-bottom: 6px; }
  #lines div { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 15px; margin: 3px 0;
               white-space: pre-wrap; }
  .phase-forward #title { color: #1b7a1b; } .phase-backward #title { color: #c0392b; }
  .phase-update #title { color: #1f4e9c; }
"""

_SHELL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__CSS__</style></head>
<body>
<h1>__TITLE__</h1>
__CONTENT__
<div id="panel">
  <div id="controls"><button id="back">&#9664; Back</button><button id="next">Next &#9654;</button>
    <div id="counter"></div></div>
  <div id="explain"><div id="title"></div><div id="lines"></div></div>
</div>
<script>
"use strict";
const DATA = __DATA__;
__SCRIPT__
let step = 0;
const next = document.getElementById("next"), back = document.getElementById("back");
function render() {
  const s = DATA.steps[step];
  show(s, step);
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


def stepper(title: str, content: str, data: dict, script: str, css: str = "") -> str:
    """The whole page: ``content`` (HTML, already escaped) above the controls; ``data`` (with ``steps``, each
    a dict with phase, title and lines) as ``DATA``; ``script`` defines ``show(s, step)``."""
    text = json.dumps(data, ensure_ascii=False)
    # inside <script>, "</script>" or "<!--" in a string would end the script: escape < > & as JSON allows
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    parts = {"__TITLE__": html.escape(title), "__CSS__": CSS + css, "__CONTENT__": content, "__DATA__": text,
             "__SCRIPT__": script}
    # one pass: no part is searched again, so a name such as x__DATA__ in the content stays a name
    return re.sub("|".join(parts), lambda m: parts[m.group(0)], _SHELL)


__all__ = ["stepper", "CSS"]
