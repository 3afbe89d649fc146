"""What the page draws, computed from ONE batched forward pass over the 100×100 grid of [−6, 6]².

The grid's row 0 is the top of the picture (x2 = +6), column 0 its left (x1 = −6), as in TF Playground
(``linspace(−6, 6, 100)`` on both axes). Values go over the wire as bytes: v ∈ [−1, 1] (clamped) is sent as
round((v + 1)·127) and NaN as 255 (drawn grey), so a 100×100 map costs 10 kB before base64.
"""

from __future__ import annotations

import base64
import time

import numpy as np

import chainrule as cr
from chainrule.doctor import layer_stats

GRID = 100
THUMB = 20  # neuron thumbnails: the grid averaged over 5×5 blocks
NAN_BYTE = 255
# The gradient/activation panels (a forward and backward pass over the training set: more than the rest of a
# frame) go out at most every PANEL_INTERVAL seconds and every PANEL_EVERY frames.
PANEL_INTERVAL = 0.25
PANEL_EVERY = 3


def grid_points(n: int = GRID) -> np.ndarray:
    """The (n·n, 2) points of the heatmap, row-major from the top-left corner."""
    xs = np.linspace(-6.0, 6.0, n)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def to_bytes(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    bad = ~np.isfinite(v)
    out = np.rint((np.clip(v, -1.0, 1.0) + 1.0) * 127.0)
    out[bad] = NAN_BYTE
    return out.astype(np.uint8)


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def thumbnails(values: np.ndarray, n: int = GRID, t: int = THUMB) -> np.ndarray:
    """(n·n, k) grid values → (k, t, t) block means (NaN stays NaN)."""
    k = values.shape[1]
    blocks = values.reshape(t, n // t, t, n // t, k)
    return blocks.mean(axis=(1, 3)).transpose(2, 0, 1)


def display_output(out: np.ndarray, kind: str) -> np.ndarray:
    """The output layer's values on the display scale [−1, 1] (or probabilities for softmax)."""
    if kind == "logit":
        return np.tanh(out / 2)  # = 2·sigmoid(z) − 1, the probability of +1 stretched to [−1, 1]
    if kind == "softmax":
        z = out - out.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return out


def heat_message(disp: np.ndarray, kind: str, n_classes: int, n: int = GRID) -> dict:
    """The big heatmap: a value map, or for softmax the argmax class and how sure the network is."""
    if kind != "softmax":
        return {"n": n, "kind": "value", "data": b64(to_bytes(disp[:, 0]))}
    bad = ~np.isfinite(disp).all(axis=1)
    cls = np.argmax(np.nan_to_num(disp, nan=-1.0), axis=1).astype(np.uint8)
    pmax = np.nan_to_num(disp.max(axis=1), nan=0.0)
    conf = np.clip((pmax - 1.0 / n_classes) / (1.0 - 1.0 / n_classes), 0, 1)
    cls[bad] = NAN_BYTE
    return {"n": n, "kind": "class", "data": b64(cls), "conf": b64(np.round(conf * 255).astype(np.uint8))}


def prob_bytes(p: np.ndarray) -> np.ndarray:
    """Probabilities in [0, 1] as bytes 0..254 (the client colours them in the class's colour)."""
    out = np.round(np.clip(np.nan_to_num(p, nan=0.0), 0, 1) * 254).astype(np.uint8)
    out[~np.isfinite(p)] = NAN_BYTE
    return out


def finite_list(a: np.ndarray, digits: int = 4):
    """A JSON-safe nested list: NaN and infinities become null (JSON has no NaN)."""
    a = np.round(np.asarray(a, dtype=np.float64), digits)
    if np.isfinite(a).all():
        return a.tolist()
    obj = a.astype(object)
    obj[~np.isfinite(a)] = None
    return obj.tolist()


def finite(x):
    return float(x) if x is not None and np.isfinite(x) else None


SATURATING = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def layer_panels(session, hidden):
    """The gradient-norm and activation panels. The statistics (‖∂L/∂W‖ per layer on the training set,
    fraction of saturated outputs, dead units) are ``chainrule.doctor.layer_stats``: one implementation,
    shared with ``chainrule doctor`` and the labs. Only the histogram's binning is the page's own: a fixed
    range for tanh/sigmoid, so that the picture does not rescale from frame to frame."""
    net = session.net
    if not len(session.train_y):
        return [None] * len(net.linears), [activation_hist(h, a, None) for h, a in zip(hidden, net.activations)]
    stats = layer_stats(net.model, session.train_x, session.train_y, session.loss_fn)
    grads = [s.grad_norm for s in stats]
    return grads, [activation_hist(h, a, s) for h, a, s in zip(hidden, net.activations, stats)]


def activation_hist(values: np.ndarray, activation: str, stats, bins: int = 20) -> dict:
    """A histogram of a layer's activations over the data, with the doctor's saturated fraction (sigmoid/tanh)
    and dead-unit count (ReLU family) for that layer."""
    v = values[np.isfinite(values)]
    lo, hi = SATURATING.get(activation, (float(v.min()) if v.size else 0.0, float(v.max()) if v.size else 1.0))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    hist = np.histogram(v, bins=bins, range=(lo, hi))[0].tolist() if v.size else [0] * bins
    units = int(values.shape[1])
    saturated = dead = None
    if stats is not None and stats.finite:
        saturated = stats.frac_saturated
        dead = None if stats.frac_dead is None else int(round(stats.frac_dead * units))
    return {"activation": activation, "hist": hist, "lo": lo, "hi": hi, "units": units,
            "saturated": saturated, "dead": dead}


def accuracy(out: np.ndarray, y: np.ndarray, kind: str, problem: str):
    """The fraction of points classified right (None for regression): the argmax class, or the sign."""
    if problem == "regression" or len(y) == 0:
        return None
    if kind == "softmax":
        return float(np.mean(np.argmax(out, axis=1) == y))
    return float(np.mean(np.where(out[:, 0] >= 0, 1.0, -1.0) == y[:, 0]))


def frame_message(session, panels: bool = True) -> dict:
    """Everything the page draws for the session's current state (eval mode: no dropout, BN running stats).
    Without ``panels`` the gradient and activation panels (a forward and backward pass over the training
    set) are left out: the page keeps the last ones."""
    from .warp import hidden_view

    net, kind, cfg = session.net, session.net.kind, session.cfg
    net.model.eval()
    with cr.no_grad():
        taps = [t.numpy() for t in net.forward_taps(session.grid_x)]  # the one grid forward
        hidden = [t.numpy() for t in net.forward_taps(cr.from_numpy(session.train_x))[:-1]] \
            if panels and len(session.train_y) else []
        warp = hidden_view(session) if cfg["hiddenView"] else None
    disp = display_output(taps[-1], kind)
    thumbs = [b64(to_bytes(thumbnails(vals))) for vals in taps[:-1]]
    out_thumbs = thumbnails(disp)
    thumbs.append(b64(prob_bytes(out_thumbs) if kind == "softmax" else to_bytes(out_thumbs)))
    focus = None
    if session.focus and 1 <= session.focus[0] <= len(taps):
        layer, neuron = session.focus
        vals = disp if layer == len(taps) else taps[layer - 1]
        if neuron < vals.shape[1]:
            v = vals[:, neuron] * 2 - 1 if kind == "softmax" and layer == len(taps) else vals[:, neuron]
            focus = {"layer": layer, "neuron": neuron, "n": GRID, "data": b64(to_bytes(v))}
    grads, act = layer_panels(session, hidden) if panels else (None, None)
    return {
        "type": "frame", "frame": session.frame_no, "epoch": session.epoch, "problem": cfg["problem"],
        "t": round(time.perf_counter(), 4),  # server clock, for measuring epochs/s
        "discretize": cfg["discretize"], "diverged": session.diverged,
        "trainLoss": finite(session.train_loss), "testLoss": finite(session.test_loss),
        "trainAcc": session.train_acc, "testAcc": session.test_acc,
        "lr": getattr(session, "lr_now", cfg["learningRate"]),
        "history": session.history, "resetHistory": session.reset_history,
        "heat": heat_message(disp, kind, cfg["nClasses"]), "focus": focus,
        "thumbs": {"n": THUMB, "layers": thumbs},
        "weights": [finite_list(lin.weight.numpy()) for lin in net.linears],
        "biases": [finite_list(lin.bias.numpy()) for lin in net.linears],
        "dead": [np.argwhere(d).tolist() for d in net.dead],
        "gradNorms": None if grads is None else [g if g is None or np.isfinite(g) else None for g in grads],
        "act": act, "warp": warp,
    }
