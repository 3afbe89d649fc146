"""Lab ``saturation``: large initial weights push sigmoid/tanh units onto their flat tails.

A unit's pre-activation h = Σᵢ wᵢxᵢ has standard deviation ≈ √n·std(w) for standardised inputs: with
std(w) = 1 and n = 64 inputs that is 8, far out on the tails where σ'(h) = σ(h)(1 − σ(h)) and
tanh'(h) = 1 − tanh²(h) are ≈ 0. A saturated unit passes back almost no gradient — δ = f'(h)·(Wᵀδ_next) —
so the weights before it barely learn. The lab sweeps the weight scale of 5-layer sigmoid and tanh
networks (width 64, standardised digits), measures with ``doctor.layer_stats`` the fraction of saturated
outputs (σ outside [0.01, 0.99], |tanh| > 0.99) and the gradient per layer, then trains with a moderate
and a large scale to show the cost.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..doctor import layer_stats
from ..nn.mlp import build_mlp
from ._common import evaluate, fmt, train_epoch
from .init import standardised_digits

STDS = (0.05, 0.125, 0.5, 1.0, 3.0, 10.0)  # 0.125 = 1/√64: LeCun for the 64-wide layers
TRAINED = (0.125, 0.5, 3.0)


def net(act, std, depth=5, width=64):
    from chainrule import nn

    def init(lin):  # each layer as it is made: W ~ N(0, std²), biases 0
        nn.init.normal_(lin.weight, 0.0, std)
        nn.init.zeros_(lin.bias)

    return build_mlp([64] + [width] * depth + [10], act, init=init)


def run(ctx):
    from chainrule import nn, optim

    Xs, ys = standardised_digits()
    n = ctx.size(quick=256, fast=512, full=1024)
    x, y = Xs[0][:n], ys[0][:n]
    depth = 5
    acts = ("sigmoid", "tanh")  # nn.activation_registry names
    edges = {"sigmoid": np.linspace(0, 1, 41), "tanh": np.linspace(-1, 1, 41)}
    res, hists = {}, {}
    for a, name in enumerate(acts):
        for s, std in enumerate(STDS):
            ctx.reseed(10 * a + s)
            st = layer_stats(net(name, std, depth), x, y, nn.CrossEntropyLoss(), bins=edges[name])
            res[name, std] = {"frac_saturated": [t.frac_saturated for t in st[:depth]],
                              "mean_slope": [t.mean_slope for t in st[:depth]],
                              "grad_rms": [t.grad_rms for t in st], "pre_std": [t.pre_std for t in st[:depth]]}
            hists[name, std] = st[2].hist[0]
    # the cost in training: three weight scales per activation, same batches
    epochs = ctx.size(quick=2, fast=6, full=30)
    curves = {}
    for a, name in enumerate(acts):
        for std in TRAINED:
            rng = ctx.reseed(100 + a)
            model = net(name, std, depth)
            opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            losses = [evaluate(model, nn.CrossEntropyLoss(), Xs[0], ys[0])[0]]
            for _ in range(epochs):
                losses.append(train_epoch(model, nn.CrossEntropyLoss(), opt, Xs[0], ys[0], 64, rng))
            curves[name, std] = {"train_loss": losses, "val_acc": evaluate(model, nn.CrossEntropyLoss(),
                                                                           Xs[1], ys[1])[1]}
    sat = {f"{k[0]}_std{k[1]:g}": v for k, v in res.items()}
    mean_sat = {f"{k[0]}_std{k[1]:g}": float(np.mean(v["frac_saturated"])) for k, v in res.items()}
    first_grad = {f"{k[0]}_std{k[1]:g}": v["grad_rms"][0] for k, v in res.items()}
    ctx.record(depth=depth, width=64, batch=n, stds=list(STDS), per_network=sat, mean_frac_saturated=mean_sat,
               first_layer_grad_rms=first_grad,
               training={f"{k[0]}_std{k[1]:g}": v for k, v in curves.items()}, epochs=epochs,
               large_weights_saturate=bool(mean_sat["sigmoid_std10"] > 0.8 and mean_sat["tanh_std10"] > 0.8),
               lecun_not_saturated=bool(mean_sat["sigmoid_std0.125"] < 0.05 and mean_sat["tanh_std0.125"] < 0.05))
    _figures(ctx, res, hists, curves, edges, depth)
    slope = {f"{k[0]}_std{k[1]:g}": float(np.mean(v["mean_slope"])) for k, v in res.items()}
    ctx.record(mean_slope=slope)
    acc = {k: v["val_acc"] for k, v in curves.items()}
    ctx.conclude(
        f"Saturated outputs (mean over 5 layers) grow with the weight scale: {mean_sat['sigmoid_std0.125']:.0%} "
        f"(sigmoid) and {mean_sat['tanh_std0.125']:.0%} (tanh) at std(w) = 1/√64 (LeCun), "
        f"{mean_sat['sigmoid_std1']:.0%} / {mean_sat['tanh_std1']:.0%} at 1, {mean_sat['sigmoid_std10']:.0%} / "
        f"{mean_sat['tanh_std10']:.0%} at 10; the mean slope f'(h) that gates δ falls from "
        f"{fmt(slope['sigmoid_std0.125'], 2)} to {fmt(slope['sigmoid_std10'], 2)} (sigmoid) and from "
        f"{fmt(slope['tanh_std0.125'], 2)} to {fmt(slope['tanh_std10'], 2)} (tanh). The layer's gradient norm does "
        f"not shrink with it — the large weights amplify what gets through (tanh first-layer gradient RMS "
        f"{fmt(first_grad['tanh_std0.125'], 2)} → {fmt(first_grad['tanh_std10'], 2)}), so it is carried by few "
        f"units. In training ({epochs} epochs, SGD + momentum) tanh reaches {acc['tanh', 0.125]:.0%} / "
        f"{acc['tanh', 0.5]:.0%} / {acc['tanh', 3.0]:.0%} validation accuracy at std 0.125 / 0.5 / 3, sigmoid "
        f"{acc['sigmoid', 0.125]:.0%} / {acc['sigmoid', 0.5]:.0%} / {acc['sigmoid', 3.0]:.0%} (sigmoid also "
        f"suffers from too-small weights: σ' ≤ 1/4 shrinks δ at every layer).")


def _figures(ctx, res, hists, curves, edges, depth):
    cmap = plotting.colormap("plasma")
    colors = {std: cmap(i / (len(STDS) - 0.5)) for i, std in enumerate(STDS)}
    layers = np.arange(1, depth + 1)
    fig, axes = plotting.subplots(2, 4, figsize=(16, 7), layout="constrained")
    for r, name in enumerate(("sigmoid", "tanh")):
        for std in STDS:
            v = res[name, std]
            lab = f"std(w) = {std:g}" + (" (LeCun)" if std == 0.125 else "")
            axes[r, 0].plot(layers, v["frac_saturated"], marker="o", ms=3, color=colors[std], label=lab)
            axes[r, 1].plot(layers, v["mean_slope"], marker="o", ms=3, color=colors[std], label=lab)
            axes[r, 2].plot(np.arange(1, depth + 2), np.maximum(v["grad_rms"], 1e-30), marker="o", ms=3,
                            color=colors[std], label=lab)
        axes[r, 0].set(title=f"{name}: fraction of saturated outputs", xlabel="layer", ylim=(-0.03, 1.03),
                       xticks=layers)
        axes[r, 1].set(title=f"{name}: mean slope f'(h) (gates δ)", xlabel="layer", xticks=layers,
                       ylim=(0, 0.26 if name == "sigmoid" else 1.03))
        axes[r, 2].set(title=f"{name}: RMS of ∂L/∂W per layer", xlabel=f"layer ({depth + 1} = output)",
                       yscale="log", xticks=np.arange(1, depth + 2))
        ax = axes[r, 3]
        e = edges[name]
        for std in (0.125, 1.0, 10.0):
            c = hists[name, std]
            ax.stairs(c / c.sum(), e, color=colors[std], lw=1.5, label=f"std(w) = {std:g}")
        ax.set(title=f"{name}: layer-3 activations", xlabel="activation value", ylabel="fraction", yscale="log")
        ax.legend(fontsize=7)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(STDS))
    fig.suptitle("5 hidden layers (width 64) on standardised digits: larger weights → saturated units → "
                 "flat slopes")
    ctx.figure(fig, "saturation.png", "Per layer, for each weight scale: the fraction of saturated outputs, the "
               "mean slope f'(h) that multiplies δ on the way back, and the weight-gradient RMS (which large "
               "weights keep up: the few unsaturated units carry it). Right: layer-3 activations pile onto the "
               "flat ends.")

    fig, axes = plotting.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    for ax, name in zip(axes, ("sigmoid", "tanh")):
        for std, ls in zip(TRAINED, ("-", "--", ":")):
            c = curves[name, std]
            ax.plot(c["train_loss"], ls=ls, marker="o", ms=3,
                    label=f"std(w) = {std:g}: val acc {c['val_acc']:.0%}")
        ax.set(title=f"{name}: training loss", xlabel="epoch (0 = before training)", yscale="log")
        ax.legend()
    fig.suptitle("The cost in training (same data, same batches)")
    ctx.figure(fig, "saturation_training.png", "Training from three weight scales: large weights (saturated) "
               "start from a large loss and learn slowly; for sigmoid, too-small weights stall as well.")
