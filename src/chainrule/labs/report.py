"""``chainrule lab all``'s report: one self-contained HTML file (figures embedded as base64 PNG).

Every lab gets a section: the lecture's claim, the measured conclusion, the numbers (scalars in a table;
long lists shortened) and its figures. No external CSS, scripts or images: the file opens anywhere.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import os
from pathlib import Path

import chainrule as cr

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{margin-bottom:.2em}.meta{color:#666;font-size:.9em}
nav{display:flex;flex-wrap:wrap;gap:.3em .9em}nav a{white-space:nowrap}
section{border-top:1px solid #ddd;margin-top:2em;padding-top:1em}
.claim{color:#555;font-style:italic}.conclusion{background:#f3f7ee;border-left:4px solid #7a4;padding:.6em .9em}
table{border-collapse:collapse;font-size:.85em;margin:.8em 0}td,th{border:1px solid #ddd;padding:2px 8px;
text-align:left;vertical-align:top}td.v{font-family:ui-monospace,monospace}
figure{display:inline-block;margin:.5em 1em .5em 0;max-width:100%}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444;max-width:640px}
"""


def _flatten(numbers: dict, prefix: str = ""):
    """(key, value) rows: nested dicts become dotted keys; lists stay whole (shortened when shown)."""
    for k, v in numbers.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, key + ".")
        else:
            yield key, v


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        inner = [_show(x) for x in v[:8]]
        return "[" + ", ".join(inner) + (f", … ({len(v)} values)" if len(v) > 8 else "") + "]"
    return "n/a" if v is None else str(v)


def _section(r) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td class=v>{html.escape(_show(v))}</td></tr>"
                   for k, v in _flatten(r.numbers))
    figs = []
    for f in r.figures:
        path = Path(r.out_dir) / f.path
        if not path.exists():
            continue
        b64 = base64.b64encode(path.read_bytes()).decode("ascii")
        figs.append(f'<figure><img alt="{html.escape(f.caption)}" src="data:image/png;base64,{b64}">'
                    f"<figcaption>{html.escape(f.caption)}</figcaption></figure>")
    return (f'<section id="{html.escape(r.name)}"><h2>{html.escape(r.title)} '
            f'<small>(<code>chainrule lab {html.escape(r.name)}</code>, {r.seconds:.1f} s)</small></h2>'
            f'<p class=claim>The lecture: {html.escape(r.claim)}</p>'
            f'<p class=conclusion><b>Measured:</b> {html.escape(r.conclusion)}</p>'
            f'{"".join(figs)}'
            f"<details><summary>All numbers ({len(r.numbers)} entries; also in {html.escape(r.name)}/numbers.json)"
            f"</summary><table>{rows}</table></details></section>")


def write_report(results, out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` (and ``out_dir/summary.json``) for the given lab results."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    modes = sorted({r.mode for r in results})
    seeds = sorted({r.seed for r in results})
    total = sum(r.seconds for r in results)
    nav = "".join(f'<a href="#{html.escape(r.name)}">{html.escape(r.name)}</a>' for r in results)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    doc = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>chainrule labs</title>"
           f"<style>{_CSS}</style></head><body><h1>chainrule labs</h1>"
           f"<p class=meta>chainrule {cr.__version__} · mode {', '.join(modes)} · seed "
           f"{', '.join(map(str, seeds))} · {len(results)} labs in {total:.0f} s · {stamp}</p>"
           f"<p>Each lab re-runs a claim from the lectures on data and reports what it measured. "
           f"Re-run one with <code>chainrule lab NAME --seed N</code> (<code>--full</code> for the longer "
           f"version).</p><nav>{nav}</nav>{''.join(_section(r) for r in results)}</body></html>\n")
    path = out_dir / "report.html"
    tmp = out_dir / "report.html.tmp"
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, path)
    summary = {r.name: {"conclusion": r.conclusion, "numbers": r.numbers, "seconds": r.seconds} for r in results}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return path


def write_docs(results, docs_dir, page="labs.md", width: int = 1100) -> Path:
    """Copy every figure into ``docs_dir`` as a small PNG (≤ ``width`` px wide, 256-colour palette) and write
    ``docs_dir/../page``: one section per lab with its measured conclusion and its figures.

    Used to refresh the repository's docs: ``chainrule lab all --docs docs/labs``.
    """
    from PIL import Image

    docs_dir = Path(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    rel = docs_dir.name
    modes = ", ".join(sorted({r.mode for r in results}))
    seeds = ", ".join(sorted({str(r.seed) for r in results}))
    lines = ["# Labs: the lectures' claims, measured", "",
             "Each lab re-runs a claim from the lectures and reports what the data gives. Run one with "
             "`chainrule lab NAME` (`--seed N`, `--full` for the longer version), or all of them with "
             "`chainrule lab all`, which writes one self-contained HTML report. `chainrule lab list` lists them.",
             "", f"The numbers below are from `chainrule lab all` (mode {modes}, seed {seeds}); every lab also "
             "writes them to `NAME/numbers.json`.", ""]
    lines += [f"- [{r.title}](#{r.name})" for r in results]
    for r in results:
        lines += ["", f'<a id="{r.name}"></a>', f"## {r.title} — `chainrule lab {r.name}`", "",
                  f"*The lecture:* {r.claim}", "", f"**Measured:** {r.conclusion}", ""]
        for f in r.figures:
            name = f"{r.name}_{f.path}"
            im = Image.open(Path(r.out_dir) / f.path).convert("RGB")
            if im.size[0] > width:
                im = im.resize((width, round(im.size[1] * width / im.size[0])), Image.LANCZOS)
            im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
                docs_dir / name, optimize=True)
            lines += [f"![{f.caption}]({rel}/{name})", "", f"*{f.caption}*", ""]
    while lines[-1] == "":
        lines.pop()
    lines += ["", "## The training doctor — `chainrule doctor`", "",
              "The per-layer statistics behind several labs (activation mean/std, saturated and dead units, "
              "identical units, gradient per layer, the optimizer's update-to-weight ratio) are "
              "`chainrule.doctor.layer_stats`; `chainrule.doctor.diagnose(model, loss_fn, (x, y), optimizer)` "
              "turns them into findings, each naming the layer, the number, the threshold and a fix. `chainrule doctor "
              "--run DIR` checks a run saved by `chainrule train` (`--lr-range` adds a learning-rate range test and "
              "its plot); `chainrule doctor --demo CASE` shows the planted problems. The rules: "
              "[doctor.md](doctor.md).", ""]
    path = docs_dir.parent / page
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
