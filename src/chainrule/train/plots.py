"""Plots (optional extra ``plot``: ``pip install chainrule[plot]``): learning curves, a confusion matrix,
and a 2-D decision boundary with the data points.

Figures come from ``chainrule.plotting`` (a ``matplotlib.figure.Figure`` on its own Agg canvas, never through
``pyplot``), so plotting works on a headless machine and does not change the caller's matplotlib backend.
Each function returns the Figure and, given ``path``, saves it there (PNG, SVG, PDF by the extension).
"""

from __future__ import annotations

import math

import numpy as np

from .. import plotting

__all__ = ["learning_curves", "confusion_matrix_plot", "decision_boundary", "have_matplotlib"]


have_matplotlib = plotting.have_matplotlib


def _figure(w, h):
    return plotting.figure((w, h), layout="constrained")


def _save(fig, path):
    return fig if path is None else plotting.save(fig, path, dpi=110)


def learning_curves(history, path=None, title=None):
    """Training vs validation curves, one panel per quantity (loss, then each metric), against the epoch.

    A validation loss that turns upward while the training loss keeps falling is overfitting: the point
    where to stop (the lecture's "monitor your model quality").
    """
    keys = [k for k in history.keys() if not k.startswith("val_") and k not in ("lr", "time")]
    fig = _figure(4.2 * len(keys), 3.4)
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    for ax, key in zip(axes, keys):
        ax.plot(history.epoch, history[key], label=f"train {key}", color="#1f77b4")
        if f"val_{key}" in history:
            ax.plot(history.epoch, history[f"val_{key}"], label=f"val {key}", color="#ff7f0e")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        if key == "loss" and all(v > 0 for v in history[key] if not math.isnan(v)):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def confusion_matrix_plot(cm, class_names=None, path=None, title="confusion matrix (rows: true class)"):
    """Heat map of a confusion matrix ``cm[true, predicted]`` with the counts written in the cells."""
    cm = np.asarray(cm)
    k = cm.shape[0]
    names = list(class_names) if class_names else [str(i) for i in range(k)]
    size = min(9.0, 2.5 + 0.55 * k)
    fig = _figure(size + 1.0, size)
    ax = fig.subplots()
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    top = cm.max() if cm.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > top / 2 else "black")
    return _save(fig, path)


def decision_boundary(model, X, y, path=None, transform=None, resolution=200, task="classification",
                      title="decision boundary"):
    """The model's prediction over the plane around the 2-D points ``X`` (n, 2), with the points on top.

    Classification: each grid cell is coloured by the predicted class (argmax of the outputs, or
    logit > 0 for a single output); regression: by the predicted value. ``transform`` maps raw grid
    points to the model's inputs (e.g. the ``Standardize`` fitted on the training data), so the plot is in
    the data's own units.
    """
    import chainrule as cr

    from .loop import predict
    from .metrics import predicted_classes

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D points X of shape (n, 2), got {X.shape}")
    lo, hi = X.min(0), X.max(0)
    pad = 0.08 * np.maximum(hi - lo, 1e-9)
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    inputs = transform(grid) if transform is not None else grid
    dtype = next(iter(model.parameters())).detach().numpy().dtype if hasattr(model, "parameters") else np.float32
    out = predict(model, cr.from_numpy(np.ascontiguousarray(inputs, dtype=dtype))).numpy()
    fig = _figure(5.2, 4.6)
    ax = fig.subplots()
    if task == "classification":
        z = predicted_classes(out).reshape(gx.shape)
        k = int(max(z.max(), y.max())) + 1
        cmap = _class_cmap(k)
        ax.contourf(gx, gy, z, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=14, edgecolors="white",
                   linewidths=0.4)
    else:
        z = out.reshape(-1)[: gx.size].reshape(gx.shape)
        lim = float(max(np.abs(z).max(), np.abs(y).max(), 1e-9))
        cs = ax.contourf(gx, gy, z, levels=21, cmap="RdBu", vmin=-lim, vmax=lim, alpha=0.6)
        fig.colorbar(cs, ax=ax, shrink=0.8)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", vmin=-lim, vmax=lim, s=14, edgecolors="black",
                   linewidths=0.3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    return _save(fig, path)


def _class_cmap(k):
    from matplotlib.colors import ListedColormap

    base = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf"]  # the first two are TensorFlow Playground's orange and blue
    return ListedColormap([base[i % len(base)] for i in range(k)])
