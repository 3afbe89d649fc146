"""Lab ``activations``: each activation and its derivative, and how fast the same MLP trains with each.

The derivatives are not typed in: they come from the engine (``f(x).sum().backward()`` gives f'(x) in
``x.grad``), so the plot is also a check of the autograd. Then the same MLP (64 → 64 → 64 → 10, PyTorch's
default init) is trained on the digits with each activation — same initial weights (same seed), same
batches, SGD with momentum 0.9 and lr 0.01 as in Krizhevsky et al. (2012) — and the lab counts the epochs
until the mean training loss of an epoch falls below a target. Krizhevsky et al. report ReLU reaching 25 %
training error ~6× faster than tanh on CIFAR-10 with a deep CNN; here the ratio is measured on this data,
with this small network, whatever it turns out to be.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.nn import activation_registry

from .. import plotting
from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate, first_reaching, train_epoch

TARGET = 0.1  # mean training cross-entropy of an epoch


# the activations compared, as nn.activation_registry names them (also their labels in numbers.json)
NAMES = ("sigmoid", "tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "softplus")


def activations():
    """label -> module class of every activation compared."""
    return {name: activation_registry.get(name).module for name in NAMES}


def curve(make, lo=-4.0, hi=4.0, n=401):
    """(x, f(x), f'(x)) with f' from the engine's backward pass."""
    x = cr.tensor(np.linspace(lo, hi, n), dtype=cr.float64, requires_grad=True)
    f = make().double()
    y = f(x)
    y.sum().backward()
    return x.numpy(), y.detach().numpy(), x.grad.numpy()


def run(ctx):
    from chainrule import nn, optim

    acts = activations()
    curves = {name: curve(make) for name, make in acts.items()}
    train, val, _ = digits_split()
    epochs = ctx.size(quick=12, fast=30, full=100)
    seeds = ctx.size(quick=1, fast=3, full=5)
    n_train = ctx.size(quick=600, fast=len(train.X), full=len(train.X))
    X, y = train.X[:n_train], train.y[:n_train]
    losses, reached, val_acc = {}, {}, {}
    for name, make in acts.items():
        runs, hits, accs = [], [], []
        for s in range(seeds):
            rng = ctx.reseed(100 + s)  # the same weights and batches for every activation
            model = build_mlp([64, 64, 64, 10], make)
            opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            ls = [train_epoch(model, nn.CrossEntropyLoss(), opt, X, y, 32, rng) for _ in range(epochs)]
            runs.append(ls)
            hits.append(first_reaching(ls, TARGET))
            accs.append(evaluate(model, nn.CrossEntropyLoss(), val.X, val.y)[1])
        losses[name] = np.mean(runs, axis=0).tolist()
        # a run that never reaches the target counts as "more than `epochs`"; the median is then None
        ok = sorted(h if h is not None else np.inf for h in hits)
        med = float(np.median(ok))
        reached[name] = {"per_seed": hits, "median": med if np.isfinite(med) else None}
        val_acc[name] = float(np.mean(accs))
    t, r = reached["tanh"]["median"], reached["ReLU"]["median"]
    ratio = t / r if t is not None and r is not None else None
    deriv_max = {k: float(np.abs(v[2]).max()) for k, v in curves.items()}
    ctx.record(target_loss=TARGET, epochs=epochs, seeds=seeds, n_train=n_train, epochs_to_target=reached,
               relu_vs_tanh_ratio=ratio, val_acc=val_acc, final_train_loss={k: v[-1] for k, v in losses.items()},
               loss_curves=losses, max_derivative=deriv_max)
    _figures(ctx, curves, losses, reached, val_acc, epochs)

    order = sorted(reached, key=lambda k: (reached[k]["median"] or np.inf, losses[k][-1]))

    def ep(k):
        m = reached[k]["median"]
        return f"{m:g}" if m is not None else f">{epochs}"

    if ratio is None:
        compare = "not both reached the target, so no ratio"
    else:
        size = ("far below" if ratio < 2 else "below" if ratio < 4.5 else "close to" if ratio < 8 else "above")
        compare = f"tanh needs ×{ratio:.2f} the epochs of ReLU, {size} the ×6 Krizhevsky et al. report"
    slowest = order[-1]
    ctx.conclude(
        f"Epochs to a mean training loss of {TARGET} (median of {seeds} seed{'s' if seeds > 1 else ''}, "
        f"64-64-64-10 MLP on digits, SGD + momentum): " + ", ".join(f"{k} {ep(k)}" for k in order) + ". "
        f"ReLU vs tanh: {compare} (for a deep CNN on CIFAR-10; this is a shallow MLP on 8×8 digits). "
        f"Slowest: {slowest} ({ep(slowest)}). Validation accuracy after {epochs} epochs: "
        + ", ".join(f"{k} {val_acc[k]:.1%}" for k in order) + ".")


def _figures(ctx, curves, losses, reached, val_acc, epochs):
    names = list(curves)
    fig, axes = plotting.subplots(2, 4, figsize=(13, 6), layout="constrained", sharex=True)
    for ax, name in zip(axes.ravel(), names):
        x, f, d = curves[name]
        ax.plot(x, f, color="tab:blue", label="f(x)")
        ax.plot(x, d, color="tab:orange", ls="--", label="f'(x) (engine)")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set(title=name + (" (α = 0.25)" if name == "PReLU" else " (slope 0.01)" if name == "LeakyReLU" else ""),
               ylim=(-1.2, 2.2))
    axes[0, 0].legend(loc="upper left")
    ax = axes[1, 3]
    for name in names:
        x, _, d = curves[name]
        ax.plot(x, d, label=name)
    ax.set(title="all derivatives", ylim=(-0.1, 1.2), xlabel="x")
    ax.legend(fontsize=7)
    fig.suptitle("Activations and their derivatives (the derivative computed by chainrule's backward pass)")
    ctx.figure(fig, "activations.png", "Each activation (solid) and its derivative from the engine (dashed). "
               "Sigmoid's derivative never exceeds 1/4; tanh's reaches 1 at 0; ReLU's is 0 or 1.")

    fig, axes = plotting.subplots(1, 2, figsize=(12, 3.8), layout="constrained",
                             gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    for name in names:
        ax.plot(np.arange(1, len(losses[name]) + 1), losses[name], label=name)
    ax.axhline(TARGET, color="k", ls=":", lw=1)
    ax.text(1, TARGET * 1.1, f"target {TARGET}", fontsize=8)
    ax.set(yscale="log", xlabel="epoch", ylabel="mean training loss", title="training loss (mean over seeds)")
    ax.legend(ncol=2)
    ax = axes[1]
    order = sorted(names, key=lambda k: (reached[k]["median"] or np.inf, losses[k][-1]))
    vals = [reached[k]["median"] or epochs for k in order]
    bars = ax.barh(order, vals, color=["tab:gray" if reached[k]["median"] is None else "tab:blue" for k in order])
    for b, k in zip(bars, order):
        m = reached[k]["median"]
        ax.text(b.get_width() + 0.3, b.get_y() + b.get_height() / 2,
                (f"{m:g}" if m is not None else f"> {epochs} (not reached)") + f"  · val acc {val_acc[k]:.0%}",
                va="center", fontsize=8)
    ax.set(xlabel=f"epochs to training loss {TARGET}", title="epochs to target (median)", xlim=(0, epochs * 1.6))
    ax.invert_yaxis()
    fig.suptitle("The same MLP, the same initial weights and batches, seven activations (digits)")
    ctx.figure(fig, "training_speed.png", "Training loss per epoch for each activation, and the epochs each "
               "needs to reach the target loss; grey bars did not reach it (LeakyReLU's curve hides ReLU's).")
