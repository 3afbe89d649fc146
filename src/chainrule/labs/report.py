"""``chainrule lab all``'s outputs: one self-contained HTML report (figures embedded as base64 PNG), and the
repository's generated docs page (``write_docs``: docs/labs.md, its figures and docs/labs/claims.json).

Every lab gets a section: each lecture claim it tests (the slide's words and where they come from, the
textbook answer, what was measured as mean ± spread over seeds, the verdict), the conclusion, the numbers
(in the HTML: scalars in a table, long lists shortened) and its figures. No external CSS, scripts or images:
the HTML opens anywhere.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
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
figure img{border:1px solid #eee}figcaption{color:#444}
"""
# a verdict's colour, inline so that it shows in a notebook too (where the report's <style> is absent)
_VERDICT_COLOUR = {"supported": "#271", "exact": "#271", "contradicted": "#a21", "unresolved": "#a60",
                   "partly": "#a60"}

SOURCES_NOTE = ("The slide decks are not in the repository. Each quote says where its wording comes from: issue 19 "
                "(written with both decks open) quoting or describing the slide, the labs' claim texts from before "
                "issue 19 (paraphrases), or a chainrule docstring that quotes the lecture. The deck or slide title is "
                "given where a source names it; for most claims no source does.")
SPREAD_NOTE = ("Every measured number is the mean ± the sample standard deviation over the seeds (the same bars the "
               "figures draw). A verdict reads only that interval: *supported* when it lies on the side the claim "
               "predicts, *contradicted* when it lies on the other, *unresolved* when it covers zero (or the predicted "
               "value cannot be told apart), *partly supported* when a claim with several parts gets mixed "
               "answers. For the slides' errors (the rows quoting an erratum) the verdict is on what the slide "
               "writes: *contradicted* means the numbers show the slide's form wrong.")


def _slide_line(sl) -> str:
    where = " · ".join(x for x in (sl["deck"], sl["title"]) if x and x != "—")
    return f"“{sl['quote']}” ({sl['source']}{'; ' + where if where else ''})"


def _flatten(numbers: dict, prefix: str = ""):
    """(key, value) rows: nested dicts become dotted keys; lists stay whole (shortened when shown)."""
    for k, v in numbers.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and set(v) == {"mean", "sd", "n", "values"}:  # a Stat: mean ± spread, then per seed
            yield key, ("n/a" if v["mean"] is None else f"{v['mean']:.4g} ± {v['sd']:.2g} (seeds: "
                        f"{', '.join(_show(x) for x in v['values'])})")
        elif isinstance(v, dict):
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


def _claims_html(r) -> str:
    out = []
    for c in r.claims:
        colour = _VERDICT_COLOUR.get(c["verdict"].split()[0], "#222")
        out.append(f"<div class=claim><p class=claim><i>The lecture:</i> {html.escape(_slide_line(c['slide']))}</p>"
                   f"<p><b>Textbook:</b> {html.escape(c['textbook'])}</p>"
                   f"<p><b>Measured:</b> {html.escape(c['measured'])} <b style=\"color:{colour}\">Verdict: "
                   f"{html.escape(c['verdict'])}.</b></p></div>")
    return "".join(out)


def _figures_html(r) -> str:
    figs = []
    for f in r.figures:
        png = f.data(r.out_dir)
        if png is None:
            continue
        b64 = base64.b64encode(png).decode("ascii")
        figs.append(f'<figure style="display:inline-block;margin:.5em 1em .5em 0;max-width:100%">'
                    f'<img style="max-width:100%" alt="{html.escape(f.caption)}" src="data:image/png;base64,{b64}">'
                    f'<figcaption style="font-size:.85em;max-width:640px">{html.escape(f.caption)}</figcaption>'
                    f"</figure>")
    return "".join(figs)


def _numbers_html(r) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td class=v>{html.escape(_show(v))}</td></tr>"
                   for k, v in _flatten(r.numbers))
    return (f"<details><summary>All numbers ({len(r.numbers)} entries; also in {html.escape(r.name)}/numbers.json)"
            f"</summary><table>{rows}</table></details>")


def notebook_html(r) -> str:
    """One lab's result for a notebook (``LabResult._repr_html_``): no page styles, the figures inline."""
    return (f'<div class="chainrule-lab"><h3>{html.escape(r.title)} <small>(<code>chainrule lab '
            f"{html.escape(r.name)}</code>, {r.mode}, seeds {', '.join(map(str, r.seeds))}, {r.seconds:.1f} s)"
            f"</small></h3>{_claims_html(r)}"
            f'<p style="border-left:4px solid #7a4;padding:.4em .8em"><b>In short:</b> {html.escape(r.conclusion)}'
            f"</p>{_figures_html(r)}{_numbers_html(r)}</div>")


def _section(r) -> str:
    return (f'<section id="{html.escape(r.name)}"><h2>{html.escape(r.title)} '
            f'<small>(<code>chainrule lab {html.escape(r.name)}</code>, {r.seconds:.1f} s)</small></h2>'
            f'{_claims_html(r)}'
            f'<p class=conclusion><b>In short:</b> {html.escape(r.conclusion)}</p>'
            f"{_figures_html(r)}{_numbers_html(r)}</section>")


def write_report(results, out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` (and ``out_dir/summary.json``) for the given lab results."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    modes = sorted({r.mode for r in results})
    seeds = sorted({s for r in results for s in r.seeds})
    total = sum(r.seconds for r in results)
    nav = "".join(f'<a href="#{html.escape(r.name)}">{html.escape(r.name)}</a>' for r in results)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    doc = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>chainrule labs</title>"
           f"<style>{_CSS}</style></head><body><h1>chainrule labs</h1>"
           f"<p class=meta>chainrule {cr.__version__} · mode {', '.join(modes)} · seed "
           f"{', '.join(map(str, seeds))} · {len(results)} labs in {total:.0f} s · {stamp}</p>"
           f"<p>Each lab re-runs claims from the lectures on data, over several seeds, and reports what it "
           f"measured. Re-run one with <code>chainrule lab NAME</code> (<code>--full</code>: 5 seeds on the sweep "
           f"executor). {html.escape(SPREAD_NOTE.replace('*', ''))} "
           f"{html.escape(SOURCES_NOTE)}</p><nav>{nav}</nav>{''.join(_section(r) for r in results)}</body></html>\n")
    path = out_dir / "report.html"
    tmp = out_dir / "report.html.tmp"
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, path)
    summary = {r.name: {"conclusion": r.conclusion, "numbers": r.numbers, "seconds": r.seconds} for r in results}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return path


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, on one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def claims_table(results) -> list[str]:
    """The Markdown table of every claim: lab, slide, textbook answer, measured, verdict."""
    lines = ["| Lab | The slide (source) | Textbook answer | Measured (mean ± s.d. over seeds) | Verdict |",
             "|---|---|---|---|---|"]
    for r in results:
        for c in r.claims:
            lines.append(f"| [{r.name}](#{r.name}) | {_cell(_slide_line(c['slide']))} | {_cell(c['textbook'])} | "
                         f"{_cell(c['measured'])} | **{c['verdict']}** |")
    return lines


def drift_record(results) -> dict:
    """What the drift test compares: per lab its seeds and, per claim, the per-seed values behind it."""
    return {r.name: {"mode": r.mode, "seeds": r.seeds,
                     "claims": [{"key": c["key"], "drift": c["drift"],
                                 "stats": {k: v["values"] for k, v in c["stats"].items()}} for c in r.claims]}
            for r in results}


def write_docs(results, docs_dir, page="labs.md", width: int = 1100) -> Path:
    """Write the generated docs: ``docs_dir/../page`` (the claims table, then one section per lab with its claims,
    conclusion and figures), every figure as a small PNG in ``docs_dir`` (≤ ``width`` px wide, 256 colours) and
    ``docs_dir/claims.json`` (the per-seed numbers the drift test re-measures).

    The repository's docs come from ``chainrule lab all --full --docs docs/labs``.
    """
    from PIL import Image

    docs_dir = Path(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    rel = docs_dir.name
    modes = ", ".join(sorted({r.mode for r in results}))
    seeds = sorted({s for r in results for s in r.seeds})
    lines = ["# Labs: the lectures' claims, measured over seeds", "",
             "<!-- generated by `chainrule lab all --full --docs docs/labs`: edit the labs, not this page -->", "",
             "Each lab re-runs claims from the lectures and reports what the data give. Run one with "
             "`chainrule lab NAME` (live mode: 3 seeds, about 10 s or less), `--full` for 5 seeds on the sweep "
             "executor; `chainrule lab all` runs every lab and writes one self-contained HTML report; `chainrule lab "
             "list` lists them.", "",
             f"The numbers below are from `chainrule lab all` in mode {modes}, seeds {seeds[0]}–{seeds[-1]}; every "
             "lab also writes them to `NAME/numbers.json`. `docs/labs/claims.json` keeps the per-seed values, and "
             "`tests/labs/test_labs.py` re-runs every lab live and fails when its numbers drift from them by more "
             "than their stated spread.", "", SPREAD_NOTE, "", SOURCES_NOTE, "",
             "The slides' errors and their corrections: [slide-errata.md](slide-errata.md).", "", "## Every claim", ""]
    lines += claims_table(results)
    written = set()
    lines += ["", "## The labs", ""]
    lines += [f"- [{r.title}](#{r.name}) — `chainrule lab {r.name}`" for r in results]
    for r in results:
        lines += ["", f'<a id="{r.name}"></a>', f"## {r.title} — `chainrule lab {r.name}`", ""]
        for c in r.claims:
            lines += [f"*The lecture:* {_slide_line(c['slide'])}", "", f"*Textbook:* {c['textbook']}", "",
                      f"**Measured:** {c['measured']} **Verdict: {c['verdict']}.**", ""]
        lines += [f"**In short:** {r.conclusion}", ""]
        for f in r.figures:
            name = f"{r.name}_{f.path}"
            im = Image.open(io.BytesIO(f.data(r.out_dir))).convert("RGB")
            if im.size[0] > width:
                im = im.resize((width, round(im.size[1] * width / im.size[0])), Image.LANCZOS)
            im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
                docs_dir / name, optimize=True)
            written.add(name)
            lines += [f"![{f.caption}]({rel}/{name})", "", f"*{f.caption}*", ""]
    for r in results:  # figures these labs no longer draw
        for old in docs_dir.glob(f"{r.name}_*.png"):
            if old.name not in written:
                old.unlink()
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
    (docs_dir / "claims.json").write_text(json.dumps(drift_record(results), indent=1) + "\n", encoding="utf-8")
    return path
