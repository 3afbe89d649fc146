"""chainrule's one matplotlib policy: figures on their own Agg canvas, styles only for as long as they draw.

Everything chainrule draws (``train.plots``, the labs, the doctor's LR range plot) goes through here, so the
rule holds everywhere: library code never changes the caller's matplotlib backend (no ``matplotlib.use``)
nor its global ``rcParams``. A figure is a ``matplotlib.figure.Figure`` with an Agg canvas of its own — it
works on a headless machine and never appears in (or is kept alive by) pyplot's list of open figures —
unless the caller asks for a pyplot figure (``pyplot=True``, e.g. to ``plt.show()`` it).

    with plotting.style(plotting.LAB_STYLE):      # rcParams for this block only (matplotlib.rc_context)
        fig, axes = plotting.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
        ...
        plotting.save(fig, "out.png")

matplotlib is the optional extra ``plot`` (``pip install 'chainrule[plot]'``); importing this module does
not import it.
"""

from __future__ import annotations

import contextlib
import io
import sys

from . import _optional as optional

__all__ = ["LAB_STYLE", "have_matplotlib", "require_matplotlib", "style", "figure", "subplots", "save", "close",
           "colormap", "png_bytes"]

# The labs' and the doctor's look: small fonts, light grid, no top/right spines (applied with style()).
LAB_STYLE = {"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3, "font.size": 9, "axes.titlesize": 10,
             "legend.fontsize": 8, "axes.spines.top": False, "axes.spines.right": False}

def have_matplotlib() -> bool:
    return optional.available("matplotlib")


def require_matplotlib():
    """The ``matplotlib`` module, or an ImportError that says how to install it."""
    return optional.require("matplotlib", "chainrule's plots")


@contextlib.contextmanager
def style(params=None):
    """Apply rcParams ``params`` (default ``LAB_STYLE``) while the block runs; the caller's are restored after.

    Build *and save* the figure inside the block: matplotlib reads some settings only when it draws. Without
    matplotlib the block just runs (drawing in it then raises the ImportError of ``figure``)."""
    if not have_matplotlib():
        yield
        return
    import matplotlib

    with matplotlib.rc_context(LAB_STYLE if params is None else params):
        yield


def figure(figsize=None, *, layout=None, pyplot: bool = False, **kwargs):
    """A new ``Figure``: on its own Agg canvas, or (``pyplot=True``) one of pyplot's, in its current backend."""
    require_matplotlib()
    if pyplot:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize, layout=layout, **kwargs)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _shown_figure_class()(figsize=figsize, layout=layout, **kwargs)
    FigureCanvasAgg(fig)
    return fig


_FIGURE_CLASS = None


def _shown_figure_class():
    """``matplotlib.figure.Figure`` that also shows itself in Jupyter as a PNG (``_repr_png_``), so a figure
    returned by chainrule renders as the value of a cell without ``%matplotlib inline`` or pyplot."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure as _Figure

        class Figure(_Figure):
            __module__ = __name__

            def _repr_png_(self):
                return png_bytes(self)

        _FIGURE_CLASS = Figure
    return _FIGURE_CLASS


def png_bytes(fig, dpi=None) -> bytes:
    """``fig`` drawn as PNG bytes (for HTML reprs and reports)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, bbox_inches="tight")
    return buf.getvalue()


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, layout=None, pyplot: bool = False, **kwargs):
    """``(fig, axes)`` as ``pyplot.subplots`` returns them (``sharex``, ``gridspec_kw``, ... pass through), on
    a figure from ``figure``."""
    fig = figure(figsize, layout=layout, pyplot=pyplot)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig, path, dpi=110, **kwargs):
    """Write ``fig`` to ``path`` (PNG, SVG, PDF by the extension); returns the figure."""
    fig.savefig(path, dpi=dpi, **kwargs)
    return fig


def close(fig):
    """Release a figure: pyplot's figures are closed; one on its own canvas is simply dropped by its owner."""
    if getattr(fig.canvas, "manager", None) is not None and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)


def colormap(name: str):
    """A registered colormap by name (``pyplot.get_cmap`` without importing pyplot)."""
    return require_matplotlib().colormaps[name]
