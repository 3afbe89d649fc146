"""Lab ``dead-relu``: at a high learning rate ReLU units die; LeakyReLU units can come back.

A ReLU unit is *dead* when its pre-activation h = w·x + b is ≤ 0 for every input: its output is 0 and so
is its local gradient (ReLU'(h) = 0 for h < 0), so ∂L/∂w = 0 and nothing will ever move it back. A large
step can throw a unit there (e.g. a big negative update to b). LeakyReLU has slope 0.01 for h < 0: a unit
on its negative side still receives 1 % of the gradient and can recover.

The same MLP (64 → 128 → 128 → 10, the same initial weights and batches) is trained on digits with plain
SGD at a moderate and at high learning rates; every few steps ``doctor.layer_stats`` counts, on a fixed
probe batch, the units whose pre-activation is ≤ 0 for every sample.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..data.datasets import digits_split
from ..doctor import layer_stats
from ..nn.mlp import build_mlp
from ._common import batches, evaluate

LRS = (0.1, 0.5, 1.0)


def _train(ctx, act, lr, X, y, probe, epochs, every, offset):
    import chainrule as cr
    from chainrule import nn, optim

    rng = ctx.reseed(offset)
    model = build_mlp([64, 128, 128, 10], act)
    opt = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    steps, dead, losses = [], [], []
    step = 0
    for _ in range(epochs):
        for idx in batches(len(X), 32, rng):
            if step % every == 0:
                st = layer_stats(model, probe)
                steps.append(step)
                dead.append([s.frac_dead for s in st[:2]])
            loss = loss_fn(model(cr.from_numpy(X[idx])), cr.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
    st = layer_stats(model, probe)
    steps.append(step)
    dead.append([s.frac_dead for s in st[:2]])
    return model, {"steps": steps, "dead": dead, "losses": losses}


def run(ctx):
    from chainrule import nn

    train, val, _ = digits_split()
    X, y = train.X, train.y
    probe = X[:512]
    epochs = ctx.size(quick=2, fast=6, full=20)
    every = ctx.size(quick=10, fast=5, full=5)
    res = {}
    for i, lr in enumerate(LRS):
        for name in ("ReLU", "LeakyReLU"):  # nn.activation_registry names (LeakyReLU: slope 0.01)
            model, r = _train(ctx, name, lr, X, y, probe, epochs, every, 10 + i)
            dead = np.array(r["dead"], dtype=float)
            mean_dead = dead.mean(axis=1)
            loss, acc = evaluate(model, nn.CrossEntropyLoss(), val.X, val.y)
            res[name, lr] = {"steps": r["steps"], "dead_per_layer": r["dead"], "dead_mean": mean_dead.tolist(),
                             "final_dead": float(mean_dead[-1]), "max_dead": float(mean_dead.max()),
                             "recovered": float(mean_dead.max() - mean_dead[-1]), "val_acc": acc,
                             "val_loss": loss if np.isfinite(loss) else None, "losses": r["losses"]}
    hi = max(LRS)
    key = {f"{n}_lr{lr:g}": v for (n, lr), v in res.items()}
    relu_hi, leaky_hi = res["ReLU", hi], res["LeakyReLU", hi]
    ctx.record(lrs=list(LRS), epochs=epochs, probe=len(probe),
               summary={k: {kk: v[kk] for kk in ("final_dead", "max_dead", "recovered", "val_acc")}
                        for k, v in key.items()},
               curves={k: {"steps": v["steps"], "dead_mean": v["dead_mean"]} for k, v in key.items()},
               relu_more_dead_at_high_lr=bool(relu_hi["final_dead"] > leaky_hi["final_dead"]))
    _figures(ctx, res, epochs)
    lo = min(LRS)
    ctx.conclude(
        f"At lr = {lo:g} few units are dead after {epochs} epochs (ReLU {res['ReLU', lo]['final_dead']:.0%}, "
        f"LeakyReLU {res['LeakyReLU', lo]['final_dead']:.0%} on the negative side for every probe input). At "
        f"lr = {hi:g}, {relu_hi['final_dead']:.0%} of the ReLU units end dead (peak {relu_hi['max_dead']:.0%}, "
        f"{relu_hi['recovered']:.0%} recovered) and validation accuracy is {relu_hi['val_acc']:.0%}; with "
        f"LeakyReLU {leaky_hi['final_dead']:.0%} end on the negative side (peak {leaky_hi['max_dead']:.0%}, "
        f"{leaky_hi['recovered']:.0%} came back) and accuracy is {leaky_hi['val_acc']:.0%}. At lr = "
        f"{LRS[1]:g}: ReLU {res['ReLU', LRS[1]]['final_dead']:.0%} dead ({res['ReLU', LRS[1]]['val_acc']:.0%}), "
        f"LeakyReLU {res['LeakyReLU', LRS[1]]['final_dead']:.0%} ({res['LeakyReLU', LRS[1]]['val_acc']:.0%}).")


def _figures(ctx, res, epochs):
    fig, axes = plotting.subplots(1, len(LRS), figsize=(13, 3.8), layout="constrained", sharey=True)
    for ax, lr in zip(axes, LRS):
        for name, color in (("ReLU", "tab:red"), ("LeakyReLU", "tab:blue")):
            r = res[name, lr]
            d = np.array(r["dead_per_layer"], dtype=float)
            ax.plot(r["steps"], d[:, 0], color=color, label=f"{name} layer 1")
            ax.plot(r["steps"], d[:, 1], color=color, ls="--", label=f"{name} layer 2")
        ax.set(title=f"SGD lr = {lr:g}: val acc ReLU {res['ReLU', lr]['val_acc']:.0%}, "
                     f"Leaky {res['LeakyReLU', lr]['val_acc']:.0%}", xlabel="training step (batch 32)",
               ylim=(-0.02, 1.02))
    axes[0].set_ylabel("fraction of units with h ≤ 0 on every probe input")
    axes[0].legend(loc="upper left")
    fig.suptitle(f"Dead units over {epochs} epochs of training on digits (64-128-128-10): ReLU units that die "
                 "stay dead; LeakyReLU units still get 1% of the gradient")
    ctx.figure(fig, "dead_units.png", "Fraction of hidden units whose pre-activation is ≤ 0 for all 512 probe "
               "digits, during training at three learning rates. For ReLU these units are dead (zero gradient); "
               "for LeakyReLU they still learn at slope 0.01.")
