"""The doctor's report in a Jupyter notebook (``Report._repr_html_``) and short ``repr``s.

The HTML says first whether anything is wrong (how many errors and warnings, and which), then every finding
as the text form gives it — what was measured, the threshold, the fix — coloured by severity, then the loss
lines, the per-layer table, and the LR range test's plot when there is one (a PNG inside the page: nothing is
fetched). The plot is drawn as ``chainrule.plotting`` draws everything: on a figure of its own with the
doctor's style for the drawing only, so the notebook's matplotlib backend, rcParams and pyplot figures are
left as they were.
"""

from __future__ import annotations

import base64
import io

from .. import _display as d
from .findings import LAYER_HEAD, layer_rows, summary_lines, where

COLOURS = {"error": ("#b71c1c", "#fdecea"), "warning": ("#8a5300", "#fff4e0"), "info": ("#1f4e9c", "#eaf1fb")}


def verdict(report) -> str:
    """'2 errors (symmetry, no_gradient), 1 warning (input_scale)', or 'no problems found'."""
    parts = []
    for sev in ("error", "warning", "info"):
        codes = list(dict.fromkeys(f.code for f in report.findings if f.severity == sev))
        n = sum(f.severity == sev for f in report.findings)
        if n:
            word = sev if sev == "info" else sev + "s" * (n != 1)
            parts.append(f"{n} {word} ({', '.join(codes)})")
    return ", ".join(parts) if parts else "no problems found"


def report_repr(report) -> str:
    return (f"doctor.Report({'healthy' if report.healthy else 'NOT healthy'}: {verdict(report)}; "
            f"loss {report.loss:.4g}, {len(report.layers)} layers)")


def finding_repr(f) -> str:
    value = "" if f.value is None else f" = {f.value:.3g}"
    layer = "" if f.layer is None else f" layer {f.layer}"
    return f"Finding({f.severity} {f.code}{layer}{value})"


def stats_repr(s) -> str:
    parts = [f"act std {s.act_std:.3g}"]
    if s.frac_saturated is not None:
        parts.append(f"saturated {100 * s.frac_saturated:.0f}%")
    if s.frac_dead is not None:
        parts.append(f"dead {100 * s.frac_dead:.0f}%")
    if s.grad_rms is not None:
        parts.append(f"grad RMS {s.grad_rms:.2e}")
    act = f" {s.activation}" if s.activation else ""
    return f"LayerStats({s.name} {s.kind}({s.fan_in}→{s.fan_out}){act}: {', '.join(parts)})"


def _finding(f) -> str:
    fg, bg = COLOURS[f.severity]
    e = d.esc
    threshold = f'<div style="color: #555;">threshold: {e(f.threshold)}</div>' if f.threshold else ""
    return (f'<div class="finding {e(f.severity)}" style="border-left: 4px solid {fg}; background: {bg}; '
            f'padding: 5px 10px; margin: 5px 0;"><div><b style="color: {fg};">{e(f.severity.upper())}</b> '
            f"<code>{e(f.code)}</code>: {e(where(f))}{e(f.message)}</div>{threshold}"
            f"<div><b>fix:</b> {e(f.fix)}</div></div>")


def lr_range_png(result) -> bytes | None:
    """The range test's plot as PNG bytes (None without matplotlib or without a curve)."""
    from .. import plotting
    from .lr_range import plot_lr_range

    if not result or not result.get("lrs") or not plotting.have_matplotlib():
        return None
    with plotting.style(plotting.LAB_STYLE):
        fig, ax = plotting.subplots(figsize=(5.5, 3.6), layout="constrained")
        plot_lr_range(result, ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
    plotting.close(fig)
    return buf.getvalue()


def report_html(report) -> str:
    fg = "#1b7a1b" if report.healthy else COLOURS["error"][0]
    title = "healthy" if report.healthy else "not healthy"
    parts = [f'<div style="font-size: 15px; margin-bottom: 4px;"><b>doctor:</b> '
             f'<b style="color: {fg};">{title}</b> — {d.esc(verdict(report))}</div>']
    parts += [_finding(f) for f in report.findings]
    parts += [f'<div style="margin-top: 6px;">{d.esc(line)}</div>' for line in summary_lines(report)]
    align = ["left", "left"] + ["right"] * (len(LAYER_HEAD) - 2)
    parts.append(d.table(LAYER_HEAD, layer_rows(report), align=align))
    png = lr_range_png(report.lr_range)
    if png:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="learning-rate range test" src="data:image/png;base64,{data}">')
    return d.block(*parts)


__all__ = ["report_html", "report_repr", "finding_repr", "stats_repr", "verdict", "lr_range_png"]
