"""Lab ``batchnorm``: a deep network with and without batch normalisation.

Batch norm standardises each pre-activation over the batch and then rescales it with learned γ, β:

    ĥ = (h − mean_batch(h)) / √(var_batch(h) + ε),     BN(h) = γ ĥ + β

so whatever the weights before it do, the next nonlinearity sees inputs of a controlled mean and scale —
the signal can neither collapse nor blow up with depth, and a larger learning rate is safe. The lab trains
the same 8-hidden-layer ReLU MLP (width 64) on digits three ways — PyTorch's default init (n·Var(w) = 1/3:
the signal shrinks layer by layer), the same with ``BatchNorm1d`` before every ReLU, and without batch norm
but with He init (n·Var(w) = 2) — same batches, SGD with momentum, and follows the per-layer statistics
with ``doctor.layer_stats``.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..data.datasets import digits_split
from ..doctor import layer_stats
from ..nn.mlp import build_mlp
from ._common import evaluate, first_reaching, train_epoch

DEPTH, WIDTH, LR = 8, 64, 0.01
ARMS = ("default init", "default init + batch norm", "He init, no batch norm")


def _model(arm):
    from chainrule import nn

    model = build_mlp([64] + [WIDTH] * DEPTH + [10], "relu", batchnorm="batch norm" in arm)
    if arm.startswith("He"):
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return model


def run(ctx):
    from chainrule import nn, optim

    train, val, _ = digits_split()
    probe, probe_y = train.X[:512], train.y[:512]
    epochs = ctx.size(quick=3, fast=10, full=40)
    res = {}
    for arm in ARMS:
        rng = ctx.reseed(3)
        model = _model(arm)
        opt = optim.SGD(model.parameters(), lr=LR, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        st0 = layer_stats(model, probe, probe_y, loss_fn)
        losses, accs = [], []
        for _ in range(epochs):
            losses.append(train_epoch(model, loss_fn, opt, train.X, train.y, 32, rng))
            accs.append(evaluate(model, loss_fn, val.X, val.y)[1])
        st1 = layer_stats(model, probe, probe_y, loss_fn)
        res[arm] = {"train_loss": losses, "val_acc": accs, "final_val_acc": accs[-1],
                    "epochs_to_loss_0.5": first_reaching(losses, 0.5),
                    "act_std_init": [s.batch_std for s in st0[:DEPTH]],
                    "act_std_end": [s.batch_std for s in st1[:DEPTH]],
                    "grad_rms_init": [s.grad_rms for s in st0], "grad_rms_end": [s.grad_rms for s in st1],
                    "frac_dead_end": [s.frac_dead for s in st1[:DEPTH]]}
    plain, bn, he = (res[a] for a in ARMS)
    ctx.record(depth=DEPTH, width=WIDTH, lr=LR, epochs=epochs, arms=res,
               bn_trains_faster=bool(bn["train_loss"][-1] < plain["train_loss"][-1]),
               signal_ratio_init={a: r["act_std_init"][-1] / r["act_std_init"][0] for a, r in res.items()})
    _figures(ctx, res, epochs)
    ratio = {a: r["act_std_init"][-1] / r["act_std_init"][0] for a, r in res.items()}
    ctx.conclude(
        f"{DEPTH} hidden ReLU layers, SGD + momentum lr {LR}, {epochs} epochs. Default init: the activations' "
        f"batch std (how much a unit's output varies with the input) shrinks ×{ratio[ARMS[0]]:.2g} from layer 1 "
        f"to layer {DEPTH} at the start, the training loss ends at "
        f"{plain['train_loss'][-1]:.3g} and validation accuracy at {plain['final_val_acc']:.0%}. With batch norm "
        f"the std stays ×{ratio[ARMS[1]]:.2g}, the loss ends at {bn['train_loss'][-1]:.3g} and accuracy at "
        f"{bn['final_val_acc']:.0%} (loss < 0.5 after {bn['epochs_to_loss_0.5'] or '>' + str(epochs)} epochs). "
        f"He init without batch norm (std ×{ratio[ARMS[2]]:.2g}): loss {he['train_loss'][-1]:.3g}, accuracy "
        f"{he['final_val_acc']:.0%} (loss < 0.5 after {he['epochs_to_loss_0.5'] or '>' + str(epochs)} epochs).")


def _figures(ctx, res, epochs):
    colors = dict(zip(ARMS, ("tab:gray", "tab:blue", "tab:orange")))
    ep = np.arange(1, epochs + 1)
    fig, axes = plotting.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    for arm in ARMS:
        axes[0].plot(ep, res[arm]["train_loss"], marker="o", ms=3, color=colors[arm], label=arm)
        axes[1].plot(ep, res[arm]["val_acc"], marker="o", ms=3, color=colors[arm], label=arm)
    axes[0].set(yscale="log", xlabel="epoch", title="mean training loss")
    axes[1].set(xlabel="epoch", title="validation accuracy", ylim=(0, 1.02))
    axes[0].legend()
    fig.suptitle(f"{DEPTH} hidden ReLU layers of width {WIDTH} on digits: with and without batch norm")
    ctx.figure(fig, "training.png", "Training loss and validation accuracy: with PyTorch's default init the deep "
               "plain network barely moves; batch norm (or He init) lets it train.")

    layers = np.arange(1, DEPTH + 1)
    fig, axes = plotting.subplots(1, 2, figsize=(12, 3.9), layout="constrained")
    for arm in ARMS:
        r = res[arm]
        axes[0].plot(layers, r["act_std_init"], ls="--", marker="o", ms=3, color=colors[arm], label=f"{arm}, start")
        axes[0].plot(layers, r["act_std_end"], marker="o", ms=3, color=colors[arm], label=f"{arm}, end")
        every = np.arange(1, DEPTH + 2)
        axes[1].plot(every, r["grad_rms_init"], ls="--", marker="o", ms=3, color=colors[arm], label=f"{arm}, start")
        axes[1].plot(every, r["grad_rms_end"], marker="o", ms=3, color=colors[arm], label=f"{arm}, end")
    axes[0].set(yscale="log", xlabel="layer", title="ReLU outputs: std over the batch (per unit, averaged)",
                xticks=layers)
    axes[1].set(yscale="log", xlabel=f"layer ({DEPTH + 1} = output)", title="RMS of ∂L/∂W per layer",
                xticks=np.arange(1, DEPTH + 2))
    axes[0].legend(fontsize=7)
    fig.suptitle("Per-layer statistics on 512 training digits (doctor.layer_stats), before and after training")
    ctx.figure(fig, "layer_statistics.png", "Left: how much each layer's output varies with the input, at the "
               "start (dashed) and the end (solid): with the default init the signal fades layer by layer, batch "
               "norm restores it at every layer. Right: the weight gradients — vanishing towards the input "
               "without batch norm.")
