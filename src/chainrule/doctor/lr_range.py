"""The learning-rate range test (Smith, 2015; fast.ai's "LR finder"), undone afterwards.

Train for a few dozen minibatches while the learning rate grows geometrically from ``start`` to ``end``:

    lr_k = start · (end / start)^(k / (steps − 1))

and record the loss (smoothed by an exponential moving average with bias correction, β = 0.9). The loss
first stays flat (the rate is too low to matter), then falls (useful rates), then shoots up (too high); the
test stops once the smoothed loss exceeds 4× its minimum. The suggestion is the rate at the minimum ÷ 10:
comfortably inside the falling part. Parameters, buffers and the optimizer's state and rates are restored.
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr

from .. import plotting
from .stats import restore, snapshot


def lr_range_test(model, loss_fn, optimizer, X, y, start: float = 1e-5, end: float = 10.0, steps: int = 100,
                  batch_size: int = 64, seed: int = 0) -> dict:
    """Run the range test on data ``(X, y)``; returns ``{"lrs", "losses", "raw_losses", "suggested_lr",
    "min_loss_lr"}`` (lists of the rates tried and the smoothed/raw losses). The model is left unchanged."""
    if not 0 < start < end:
        raise ValueError(f"lr_range_test: need 0 < start < end, got start={start}, end={end}")
    if steps < 5:
        raise ValueError(f"lr_range_test: steps must be at least 5, got {steps}")
    X = X.detach().numpy() if isinstance(X, cr.Tensor) else np.asarray(X)
    y = y.detach().numpy() if isinstance(y, cr.Tensor) else np.asarray(y)
    if X.dtype.kind == "f" and X.dtype != np.float64:
        X = X.astype(np.float32)
    snap = snapshot(model)
    opt_state = optimizer.state_dict()
    rates = [g["lr"] for g in optimizer.param_groups]
    grads = [(p, p.grad) for p in model.parameters()]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    q = (end / start) ** (1.0 / (steps - 1))
    lrs, raw, smooth = [], [], []
    avg, best = 0.0, math.inf
    try:
        model.train()
        for k in range(steps):
            lr = start * q**k
            for g in optimizer.param_groups:
                g["lr"] = lr
            i = (k * batch_size) % len(X)
            if i + batch_size > len(X):
                order = rng.permutation(len(X))
            idx = order[i:i + batch_size]
            loss = loss_fn(model(cr.from_numpy(np.ascontiguousarray(X[idx]))), cr.from_numpy(y[idx]))
            value = float(loss.item())
            if not math.isfinite(value):
                break
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            avg = 0.9 * avg + 0.1 * value
            s = avg / (1 - 0.9 ** (k + 1))
            lrs.append(lr)
            raw.append(value)
            smooth.append(s)
            best = min(best, s)
            if k > 5 and s > 4 * best:
                break
    finally:
        restore(snap)
        optimizer.load_state_dict(opt_state)
        for g, r in zip(optimizer.param_groups, rates):
            g["lr"] = r
        for p, g in grads:
            p.grad = g
    if not smooth:
        return {"lrs": [], "losses": [], "raw_losses": [], "suggested_lr": None, "min_loss_lr": None}
    i_min = int(np.argmin(smooth))
    return {"lrs": lrs, "losses": smooth, "raw_losses": raw, "min_loss_lr": lrs[i_min],
            "suggested_lr": lrs[i_min] / 10}


def plot_lr_range(result: dict, ax=None, title: str = "learning-rate range test"):
    """Draw loss against learning rate (log axis) with the suggestion marked; returns the axes.

    Without ``ax`` it draws on a new figure of its own (``chainrule.plotting``: the caller's matplotlib
    backend and pyplot are not touched); ``ax.figure`` is that figure."""
    if ax is None:
        _, ax = plotting.subplots(figsize=(5, 3.4))
    lrs, losses = result["lrs"], result["losses"]
    ax.plot(lrs, result["raw_losses"], color="0.75", lw=0.8, label="loss per minibatch")
    ax.plot(lrs, losses, color="tab:blue", label="smoothed")
    if result.get("suggested_lr"):
        ax.axvline(result["min_loss_lr"], color="tab:red", ls=":", lw=1, label=f"minimum ({result['min_loss_lr']:.2g})")
        ax.axvline(result["suggested_lr"], color="tab:green", ls="--", lw=1.2,
                   label=f"suggested = min/10 ({result['suggested_lr']:.2g})")
    if losses:
        ax.set_ylim(min(losses) * 0.9 if min(losses) > 0 else min(losses) - 0.1, max(losses[0] * 1.6, 1e-9))
    ax.set(xscale="log", xlabel="learning rate", ylabel="training loss", title=title)
    ax.legend()
    return ax
