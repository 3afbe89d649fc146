"""The plots of ``chainrule runs compare``, drawn from a ``CompareTable`` and the runs' epochs:

* ``curves``   learning curves overlaid: a validation metric per epoch, one line per run, coloured by group;
* ``versus``   the metric against one swept option: mean ± sd over seeds, a line per value of the others;
* ``heatmap``  the metric over two swept options (mean over seeds, and over any other option), annotated.

Each returns the matplotlib Figure (its artists hold the numbers plotted) and saves it atomically when
given a path. Figures come from chainrule's one plotting policy (``chainrule.plotting``: never pyplot).
"""

from __future__ import annotations

import json
import math
import os

from .. import plotting
from .._files import atomic_write
from .compare import mean_sd
from .records import format_params, format_value, metric_direction

__all__ = ["curves", "versus", "heatmap", "save_atomic"]

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf"]


def _figure(w, h):
    return plotting.figure((w, h), layout="constrained")


def save_atomic(fig, path):
    """Save a figure (format from ``path``'s extension) through a temporary file and a rename."""
    if path is None:
        return fig
    ext = os.path.splitext(path)[1].lstrip(".") or "png"
    atomic_write(path, lambda f: fig.savefig(f, dpi=110, format=ext), who="chainrule runs compare",
                 example="plot.png")
    return fig


def _numeric(values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _log_axis(values):
    return _numeric(values) and min(values) > 0 and max(values) / min(values) >= 10


STYLES = ["-", "--", ":", "-."]


def _line_styles(table):
    """``row -> (colour, line style)`` and the legend's entries: colour by the first option (a colour map
    for numbers) and style by the second when that is readable, else one colour per group."""
    params = table.params
    first = [json.dumps(v) for v in table.levels.get(params[0], [])] if params else []
    second = [json.dumps(v) for v in table.levels.get(params[1], [])] if len(params) == 2 else []
    if len(params) in (1, 2) and len(first) <= 12 and len(second) <= len(STYLES):
        values = [json.loads(v) for v in first]
        if _numeric(values) and len(values) > len(COLORS):
            cmap = plotting.colormap("viridis")
            colours = {v: cmap(i / max(len(first) - 1, 1)) for i, v in enumerate(sorted(first, key=json.loads))}
        else:
            colours = {v: COLORS[i % len(COLORS)] for i, v in enumerate(first)}
        styles = {v: STYLES[i] for i, v in enumerate(second)}
        legend = [(colours[v], "-", f"{params[0]}={format_value(json.loads(v))}") for v in first]
        legend += [("0.3", styles[v], f"{params[1]}={format_value(json.loads(v))}") for v in second]
        return (lambda row: (colours[json.dumps(row[params[0]])],
                             styles.get(json.dumps(row[params[1]]), "-") if second else "-")), legend
    colours = {id(row): COLORS[i % len(COLORS)] for i, row in enumerate(table.rows)}
    legend = [(colours[id(r)], "-", format_params({p: r[p] for p in params})) for r in table.rows[:len(COLORS)]]
    return (lambda row: (colours[id(row)], "-")), legend


def curves(table, epochs_by_run, key, path=None, title=None):
    """``key`` (e.g. ``val_accuracy``) per epoch for every run; ``epochs_by_run``: ``{run id: [epoch rows]}``."""
    from matplotlib.lines import Line2D

    fig = _figure(7.5, 4.2)
    ax = fig.subplots()
    style, legend = _line_styles(table)
    for row in table.rows:
        color, dash = style(row)
        for run_id in row["run_ids"]:
            rows = [e for e in epochs_by_run.get(run_id, []) if e.get(key) is not None]
            if rows:
                ax.plot([e["epoch"] for e in rows], [e[key] for e in rows], color=color, ls=dash, alpha=0.8, lw=1.1)
    ax.set_xlabel("epoch")
    ax.set_ylabel(key)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend([Line2D([], [], color=c, ls=d) for c, d, _ in legend], [t for *_, t in legend], fontsize=8,
                  loc="best", ncol=2 if len(legend) > 6 else 1)
    ax.set_title(title or f"{key} per epoch, every run (colour: {', '.join(table.params) or 'run'})")
    return save_atomic(fig, path)


def _series(table, param, metric):
    """``{label of the other options: [(x, mean, sd, n)]}``: each point's seeds pooled (a point = a row)."""
    others = [p for p in table.params if p != param]
    series = {}
    for row in table.rows:
        if row[metric] is None:
            continue
        label = format_params({p: row[p] for p in others}) if others else table.metric
        series.setdefault(label, []).append((row[param], row[metric], row[metric + "_sd"], row["n"]))
    if len(series) > len(COLORS):  # too many lines to read: average over the other options instead
        pooled = {}
        for pts in series.values():
            for x, mean, _sd, _n in pts:
                pooled.setdefault(json.dumps(x), (x, []))[1].append(mean)
        series = {f"mean over {', '.join(others)}": [(x, *mean_sd(v), len(v)) for x, v in pooled.values()]}
    return series


def versus(table, param, path=None, metric=None, title=None):
    """``metric`` (default: the table's) against ``param``, mean ± sd over seeds, one line per value of
    the other swept options."""
    metric = metric or table.metric
    series = _series(table, param, metric)
    xs_all = [x for pts in series.values() for x, *_ in pts]
    numeric = _numeric(xs_all)
    cats = _levels(table, param)
    fig = _figure(6.4, 4.2)
    ax = fig.subplots()
    for i, (label, pts) in enumerate(series.items()):
        if numeric:
            pts = sorted(pts, key=lambda p: p[0])
        xs = [p[0] if numeric else cats.index(json.dumps(p[0])) for p in pts]
        ax.errorbar(xs, [p[1] for p in pts], yerr=[p[2] or 0.0 for p in pts], marker="o", capsize=3,
                    color=COLORS[i % len(COLORS)], label=label)
    if numeric and _log_axis(xs_all):
        ax.set_xscale("log")
    if not numeric:
        ax.set_xticks(range(len(cats)), [format_value(json.loads(c)) for c in cats])
    ax.set_xlabel(param)
    ax.set_ylabel(f"{metric} (mean ± sd over seeds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title or f"{metric} vs {param}")
    return save_atomic(fig, path)


def _levels(table, param):
    """JSON texts of a param's values: sorted if numbers, else in the order the runs have them."""
    values = table.levels.get(param) or list({json.dumps(r[param]): r[param] for r in table.rows}.values())
    return [json.dumps(v) for v in (sorted(values) if _numeric(values) else values)]


def heatmap_values(table, rows_param, cols_param, metric=None):
    """(row values, column values, matrix of means; None where no run finished) for the heatmap."""
    metric = metric or table.metric
    rv, cv = (_levels(table, p) for p in (rows_param, cols_param))
    cells = {}
    for r in table.rows:
        if r[metric] is not None:
            cells.setdefault((json.dumps(r[rows_param]), json.dumps(r[cols_param])), []).append(r[metric])
    matrix = [[mean_sd(cells.get((a, b), []))[0] for b in cv] for a in rv]
    return [json.loads(v) for v in rv], [json.loads(v) for v in cv], matrix


def heatmap(table, rows_param, cols_param, path=None, metric=None, title=None):
    """Mean ``metric`` for each pair of values of two swept options, written in the cells."""
    import numpy as np

    metric = metric or table.metric
    rv, cv, matrix = heatmap_values(table, rows_param, cols_param, metric)
    data = np.array([[math.nan if v is None else v for v in row] for row in matrix], dtype=float)
    fig = _figure(max(5.5, 1.6 + 1.2 * len(cv)), max(3.2, 1.4 + 0.6 * len(rv)))
    ax = fig.subplots()
    cmap = "viridis" if metric_direction(metric) == "max" else "viridis_r"  # bright = better either way
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, aspect="auto")
    fig.colorbar(im, ax=ax, shrink=0.85, label=metric)
    ax.set_xticks(range(len(cv)), [format_value(v) for v in cv])
    ax.set_yticks(range(len(rv)), [format_value(v) for v in rv])
    ax.set_xlabel(cols_param)
    ax.set_ylabel(rows_param)
    finite = data[np.isfinite(data)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(len(rv)):
        for j in range(len(cv)):
            v = data[i, j]
            text = "-" if math.isnan(v) else f"{v:.3f}"
            dark = (v < mid) == (cmap == "viridis")
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if dark else "black")
    ax.set_title(title or f"{metric}: mean over seeds")
    return save_atomic(fig, path)
