"""Per-layer health statistics of a network over one batch: ``layer_stats`` (the doctor's measurements).

A *layer* is a module with a weight matrix (``Linear``) plus the parameter-free or per-feature modules
called after it (batch norm, the activation, dropout). Its statistics come from the outside only: forward
hooks on the leaf modules see the pre-activations and activations, ``Tensor.register_hook`` on the
pre-activation sees the error signal δ = ∂L/∂h on the way back, and ``autograd.grad`` gives the weight
gradients without touching anyone's ``.grad``. Every statistic is over one batch:

* activation mean / std (over every value) and *batch std* (each unit's std over the batch, averaged over
  the units: the part of the signal that depends on the input — biases alone give act std but no batch std);
  *saturated*: the fraction of sigmoid outputs outside [0.01, 0.99] or tanh
  outputs with |a| > 0.99 (there σ' < 0.01 and tanh' < 0.02: the gradient through them is ~lost);
* *mean slope*: the mean of f'(h) — the factor by which the activation scales δ on the way back,
  on average (σ' ≤ 1/4, tanh' ≤ 1, ReLU' ∈ {0, 1});
* *dead*: the fraction of ReLU-family units whose pre-activation is ≤ 0 for every sample (a ReLU there
  passes no gradient to its weights, for this batch and — if nothing moves it — forever);
* *identical*: units whose pre-activations coincide over the batch with another unit's (the symmetry
  problem: identical units get identical gradients and never separate);
* ‖∂L/∂W‖ and its RMS; the RMS ratio first/last layer (≪ 1: vanishing, ≫ 1: exploding gradients);
* n·Var(w) = fan_in · Var(W) (≈ 1 keeps the variance of a linear layer's output steady: LeCun/Xavier;
  ≈ 2 for ReLU: He);
* with an optimizer: ‖ΔW‖ / ‖W‖ of its next step (a rule of thumb: ~1e-3; ≫ 1e-2 is a too-high rate).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

import chainrule as cr
from chainrule.nn import activation_registry

# Which modules are activations and what each is measured as (ReLU6 as relu, Hardtanh as tanh), and which
# kinds can die: both read from nn.activation_registry (class name -> kind, as the doctor reports it).
ACTIVATIONS = {a.module.__name__: a.doctor_kind for a in activation_registry.ACTIVATIONS.values() if a.doctor_kind}
RELU_FAMILY = {a.doctor_kind for a in activation_registry.ACTIVATIONS.values() if a.relu_family}


@dataclass
class LayerStats:
    """One layer's statistics over a batch (see the module docstring for each quantity)."""

    name: str  # the weight module's dotted name, e.g. "0" or "encoder.fc1"
    kind: str  # e.g. "Linear"
    activation: str | None  # "relu", "tanh", ... (None: the output layer / no activation)
    fan_in: int
    fan_out: int
    weight_std: float
    n_var_w: float  # fan_in · Var(W)
    weight_rms: float  # √mean(W²): 0 only for an all-zero weight (which blocks the gradient to the layers below)
    pre_mean: float  # pre-activation h (the activation's input)
    pre_std: float
    act_mean: float  # activation a = f(h) (the layer's output)
    act_std: float
    batch_std: float  # mean over units of each unit's std over the batch: how much the output depends on x
    frac_saturated: float | None  # sigmoid/tanh only
    frac_dead: float | None  # ReLU family only: units with h ≤ 0 on every sample
    mean_slope: float | None  # mean f'(h): the share of δ the activation lets through (sigmoid/tanh/ReLU)
    identical_units: int  # units that duplicate another unit's pre-activation over the batch
    grad_norm: float | None = None  # ‖∂L/∂W‖ (None without a loss)
    grad_rms: float | None = None  # ‖∂L/∂W‖ / √numel
    delta_rms: float | None = None  # RMS of δ = ∂L/∂h over the batch
    update_ratio: float | None = None  # ‖ΔW‖/‖W‖ of the optimizer's next step (diagnose only)
    finite: bool = True
    hist: tuple | None = None  # (counts, bin edges) of the activations, when asked for

    def __repr__(self):
        from .display import stats_repr

        return stats_repr(self)

    def to_dict(self) -> dict:
        d = asdict(self)
        if self.hist is not None:
            d["hist"] = [np.asarray(self.hist[0]).tolist(), np.asarray(self.hist[1]).tolist()]
        return d


def _arr(t):
    return t.detach().numpy() if isinstance(t, cr.Tensor) else np.asarray(t)


def _identical(h: np.ndarray, W: np.ndarray) -> int:
    """How many units duplicate another unit: the same incoming weights (rows of W) and the same
    pre-activations over the batch (columns of h), up to round-off. Both, because equal outputs alone can
    come from a constant input (e.g. after dead ReLUs), and equal weights with different biases are fine."""
    if h.ndim != 2 or h.shape[1] < 2 or W.shape[0] != h.shape[1] or W.size == 0 or h.size == 0:
        return 0

    def scaled(a):
        return np.round(a.astype(np.float64) / (float(np.abs(a).max()) or 1.0), 5)

    rows = np.concatenate([scaled(h.T), scaled(W.reshape(W.shape[0], -1))], axis=1)
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    return int((counts[np.ravel(inverse)] > 1).sum())


def _saturated(kind, a: np.ndarray):
    if kind == "sigmoid":
        return float(((a < 0.01) | (a > 0.99)).mean())
    if kind == "tanh":
        return float((np.abs(a) > 0.99).mean())
    return None


def _slope(kind, h: np.ndarray, a: np.ndarray):
    """Mean local derivative f'(h) over the batch, from the activation's own output where possible."""
    if kind == "sigmoid":
        return float((a * (1 - a)).mean())
    if kind == "tanh":
        return float((1 - a * a).mean())
    if kind == "relu":
        return float((h > 0).mean())
    return None


def _to_tensor(v, dtype=None):
    if isinstance(v, cr.Tensor):
        return v
    v = np.asarray(v)
    return cr.from_numpy(np.ascontiguousarray(v if v.dtype.kind != "f" else v.astype(dtype)))


def _param_dtype(model):
    """Floating inputs given as arrays are cast to the model's dtype (float32 unless it was converted)."""
    p = next(iter(model.parameters()), None)
    return p.detach().numpy().dtype if p is not None else np.float32


def snapshot(model):
    """Copies of every parameter and buffer (a forward in training mode moves batch-norm buffers) and of the
    default generator's state; ``restore`` puts them back."""
    tensors = list(model.parameters())
    if hasattr(model, "buffers"):
        tensors += [b for b in model.buffers() if isinstance(b, cr.Tensor)]
    # the RNG too: dropout masks drawn here must not shift the caller's random stream
    return cr.default_generator.get_state(), [(t, t.detach().clone()) for t in tensors]


def restore(saved):
    rng_state, copies = saved
    cr.default_generator.set_state(rng_state)
    with cr.no_grad():
        for t, copy in copies:
            t.copy_(copy)


def layer_stats(model, x, y=None, loss_fn=None, *, bins=0) -> list[LayerStats]:
    """Per-layer statistics of ``model`` on one batch ``x`` (gradients too when ``y`` and ``loss_fn`` are given).

    Returns one ``LayerStats`` per layer, input side first. ``bins`` (a count > 0, or an array of bin edges
    shared by every layer) adds a histogram of each layer's activations, ``hist = (counts, edges)``, for
    distribution panels. The model's parameters, buffers,
    ``.grad`` fields and train/eval mode are left exactly as they were.
    """
    x = _to_tensor(x, _param_dtype(model))
    leaves = [(n, m) for n, m in model.named_modules() if not any(True for _ in m.children())]
    if not leaves:
        raise ValueError("layer_stats: the model has no modules to observe")
    calls, deltas, handles = [], {}, []

    def on_forward(name, module):
        def hook(mod, args, out):
            inp = args[0] if args and isinstance(args[0], cr.Tensor) else None
            calls.append((name, mod, inp, out))
        return hook

    for name, m in leaves:
        handles.append(m.register_forward_hook(on_forward(name, m)))
    snap = snapshot(model)
    try:
        with_grad = loss_fn is not None and y is not None
        with cr.set_grad_enabled(with_grad):
            out = model(x)
            groups = _group(calls)
            for i, g in enumerate(groups):  # δ = ∂L/∂h of each layer's pre-activation, seen on the way back
                h = g["pre"]
                if with_grad and isinstance(h, cr.Tensor) and h.requires_grad:
                    h.register_hook(lambda grad, i=i: deltas.__setitem__(i, _arr(grad).copy()))
            grads = [None] * len(groups)
            if with_grad:
                loss = loss_fn(out, _to_tensor(y))
                weights = [g["weight"] for g in groups]
                if np.isfinite(loss.item()) and any(w.requires_grad for w in weights):
                    got = cr.autograd.grad(loss, [w for w in weights if w.requires_grad], allow_unused=True)
                    it = iter(got)
                    grads = [next(it) if w.requires_grad else None for w in weights]
    finally:
        for h in handles:
            h.remove()
        restore(snap)
    return [_stats(g, grads[i], deltas.get(i), bins) for i, g in enumerate(groups)]


def _group(calls):
    """Split the leaf-module calls into layers: each module with a ≥2-D weight starts a new layer."""
    groups = []
    for name, mod, inp, out in calls:
        w = getattr(mod, "weight", None)
        if isinstance(w, cr.Tensor) and w.ndim >= 2:
            groups.append({"name": name, "module": mod, "weight": w, "pre": out, "post": out, "act": None})
        elif groups:
            g = groups[-1]
            entry = activation_registry.of_module(mod)
            kind = entry.doctor_kind if entry is not None else None
            if kind is not None:
                g["act"], g["pre"], g["post"] = kind, inp, out
            elif g["act"] is None:  # batch norm, dropout... before the activation
                g["pre"] = g["post"] = out
            # after the activation (dropout): keep the activation's own output, unscaled by 1/(1-p)
    if not groups:
        raise ValueError("layer_stats: no layer with a weight matrix (e.g. nn.Linear) was called by the model")
    return groups


def _stats(g, grad, delta, bins) -> LayerStats:
    W = _arr(g["weight"]).astype(np.float64)
    h = _arr(g["pre"]).astype(np.float64)
    a = _arr(g["post"]).astype(np.float64)
    h2 = h.reshape(h.shape[0], -1) if h.ndim > 1 else h[:, None]
    fan_out, fan_in = W.shape[0], int(np.prod(W.shape[1:]))
    dead = None
    if g["act"] in RELU_FAMILY:
        dead = float((h2 <= 0).all(axis=0).mean())
    finite = bool(np.isfinite(a).all() and np.isfinite(h).all())
    hist = None
    if finite and (np.ndim(bins) > 0 or bins):
        hist = np.histogram(a.ravel(), bins=bins)
    gn = gr = dr = None
    if grad is not None:
        G = _arr(grad).astype(np.float64)
        gn = float(np.linalg.norm(G))
        gr = gn / math.sqrt(G.size) if G.size else 0.0  # a layer with no inputs has an empty weight
    if delta is not None:
        dr = float(np.sqrt(np.mean(np.square(delta.astype(np.float64)))))
    return LayerStats(
        name=g["name"], kind=type(g["module"]).__name__, activation=g["act"], fan_in=fan_in, fan_out=fan_out,
        weight_std=float(W.std()), n_var_w=float(fan_in * W.var()),
        weight_rms=float(np.sqrt(np.mean(np.square(W)))) if W.size else 0.0, pre_mean=float(h.mean()),
        pre_std=float(h.std()), act_mean=float(a.mean()), act_std=float(a.std()),
        batch_std=float(a.reshape(a.shape[0], -1).std(axis=0).mean()) if a.ndim else 0.0,
        frac_saturated=_saturated(g["act"], a), frac_dead=dead, mean_slope=_slope(g["act"], h, a),
        identical_units=_identical(h2, W),
        grad_norm=gn, grad_rms=gr, delta_rms=dr, finite=finite, hist=hist)


__all__ = ["LayerStats", "layer_stats", "snapshot", "restore", "ACTIVATIONS", "RELU_FAMILY"]
