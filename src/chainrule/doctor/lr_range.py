"""The learning-rate range test (Smith, 2015; fast.ai's "LR finder"), undone afterwards.

Train for a few dozen minibatches while the learning rate grows geometrically from ``start`` to ``end``:

    lr_k = start · (end / start)^(k / (steps − 1))

and record the loss (smoothed by an exponential moving average with bias correction, β = 0.9). The loss
first stays flat (the rate is too low to matter), then falls (useful rates), then shoots up (too high); the
test stops once the smoothed loss exceeds 4× its minimum. The suggestion is the rate at the minimum ÷ 10:
comfortably inside the falling part. Parameters, buffers and the optimizer's state and rates are restored.

A suggestion needs a curve that really falls: ``analyse`` compares the fall — the mean loss of the first
steps minus the mean of the few steps up to the smoothed minimum — with its standard error, from the
scatter of the per-minibatch losses at the start. (The smoothed curve alone would not do: its minimum over
a hundred noisy steps lies below its start even when nothing is learnt, which is how a trained model used
to get a confident 1e-6.) Under 3 standard errors there is no suggestion and the verdict says why: a
*flat* curve (a trained model, or rates too small to matter), a *noisy* one (too noisy to see a fall of a
quarter of the loss: a larger batch helps), a *rising* one (the first rates are already too high). With a
suggestion comes a confidence: high from 8 standard errors over half a decade of rates, medium from 5, low
from 3.
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr

from .. import plotting
from .stats import restore, snapshot


def lr_range_test(model, loss_fn, optimizer, X, y, start: float = 1e-5, end: float = 10.0, steps: int = 100,
                  batch_size: int = 64, seed: int = 0) -> dict:
    """Run the range test on data ``(X, y)``; returns ``{"lrs", "losses", "raw_losses"}`` (the rates tried and
    the smoothed/raw losses) with ``analyse``'s verdict: ``suggested_lr`` (None when the curve does not say),
    ``verdict``, ``confidence``, ``min_loss_lr``, ... The model is left unchanged."""
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
    return {"lrs": lrs, "losses": smooth, "raw_losses": raw, **analyse(lrs, raw, smooth, steps)}


WARM_UP = 3  # the first smoothed values rest on one or two minibatches: the minimum is looked for after them
WINDOW = 5  # raw losses averaged at the minimum (up to it: the smoothed curve lags the raw one)
SIGNIFICANT, CLEAR = 3.0, 8.0  # a fall of 3 standard errors is real, 8 is clear
DECADES = 0.5  # a clear fall spans half a decade of rates or more
RESOLVE = 0.25  # a test that cannot see a fall of a quarter of the loss (3 standard errors above it) is "noisy"


def analyse(lrs, raw, smooth, planned: int | None = None) -> dict:
    """The verdict on a range-test curve: ``verdict`` ("suggested", "flat", "noisy", "rising", "too short"),
    ``suggested_lr`` (None unless suggested), ``confidence``, ``min_loss_lr``, and the numbers behind them:
    ``start`` (the mean raw loss over the first tenth of the steps, at least 5), ``fall`` (start − the mean
    raw loss over the WINDOW steps up to the smoothed minimum), ``noise`` (the raw losses' standard deviation
    over the start), ``se`` (the standard error of ``fall``), ``z`` = fall / se, ``decades`` (how many decades
    of rates the fall spans)."""
    out = {"verdict": "too short", "suggested_lr": None, "min_loss_lr": None, "confidence": "none",
           "start": None, "fall": None, "noise": None, "se": None, "z": None, "decades": None}
    n0 = max(5, len(raw) // 10)
    if len(smooth) < n0 + WARM_UP:
        return out
    raw, smooth = np.asarray(raw, dtype=np.float64), np.asarray(smooth, dtype=np.float64)
    i_min = WARM_UP + int(np.argmin(smooth[WARM_UP:]))
    start = float(raw[:n0].mean())
    at_min = raw[max(0, i_min + 1 - WINDOW):i_min + 1]
    fall = start - float(at_min.mean())
    noise = float(raw[:n0].std(ddof=1))
    se = noise * math.sqrt(1 / n0 + 1 / len(at_min))
    z = fall / se if se > 0 else (math.inf if fall > 0 else 0.0)
    begin = next((k for k in range(i_min + 1) if smooth[k] < start - 0.1 * fall), i_min)
    decades = float(np.log10(lrs[i_min] / lrs[begin])) if fall > 0 else 0.0
    out.update(start=start, fall=fall, noise=noise, se=se, z=z, decades=decades, min_loss_lr=float(lrs[i_min]))
    if z < SIGNIFICANT:
        early = planned is not None and len(smooth) < planned / 3 and smooth[-1] > 2 * start
        out["verdict"] = "rising" if early else "noisy" if SIGNIFICANT * se > RESOLVE * abs(start) else "flat"
    else:
        confidence = "high" if z >= CLEAR and decades >= DECADES else "medium" if z >= 5 else "low"
        out.update(verdict="suggested", suggested_lr=float(lrs[i_min]) / 10, confidence=confidence)
    return out


def describe(result: dict) -> str:
    """One line: the suggestion and its confidence, or why there is none."""
    v = result.get("verdict")
    if v is None:  # a result from before verdicts: the suggestion alone
        s = result.get("suggested_lr")
        return f"suggested learning rate {s:.2g}" if s else "no suggestion"
    lrs = result.get("lrs") or [0.0]
    span = f"rates {lrs[0]:.2g} to {lrs[-1]:.2g}"
    start, fall, se = result["start"], result["fall"], result["se"]
    if v == "suggested":
        return (f"suggested learning rate {result['suggested_lr']:.2g}, confidence {result['confidence']} (the loss "
                f"falls from {start:.3g} by {fall:.3g}, {result['z']:.3g} standard errors, over "
                f"{result['decades']:.2g} decades of rates; the smoothed minimum is at {result['min_loss_lr']:.2g}, "
                f"the suggestion a tenth of it)")
    if v == "flat":
        return (f"no suggestion: the curve is flat (the loss moves by {fall:.2g} from {start:.3g} over {span}, "
                f"less than 3 standard errors = {SIGNIFICANT * se:.2g}, until it diverges): the model may be "
                f"trained already, or the rates too small to matter; keep the current rate")
    if v == "noisy":
        return (f"no suggestion: the curve does not fall clearly and is too noisy to show a fall smaller than "
                f"{SIGNIFICANT * se:.2g} (3 standard errors) on a loss of {start:.3g}; use a larger batch_size or "
                f"more steps (a trained model has no fall to find)")
    if v == "rising":
        return (f"no suggestion: the loss rises from the first rates tried ({lrs[0]:.2g}): even those are too "
                f"high; start the test lower")
    return "no suggestion: the test ended too early (the loss diverged within its first few steps)"


def plot_lr_range(result: dict, ax=None, title: str = "learning-rate range test"):
    """Draw loss against learning rate (log axis) with the suggestion marked; returns the axes.

    Without ``ax`` it draws on a new figure of its own (``chainrule.plotting``: the caller's matplotlib
    backend and pyplot are not touched); ``ax.figure`` is that figure."""
    if ax is None:
        _, ax = plotting.subplots(figsize=(5, 3.4))
    lrs, losses = result["lrs"], result["losses"]
    ax.plot(lrs, result["raw_losses"], color="0.75", lw=0.8, label="loss per minibatch")
    ax.plot(lrs, losses, color="tab:blue", label="smoothed")
    if result.get("verdict") not in (None, "suggested"):
        ax.text(0.03, 0.95, f"no suggestion ({result['verdict']} curve)", transform=ax.transAxes, va="top",
                color="0.3")
    if result.get("suggested_lr"):
        ax.axvline(result["min_loss_lr"], color="tab:red", ls=":", lw=1, label=f"minimum ({result['min_loss_lr']:.2g})")
        conf = f", confidence {result['confidence']}" if result.get("confidence") else ""
        ax.axvline(result["suggested_lr"], color="tab:green", ls="--", lw=1.2,
                   label=f"suggested = min/10 ({result['suggested_lr']:.2g}{conf})")
    if losses:
        level = result.get("start") or float(np.median(losses[:max(1, len(losses) // 10)]))
        low = min(min(losses), min(result["raw_losses"]))
        ax.set_ylim(low * 0.9 if low > 0 else low - 0.1, max(level * 1.6, 1e-9))
    ax.set(xscale="log", xlabel="learning rate", ylabel="training loss", title=title)
    ax.legend()
    return ax
