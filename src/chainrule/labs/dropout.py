"""Lab ``dropout``: regularisation on a small training set, and dropout's ensemble view checked.

With only 200 training digits, a 64 → 256 → 256 → 10 ReLU network fits the training set perfectly and the
validation loss is what tells the arms apart. Four arms, same initial weights and batches: no regulariser,
dropout p = 0.5 after each hidden layer, L2 (weight decay λ = 0.01 in SGD: the gradient of (λ/2)‖w‖²
added to every step) and both.

The ensemble view: a dropout network trains 2^n thinned sub-networks that share weights; at test time the
lecture replaces their average by one pass with the weights scaled by the keep probability (PyTorch's
inverted dropout scales at training time instead, by 1/(1 − p), so eval mode is a plain pass — the same
thing). The lab checks it: the average of K stochastic training-mode passes against the one eval-mode pass.
The two are not identical (the network is nonlinear: E[f(x)] ≠ f(E[x])), but close.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from .. import plotting
from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate, train_epoch

ARMS = {"none": (0.0, 0.0), "dropout 0.5": (0.5, 0.0), "L2 0.01": (0.0, 0.01), "dropout + L2": (0.5, 0.01)}
N_TRAIN = 200


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ensemble(model, X, ks):
    """Eval-mode probabilities, and for each K the arithmetic mean of K training-mode (dropout) passes'
    probabilities and their normalised geometric mean (softmax of the mean log-probability)."""
    model.eval()
    with cr.no_grad():
        p_eval = _softmax(model(cr.from_numpy(X)).numpy().astype(np.float64))
        model.train()
        total, logs, arith, geo, k = np.zeros_like(p_eval), np.zeros_like(p_eval), {}, {}, 0
        for target in ks:
            while k < target:
                z = model(cr.from_numpy(X)).numpy().astype(np.float64)
                total += _softmax(z)
                logs += z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1, keepdims=True)
                k += 1
            arith[target], geo[target] = total / k, _softmax(logs / k)
    return p_eval, arith, geo


def run(ctx):
    from chainrule import nn, optim

    train, val, _ = digits_split()
    X, y = train.X[:N_TRAIN], train.y[:N_TRAIN]
    epochs = ctx.size(quick=30, fast=100, full=200)
    seeds = ctx.size(quick=1, fast=3, full=10)
    curves, final, models = {}, {}, {}
    for arm, (p, wd) in ARMS.items():
        tr_l, va_l, fin = [], [], []
        for s in range(seeds):
            rng = ctx.reseed(20 + s)
            model = build_mlp([64, 256, 256, 10], "relu", dropout=p)
            opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=wd)
            a, b = [], []
            for _ in range(epochs):
                train_epoch(model, nn.CrossEntropyLoss(), opt, X, y, 32, rng)
                a.append(evaluate(model, nn.CrossEntropyLoss(), X, y)[0])
                b.append(evaluate(model, nn.CrossEntropyLoss(), val.X, val.y)[0])
            tr_l.append(a)
            va_l.append(b)
            (trl, tra), (vl, vacc) = (evaluate(model, nn.CrossEntropyLoss(), X, y),
                                      evaluate(model, nn.CrossEntropyLoss(), val.X, val.y))
            fin.append((trl, tra, vl, vacc))
            if s == 0:
                models[arm] = model
        curves[arm] = {"train_loss": np.mean(tr_l, 0).tolist(), "val_loss": np.mean(va_l, 0).tolist()}
        f = np.array(fin)
        final[arm] = {"train_loss": float(f[:, 0].mean()), "train_acc": float(f[:, 1].mean()),
                      "val_loss": float(f[:, 2].mean()), "val_acc": float(f[:, 3].mean()),
                      "val_acc_std": float(f[:, 3].std()), "loss_gap": float((f[:, 2] - f[:, 0]).mean()),
                      "acc_gap": float((f[:, 1] - f[:, 3]).mean())}
    ks = [1, 2, 5, 10, 20, 50, 100, 200, 500]
    ks = [k for k in ks if k <= ctx.size(quick=50, fast=200, full=500)]
    ctx.reseed(99)
    p_eval, p_mc, p_geo = _ensemble(models["dropout 0.5"], val.X, ks)
    dev = {k: float(np.abs(v - p_eval).sum(1).mean() / 2) for k, v in p_mc.items()}  # mean total variation
    dev_geo = {k: float(np.abs(v - p_eval).sum(1).mean() / 2) for k, v in p_geo.items()}
    K = ks[-1]
    agree = float((p_mc[K].argmax(1) == p_eval.argmax(1)).mean())
    acc_mc, acc_eval = float((p_mc[K].argmax(1) == val.y).mean()), float((p_eval.argmax(1) == val.y).mean())
    one = float((p_mc[1].argmax(1) == val.y).mean())
    ctx.record(n_train=N_TRAIN, epochs=epochs, seeds=seeds, final=final, curves=curves,
               ensemble={"K": ks, "mean_tv_distance": dev, "mean_tv_distance_geometric": dev_geo,
                         "argmax_agreement": agree, "acc_mc_average": acc_mc,
                         "acc_eval_mode": acc_eval, "acc_single_dropout_pass": one},
               dropout_narrows_loss_gap=bool(final["dropout 0.5"]["loss_gap"] < final["none"]["loss_gap"]))
    _figures(ctx, curves, final, ks, (dev, dev_geo), p_eval, (p_mc[K], p_geo[K]), epochs)
    n0, d, l2, both = (final[a] for a in ARMS)
    ctx.conclude(
        f"{N_TRAIN} training digits, {epochs} epochs, mean of {seeds} seed{'s' if seeds > 1 else ''}: every arm fits "
        f"the training set (train accuracy {min(v['train_acc'] for v in final.values()):.0%}+). Validation loss "
        f"− training loss: none {n0['loss_gap']:.3f}, dropout {d['loss_gap']:.3f}, L2 {l2['loss_gap']:.3f}, "
        f"both {both['loss_gap']:.3f}; validation accuracy {n0['val_acc']:.1%}, {d['val_acc']:.1%}, "
        f"{l2['val_acc']:.1%}, {both['val_acc']:.1%}. Ensemble view: the mean of {K} dropout passes agrees "
        f"with the single eval-mode pass on {agree:.1%} of validation digits (mean total-variation distance "
        f"{dev[K]:.3f}, down from {dev[1]:.3f} for one pass; their normalised geometric mean is "
        f"{'closer' if dev_geo[K] < dev[K] else 'not closer'}: {dev_geo[K]:.3f} — the weight-scaling rule is "
        "exactly the geometric mean for a single softmax layer); "
        f"accuracy {acc_mc:.1%} (average) vs "
        f"{acc_eval:.1%} (eval mode) vs {one:.1%} (one dropout pass).")


def _figures(ctx, curves, final, ks, dev, p_eval, p_mc, epochs):
    colors = dict(zip(ARMS, ("tab:gray", "tab:blue", "tab:orange", "tab:green")))
    fig, axes = plotting.subplots(1, 2, figsize=(12, 3.9), layout="constrained", gridspec_kw={"width_ratios": [1.5, 1]})
    ep = np.arange(1, epochs + 1)
    for arm in ARMS:
        axes[0].plot(ep, curves[arm]["train_loss"], ls="--", color=colors[arm])
        axes[0].plot(ep, curves[arm]["val_loss"], color=colors[arm], label=arm)
    axes[0].set(yscale="log", xlabel="epoch", ylabel="cross-entropy",
                title=f"{N_TRAIN} training digits: training (dashed) vs validation (solid) loss")
    axes[0].legend()
    names = list(ARMS)
    x = np.arange(len(names))
    axes[1].bar(x - 0.2, [final[a]["loss_gap"] for a in names], 0.4, color=[colors[a] for a in names],
                label="validation − training loss")
    ax2 = axes[1].twinx()
    ax2.errorbar(x + 0.2, [final[a]["val_acc"] for a in names], yerr=[final[a]["val_acc_std"] for a in names],
                 fmt="ko", capsize=3, label="validation accuracy (right)")
    ax2.set(ylim=(min(final[a]["val_acc"] for a in names) - 0.05, 1.0), ylabel="validation accuracy")
    ax2.grid(False)
    axes[1].set(xticks=x, xticklabels=names, ylabel="validation − training loss", title="the gap, end of training")
    h1, l1 = axes[1].get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    axes[1].legend(h1 + h2, l1 + l2, loc="upper right", fontsize=7)
    fig.suptitle("Regularisation on a small training set (64-256-256-10 ReLU, SGD + momentum)")
    ctx.figure(fig, "gap.png", "Training and validation loss per epoch for each arm, and the final gap between "
               "them with validation accuracy (mean ± std over seeds).")

    fig, axes = plotting.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    dev, dev_geo = dev
    axes[0].plot(ks, [dev[k] for k in ks], marker="o", label="arithmetic mean of the probabilities")
    axes[0].plot(ks, [dev_geo[k] for k in ks], marker="s", label="normalised geometric mean")
    axes[0].set(xscale="log", xlabel="K (dropout passes averaged)", ylabel="mean total-variation distance",
                title="K dropout passes vs one eval-mode pass", ylim=(0, None))
    axes[0].legend()
    top = p_eval.argmax(1)
    rows = np.arange(len(top))
    p_mc, p_geo = p_mc
    axes[1].scatter(p_eval[rows, top], p_mc[rows, top], s=8, alpha=0.6, label="arithmetic mean")
    axes[1].scatter(p_eval[rows, top], p_geo[rows, top], s=8, alpha=0.6, marker="s", label="geometric mean")
    axes[1].legend(loc="upper left")
    axes[1].plot([0, 1], [0, 1], color="0.7", lw=1)
    axes[1].set(xlabel="eval-mode probability of its predicted class",
                ylabel=f"mean over {ks[-1]} dropout passes", title="per validation digit", xlim=(0, 1.02),
                ylim=(0, 1.02), aspect="equal")
    fig.suptitle("Dropout as an ensemble: the eval-mode pass ≈ the (geometric) average of the thinned networks")
    ctx.figure(fig, "ensemble.png", "Left: the distance between the Monte-Carlo average of K dropout passes and "
               "the eval-mode output shrinks with K to a floor (the network is nonlinear); the geometric mean is "
               "closer. Right: per digit, the probability of the eval-mode prediction under each.")
