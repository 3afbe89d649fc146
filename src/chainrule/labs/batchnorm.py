"""Lab ``batchnorm``: a deep network with and without batch normalisation.

Batch norm standardises each pre-activation over the batch and then rescales it with learned γ, β:

    ĥ = (h − mean_batch(h)) / √(var_batch(h) + ε),     BN(h) = γ ĥ + β

so whatever the weights before it do, the next nonlinearity sees inputs of a controlled mean and scale —
the signal can neither collapse nor blow up with depth, and a larger learning rate is safe. The lab trains
the same 8-hidden-layer ReLU MLP (width 64) on digits three ways — PyTorch's default init (n·Var(w) = 1/3:
the signal shrinks layer by layer), the same with ``BatchNorm1d`` before every ReLU, and without batch norm
but with He init (n·Var(w) = 2) — each at the better of two learning rates (SGD + momentum), the same
batches, and measures how much each layer's output varies with the input (its batch std) at the start.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate_accuracy, is_activation, train_tracked
from ._figs import bars, panels
from ._grid import best_rates, run_grid
from ._seeds import seeded, trial
from ._stats import Stat, combine, paired, sign_verdict

DEPTH, WIDTH, STEPS = 8, 64, 60
ARMS = ("default init", "default init + batch norm", "He init, no batch norm")
LRS = (0.01, 0.1)


def _model(arm):
    from chainrule import nn

    model = build_mlp([64] + [WIDTH] * DEPTH + [10], "relu", batchnorm="batch norm" in arm)
    if arm.startswith("He"):
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return model


def batch_std(model, x):
    """Per hidden layer: each unit's output std over the batch, averaged over the units (train-mode pass)."""

    out, h = [], cr.from_numpy(x)
    with cr.no_grad():
        for m in model:
            h = m(h)
            if is_activation(m):
                out.append(float(h.numpy().std(0).mean()))
    return out


@trial
def one_run(config):
    from chainrule import optim

    train, val, _ = digits_split()
    rng = seeded(config)
    model = _model(config["arm"])
    std0 = batch_std(model, train.X[:512])
    tr = train_tracked(model, optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9), train.X, train.y, STEPS,
                       64, rng, every=0)
    ok = len(tr["loss"]) == STEPS and np.isfinite(tr["loss"]).all()
    return {"std_init": std0, "loss": tr["loss"] if ok else None,
            "mean_loss": float(np.mean(tr["loss"])) if ok else None,
            "val_acc": evaluate_accuracy(model, val.X, val.y) if ok else None}


def run(ctx):
    runs = run_grid(ctx, one_run, ARMS, LRS)
    best = best_rates(runs, ARMS, LRS, "mean_loss")
    res = {a: runs[a, best[a]] for a in ARMS}
    ratio = {a: Stat.of([r["std_init"][-1] / r["std_init"][0] for r in runs[a, LRS[0]]]) for a in ARMS}
    loss = {a: Stat.of([r["mean_loss"] for r in res[a]]) for a in ARMS}
    acc = {a: Stat.of([r["val_acc"] for r in res[a]]) for a in ARMS}
    plain, bn, he = ARMS
    vs_plain = paired([r["mean_loss"] for r in res[plain]], [r["mean_loss"] for r in res[bn]])
    vs_he = paired([r["mean_loss"] for r in res[he]], [r["mean_loss"] for r in res[bn]])
    ctx.record(depth=DEPTH, width=WIDTH, steps=STEPS, lr_grid=list(LRS), seeds=ctx.seeds, best_lr=best,
               batch_std_ratio_last_first=ratio, mean_training_loss=loss, val_acc=acc,
               default_minus_bn_loss=vs_plain, he_minus_bn_loss=vs_he)
    steady = 0.3 < ratio[bn].mean < 3 and ratio[plain].hi < 0.1
    ctx.claim("batchnorm", textbook="BN standardises every pre-activation over the batch, so each layer's input keeps "
              "a controlled scale whatever the weights; deep networks then train with less care for the init and at "
              "larger rates. A good init (He for ReLU) also keeps the scale at the start.",
              measured=f"{DEPTH} hidden ReLU layers: batch std of layer {DEPTH} / layer 1 at init: default "
              f"×{ratio[plain].pm(2)}, with BN ×{ratio[bn].pm(2)}, He ×{ratio[he].pm(2)}. Training loss averaged over "
              f"{STEPS} steps, each at its better rate of {', '.join(f'{lr:g}' for lr in LRS)}: "
              + ", ".join(f"{a} {loss[a].pm(3)} (lr {best[a]:g})" for a in ARMS)
              + f"; default − BN {vs_plain.pm(2)}, He − BN {vs_he.pm(2)}. Validation accuracy: "
              + ", ".join(f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + f" ({ctx.n_seeds}).",
              verdict=combine(["supported" if steady else "contradicted", sign_verdict(vs_plain)]),
              stats={"ratio_default": ratio[plain], "ratio_bn": ratio[bn], "default_minus_bn": vs_plain,
                     "he_minus_bn": vs_he})
    _figure(ctx, res, ratio, loss, best)
    ctx.conclude(f"With PyTorch's default init the signal fades ×{ratio[plain].pm(2)} "
                 f"from layer 1 to layer {DEPTH}; batch "
                 f"norm keeps ×{ratio[bn].pm(2)} (He init ×{ratio[he].pm(2)}). "
                 "Each at its better rate, the mean training "
                 f"loss over {STEPS} steps is {loss[plain].pm(3)} (default), {loss[bn].pm(3)} (batch norm), "
                 f"{loss[he].pm(3)} (He): batch norm beats the default init by {vs_plain.pm(2)} and He init by "
                 f"{vs_he.pm(2)}" + (" (spread covers zero)" if vs_he.covers(0) else "") + f" ({ctx.n_seeds}).")


def _figure(ctx, res, ratio, loss, best):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    colors = dict(zip(ARMS, ("tab:gray", "tab:blue", "tab:orange")))
    layers = np.arange(1, DEPTH + 1)
    for a in ARMS:
        v = np.array([r["std_init"] for r in res[a]])
        axes[0].errorbar(layers, v.mean(0), yerr=v.std(0, ddof=1) if len(v) > 1 else None, marker="o", ms=3,
                         capsize=2, color=colors[a], label=f"{a}: ×{ratio[a].pm(2)}")
        rr = np.array([r["loss"] for r in res[a]])
        axes[1].plot(np.arange(1, STEPS + 1), np.exp(np.log(rr).mean(0)), color=colors[a],
                     label=f"{a} (lr {best[a]:g})")
    axes[0].set(yscale="log", xlabel="hidden layer", ylabel="batch std of the ReLU outputs", xticks=layers,
                title="at initialisation")
    axes[0].legend(fontsize=7)
    axes[1].set(yscale="log", xlabel="step (batch 64)", ylabel="minibatch loss", title="training, each at "
                                                                                       "its better rate")
    axes[1].legend(fontsize=7)
    bars(axes[2], ["default", "batch norm", "He"], dict(zip(["default", "batch norm", "He"], loss.values())),
         colors=list(colors.values()), digits=3)
    axes[2].set(ylabel=f"training loss averaged over {STEPS} steps", title="mean ± s.d. (dots: seeds)")
    fig.suptitle(f"{DEPTH} hidden ReLU layers of {WIDTH} on digits, with and without batch norm ({ctx.n_seeds})")
    ctx.figure(fig, "batchnorm.png", "Left: how much each layer's output varies with the input at initialisation — it "
               "fades with PyTorch's default init, batch norm restores it at every layer. Middle and right: training "
               "loss, each arm at its better learning rate.")
