"""The labs' figures: a panel grid with a fixed layout, and the two error-bar drawings — per-arm bars (mean ±
spread, a dot per seed) and curves with a band.

The grid is laid out by hand (``subplots_adjust``), not by matplotlib's constrained layout: that measures every
text twice and doubles the time a figure takes to save (about 1 s against 2 s for eight panels here), which
matters for the live mode's 10 s.
"""

from __future__ import annotations

import numpy as np

from .. import plotting


def panels(nrows, ncols, figsize, *, left=0.06, right=0.98, bottom=0.12, top=0.85, wspace=0.3, hspace=0.5,
           **kwargs):
    """``(fig, axes)`` with the margins given as fractions of the figure (``subplots_adjust``)."""
    fig, axes = plotting.subplots(nrows, ncols, figsize=figsize, **kwargs)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, wspace=wspace, hspace=hspace)
    return fig, axes


def bars(ax, names, stats, colors=None, pct=False, digits=2, horizontal=False, label_fmt=None):
    """One bar per arm at its mean, the spread (± s.d. over seeds) as an error bar, each seed as a dot, and
    'mean ± sd' written next to it. ``stats``: {name: Stat}."""
    x = np.arange(len(names))
    means = np.array([stats[n].mean for n in names], dtype=float)
    sds = np.array([stats[n].sd for n in names], dtype=float)
    scale = 100.0 if pct else 1.0
    colors = colors or ["tab:blue"] * len(names)
    drawn = np.nan_to_num(means * scale)
    if horizontal:
        ax.barh(x, drawn, xerr=sds * scale, color=colors, alpha=0.75, capsize=3)
    else:
        ax.bar(x, drawn, yerr=sds * scale, color=colors, alpha=0.75, capsize=3)
    for i, n in enumerate(names):
        vals = np.array(stats[n].finite, dtype=float) * scale
        jitter = np.linspace(-0.15, 0.15, len(vals)) if len(vals) > 1 else np.zeros(len(vals))
        if horizontal:
            ax.plot(vals, i + jitter, "k.", ms=4)
        else:
            ax.plot(i + jitter, vals, "k.", ms=4)
        text = label_fmt(stats[n]) if label_fmt else stats[n].pm(digits, pct=pct)
        top = np.nan_to_num(max([means[i] * scale + sds[i] * scale, *vals]) if len(vals) else 0.0)
        if horizontal:
            ax.annotate(text, (top, i), xytext=(6, 0), textcoords="offset points", va="center", fontsize=7)
        else:
            ax.annotate(text, (i, top), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    if horizontal:
        ax.set(yticks=x, yticklabels=names)
        ax.invert_yaxis()
    else:
        ax.set(xticks=x, xticklabels=names)
    return x


def band(ax, x, runs, color=None, label=None, ls="-", log=False):
    """The mean of per-seed curves ``runs`` (a list of equal-length lists) with a ± s.d. band (in log space
    when ``log``, so that a band on a log axis stays positive)."""
    a = np.array(runs, dtype=float)
    if log:
        la = np.log(np.maximum(a, 1e-30))
        m, s = la.mean(0), (la.std(0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1]))
        mean, lo, hi = np.exp(m), np.exp(m - s), np.exp(m + s)
    else:
        mean = a.mean(0)
        s = a.std(0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1])
        lo, hi = mean - s, mean + s
    (line,) = ax.plot(x, mean, color=color, label=label, ls=ls)
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    return line
