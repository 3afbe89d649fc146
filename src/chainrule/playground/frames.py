"""What the page draws, computed from ONE batched forward pass over the 100×100 grid of [−6, 6]².

The grid's row 0 is the top of the picture (x2 = +6), column 0 its left (x1 = −6), as in TF Playground
(``linspace(−6, 6, 100)`` on both axes). Values go over the wire as bytes: v ∈ [−1, 1] (clamped) is sent as
round((v + 1)·127) and NaN as 255 (drawn grey), so a 100×100 map costs 10 kB before base64.
"""

from __future__ import annotations

import base64

import numpy as np

GRID = 100
THUMB = 20  # neuron thumbnails: the grid averaged over 5×5 blocks
NAN_BYTE = 255


def grid_points(n: int = GRID) -> np.ndarray:
    """The (n·n, 2) points of the heatmap, row-major from the top-left corner."""
    xs = np.linspace(-6.0, 6.0, n)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def to_bytes(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    nan = ~np.isfinite(v)
    out = np.round((np.clip(np.nan_to_num(v, nan=0.0), -1.0, 1.0) + 1.0) * 127.0).astype(np.uint8)
    out[nan] = NAN_BYTE
    return out


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


def heat_message(disp: np.ndarray, kind: str, n_classes: int) -> dict:
    """The big heatmap: a value map, or for softmax the argmax class and how sure the network is."""
    if kind != "softmax":
        return {"n": GRID, "kind": "value", "data": b64(to_bytes(disp[:, 0]))}
    bad = ~np.isfinite(disp).all(axis=1)
    cls = np.argmax(np.nan_to_num(disp, nan=-1.0), axis=1).astype(np.uint8)
    pmax = np.nan_to_num(disp.max(axis=1), nan=0.0)
    conf = np.clip((pmax - 1.0 / n_classes) / (1.0 - 1.0 / n_classes), 0, 1)
    cls[bad] = NAN_BYTE
    return {"n": GRID, "kind": "class", "data": b64(cls), "conf": b64(np.round(conf * 255).astype(np.uint8))}


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
RELU_LIKE = {"relu"}


def activation_stats(values: np.ndarray, activation: str, bins: int = 20) -> dict:
    """A histogram of a layer's activations over the data, with the fraction of saturated units' outputs
    (tanh/sigmoid within 5% of their bounds) or the number of dead units (ReLU: zero on every point)."""
    v = values[np.isfinite(values)]
    lo, hi = SATURATING.get(activation, (float(v.min()) if v.size else 0.0, float(v.max()) if v.size else 1.0))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    hist = np.histogram(v, bins=bins, range=(lo, hi))[0].tolist() if v.size else [0] * bins
    out = {"activation": activation, "hist": hist, "lo": lo, "hi": hi, "units": int(values.shape[1]),
           "saturated": None, "dead": None}
    if activation in SATURATING and v.size:
        margin = 0.05 * (hi - lo)
        out["saturated"] = float(np.mean((v < lo + margin) | (v > hi - margin)))
    if activation in RELU_LIKE:
        out["dead"] = int(np.sum(np.all(values <= 0, axis=0)))
    return out
