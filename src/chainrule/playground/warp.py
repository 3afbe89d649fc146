"""The hidden layer's view of the plane: the input plane's grid lines and the data points carried into the
space of one hidden layer of 2 or 3 neurons, with what the rest of the network does in that space.

What the rest of the network sees is only this layer's output. When the layer is the last hidden one, the
rest is a single linear unit (and tanh): its decision boundary there is a straight line (a plane for three
neurons). Training bends and folds the input plane until the classes can be cut by that line: the lectures'
"effect of the nonlinearity". Before the activation (``hiddenStage = "pre"``) the space is the layer's
z = W·h + b, an affine image of the previous layer's space, so with no nonlinearity before it (layer 1) the
grid stays a grid: stacked linear layers are one linear map.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from . import frames as F
from . import model as M

LINES = 13  # grid lines in each direction: x = −6, −5, …, 6
SAMPLES = 61  # points along each grid line
BACK = 48  # resolution of the 2-D view's background


def grid_lines() -> np.ndarray:
    """(2·LINES·SAMPLES, 2): LINES vertical lines (x1 fixed) then LINES horizontal ones (x2 fixed)."""
    ticks, along = np.linspace(-6, 6, LINES), np.linspace(-6, 6, SAMPLES)
    vertical = np.stack(np.broadcast_arrays(ticks[:, None], along[None, :]), axis=-1)
    horizontal = vertical[..., ::-1]
    return np.concatenate([vertical, horizontal]).reshape(-1, 2)


def _f32(a: np.ndarray) -> str:
    return F.b64(np.ascontiguousarray(a, dtype="<f4").view(np.uint8))


def _run(modules, x: np.ndarray) -> np.ndarray:
    t = cr.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    for m in modules:
        t = m(t)
    return t.numpy()


def _values(disp: np.ndarray, kind: str) -> np.ndarray:
    """One byte per point: the output value (value maps) or the most likely class (softmax)."""
    if kind == "softmax":
        cls = np.argmax(np.nan_to_num(disp, nan=-1.0), axis=1).astype(np.uint8)
        cls[~np.isfinite(disp).all(axis=1)] = F.NAN_BYTE
        return cls
    return F.to_bytes(disp[:, 0])


def hidden_view(session) -> dict:
    """The ``warp`` part of a frame (model already in eval mode, gradients off)."""
    cfg, net = session.cfg, session.net
    layer, stage = cfg["hiddenView"], cfg["hiddenStage"]
    hidden = len(net.sizes) - 2
    if layer > hidden:
        return {"layer": layer, "error": f"there is no hidden layer {layer}: the network has {hidden}"}
    width = net.sizes[layer]
    if width not in (2, 3):
        return {"layer": layer, "error": f"hidden layer {layer} has {width} neurons; this view needs a layer of "
                                         "2 or 3 (use − above the layer)"}
    tap = net.taps[layer - 1] - (1 if stage == "pre" else 0)  # the activation's output, or its input
    modules = list(net.model)
    head, rest = modules[:tap + 1], modules[tap + 1:]
    names = M.feature_names(cfg)
    lines = grid_lines()
    pts = [np.asarray(p, dtype=np.float64).reshape(-1, 3)[:, :2] for p in (session.train_pts, session.test_pts)]
    h = _run(head, M.features(np.concatenate([lines, *pts]), names))
    kind = net.kind
    out = F.display_output(_run(rest, h), kind)
    finite = h[np.isfinite(h).all(axis=1)]
    if not len(finite):
        return {"layer": layer, "error": "the network diverged: nothing to show"}
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    pad = np.maximum((hi - lo) * 0.06, 0.05)
    lo, hi = lo - pad, hi + pad
    n_lines, n_train = len(lines), len(pts[0])
    view = {"layer": layer, "stage": stage, "dims": width, "activation": net.activations[layer - 1],
            "lines": _f32(h[:n_lines]), "nLines": 2 * LINES, "samples": SAMPLES,
            "lineOut": F.b64(_values(out[:n_lines], kind)), "kind": "class" if kind == "softmax" else "value",
            "train": _f32(h[n_lines:n_lines + n_train]), "test": _f32(h[n_lines + n_train:]),
            "lo": [float(v) for v in lo], "hi": [float(v) for v in hi], "last": layer == hidden}
    if width == 2:
        u = np.linspace(lo[0], hi[0], BACK)
        v = np.linspace(hi[1], lo[1], BACK)  # row 0 at the top
        g1, g2 = np.meshgrid(u, v)
        back = F.display_output(_run(rest, np.stack([g1.ravel(), g2.ravel()], axis=1)), kind)
        view["back"] = F.heat_message(back, kind, cfg["nClasses"], n=BACK)
    return view
