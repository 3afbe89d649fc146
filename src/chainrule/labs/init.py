"""Lab ``init``: weight initialisation — symmetry, and the variance of activations with depth.

A linear layer with zero-mean weights and inputs of variance v gives outputs of variance n·Var(w)·v
(n = fan_in). Over L layers the signal's variance is multiplied by ≈ (n·Var(w)·g)^L, where g is what the
activation keeps (g ≈ 1 for tanh near 0, g = 1/2 for ReLU, which zeroes half its inputs). So:

* small random, w = 0.03·N(0, 1): n·Var(w) = 0.0009·n ≈ 0.12 for n = 128 → the signal collapses;
* LeCun, Var(w) = 1/fan_in (n·Var(w) = 1) and Xavier/Glorot, Var(w) = 2/(fan_in + fan_out) (= 1 for a
  square layer): steady for tanh; they halve the variance per ReLU layer;
* He/Kaiming, Var(w) = 2/fan_in (n·Var(w) = 2): steady for ReLU;
* zeros (or any constant): every unit of a layer computes the same function, gets the same gradient
  and stays identical — the symmetry problem; with all zeros nothing but the last bias even moves.

The lab builds 10-layer tanh and ReLU networks (width 128, zero biases) on standardised digits under
each scheme, measures the activations and gradients per layer with ``doctor.layer_stats``, and trains
small networks from zero, constant and random weights to count the units that stay identical.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..data.datasets import digits_split
from ..doctor import layer_stats
from ..nn.mlp import build_mlp
from ._common import evaluate, fmt, train_epoch

SCHEMES = ("zeros", "small", "lecun", "xavier", "he")
LABELS = {"zeros": "zeros", "small": "small 0.03·N(0,1)", "lecun": "LeCun 1/n", "xavier": "Xavier 2/(n_in+n_out)",
          "he": "He 2/n"}
COLORS = {"zeros": "0.5", "small": "tab:red", "lecun": "tab:blue", "xavier": "tab:green", "he": "tab:purple"}


def init_(weight, scheme):
    """Initialise one weight matrix in place with ``scheme`` (nn.init's functions)."""
    from chainrule import nn

    if scheme == "zeros":
        nn.init.zeros_(weight)
    elif scheme == "small":
        nn.init.normal_(weight, 0.0, 0.03)
    elif scheme == "lecun":
        nn.init.lecun_normal_(weight)
    elif scheme == "xavier":
        nn.init.xavier_normal_(weight)
    elif scheme == "he":
        nn.init.kaiming_normal_(weight, nonlinearity="relu")
    else:
        raise ValueError(f"unknown init scheme {scheme!r}; choose one of {SCHEMES}")


def deep_net(act, scheme, depth=10, width=128, n_in=64, n_out=10):
    from chainrule import nn

    def init(lin):  # each layer as it is made: weights by the scheme, biases 0
        init_(lin.weight, scheme)
        nn.init.zeros_(lin.bias)

    return build_mlp([n_in] + [width] * depth + [n_out], act, init=init)


def standardised_digits():
    train, val, test = digits_split()
    mean, std = train.X.mean(0), train.X.std(0)
    std = np.where(std > 0, std, 1.0)
    return [((a.X - mean) / std).astype(np.float32) for a in (train, val, test)], (train.y, val.y, test.y)


def _symmetry(ctx, Xs, ys, epochs):
    """Train 64 → 16 tanh → 16 tanh → 10 from zero, constant and Xavier weights; count identical units."""
    from chainrule import nn, optim

    res, weights = {}, {}
    for i, start in enumerate(("zeros", "constant", "xavier")):
        rng = ctx.reseed(50 + i)
        model = build_mlp([64, 16, 16, 10], "tanh")
        for m in model:
            if isinstance(m, nn.Linear):
                if start == "constant":
                    nn.init.constant_(m.weight, 0.5 / m.in_features)
                    nn.init.constant_(m.bias, 0.0)
                else:
                    init_(m.weight, "zeros" if start == "zeros" else "xavier")
                    nn.init.zeros_(m.bias)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for _ in range(epochs):
            train_epoch(model, nn.CrossEntropyLoss(), opt, Xs[0], ys[0], 64, rng)
        stats = layer_stats(model, Xs[0][:512], ys[0][:512], nn.CrossEntropyLoss())
        _, acc = evaluate(model, nn.CrossEntropyLoss(), Xs[2], ys[2])
        res[start] = {"identical_units_after_training": [s.identical_units for s in stats[:2]],
                      "distinct_rows_layer1": int(len(np.unique(np.round(model[0].weight.numpy(), 6), axis=0))),
                      "test_acc": acc}
        weights[start] = model[0].weight.numpy().copy()
    return res, weights


def run(ctx):
    from chainrule import nn

    Xs, ys = standardised_digits()
    n = ctx.size(quick=256, fast=512, full=1024)
    x, y = Xs[0][:n], ys[0][:n]
    depth, width = 10, 128
    # ReLU: a first bin [0, 1e-9) holds the exact zeros, so that tiny positive values stay visible
    edges = {"tanh": np.linspace(-1, 1, 41), "relu": np.concatenate([[0.0, 1e-9], np.linspace(0.075, 3, 40)])}
    stats = {}
    for a, act_name in enumerate(("tanh", "relu")):
        for s, scheme in enumerate(SCHEMES):
            ctx.reseed(10 * a + s)
            model = deep_net(act_name, scheme, depth, width)
            stats[act_name, scheme] = layer_stats(model, x, y, nn.CrossEntropyLoss(), bins=edges[act_name])
    numbers = {}
    for (act_name, scheme), st in stats.items():
        hid = st[:depth]
        var = [h.act_std**2 for h in hid]
        numbers[f"{act_name}_{scheme}"] = {
            "n_var_w": [h.n_var_w for h in hid[1:]][0], "act_std": [h.act_std for h in hid],
            "act_var_ratio_last_first": var[-1] / var[0] if var[0] > 0 else None,
            "grad_rms": [h.grad_rms for h in st], "frac_saturated": [h.frac_saturated for h in hid],
            "frac_dead": [h.frac_dead for h in hid]}
    epochs = ctx.size(quick=2, fast=5, full=20)
    sym, sym_w = _symmetry(ctx, Xs, ys, epochs)
    he, small = numbers["relu_he"]["act_var_ratio_last_first"], numbers["relu_small"]["act_var_ratio_last_first"]
    xav = numbers["tanh_xavier"]["act_var_ratio_last_first"]
    ctx.record(depth=depth, width=width, batch=n, per_network=numbers, symmetry=sym,
               he_relu_var_ratio=he, small_relu_var_ratio=small, xavier_tanh_var_ratio=xav,
               he_keeps_relu_variance=bool(he is not None and 0.2 < he < 5),
               small_collapses=bool(small is not None and small < 1e-3),
               zero_init_units_identical=bool(sym["zeros"]["identical_units_after_training"] == [16, 16]))
    _figures(ctx, stats, numbers, sym, sym_w, depth, edges)
    ctx.conclude(
        f"Over {depth} layers of width {width}, the ReLU activations' variance changes by ×{fmt(he, 2)} under He "
        f"(n·Var(w) = {fmt(numbers['relu_he']['n_var_w'], 2)}) but by ×{fmt(small, 2)} under small random "
        f"0.03·N(0,1) (n·Var(w) = {fmt(numbers['relu_small']['n_var_w'], 2)}) and ×"
        f"{fmt(numbers['relu_xavier']['act_var_ratio_last_first'], 2)} under Xavier (halved per layer); for tanh, "
        f"Xavier keeps ×{fmt(xav, 2)}. Zero init: after {epochs} epochs all 16 + 16 hidden units are still identical "
        f"(identical units {sym['zeros']['identical_units_after_training']}, test accuracy "
        f"{sym['zeros']['test_acc']:.0%}); constant init too ({sym['constant']['identical_units_after_training']}, "
        f"{sym['constant']['distinct_rows_layer1']} distinct weight row, {sym['constant']['test_acc']:.0%}), "
        f"while Xavier's units are all distinct ({sym['xavier']['test_acc']:.0%}).")


def _figures(ctx, stats, numbers, sym, sym_w, depth, edges):
    layers = np.arange(1, depth + 1)
    fig, axes = plotting.subplots(2, 2, figsize=(11, 7), layout="constrained")
    for col, act_name in enumerate(("tanh", "relu")):
        for scheme in SCHEMES:
            num = numbers[f"{act_name}_{scheme}"]
            std = np.maximum(num["act_std"], 1e-30)
            g = np.maximum(num["grad_rms"][:depth], 1e-30)
            lab = f"{LABELS[scheme]}  (n·Var(w) = {num['n_var_w']:.2g})"
            axes[0, col].plot(layers, std, marker="o", ms=3, color=COLORS[scheme], label=lab)
            axes[1, col].plot(layers, g, marker="o", ms=3, color=COLORS[scheme], label=LABELS[scheme])
        axes[0, col].set(yscale="log", title=f"{act_name}: std of each layer's activations", xlabel="layer",
                         ylim=(1e-12, 10), xticks=layers)
        axes[1, col].set(yscale="log", title=f"{act_name}: RMS of ∂L/∂W per layer (first backward)",
                         xlabel="layer", ylim=(1e-14, 10), xticks=layers)
        axes[0, col].legend(fontsize=7, loc="lower left")
    axes[1, 0].text(1, 3e-14, "zeros: activations and gradients are exactly 0 (off the log scale)", fontsize=7)
    fig.suptitle("10 hidden layers of width 128 on standardised digits: how each initialisation carries the "
                 "signal forward and the gradient back")
    ctx.figure(fig, "variance_by_depth.png", "Activation std and weight-gradient RMS per layer for each scheme. "
               "Small random init collapses both; Xavier/LeCun keep tanh steady; He keeps ReLU steady.")

    fig, axes = plotting.subplots(2, 4, figsize=(13, 5.6), layout="constrained", sharey="row")
    shown = (1, 4, 7, 10)
    cmap = plotting.colormap("viridis")
    for r, act_name in enumerate(("tanh", "relu")):
        for c, scheme in enumerate(SCHEMES[1:]):
            ax = axes[r, c]
            e = edges[act_name]
            for k, layer in enumerate(shown):
                counts, _ = stats[act_name, scheme][layer - 1].hist
                frac = counts / max(counts.sum(), 1)
                if act_name == "relu":
                    frac = frac[1:]  # the ReLU spike at exactly 0 is left out (its share is in the title)
                ax.stairs(frac, e if act_name == "tanh" else e[1:], color=cmap(k / (len(shown) - 1)),
                          label=f"layer {layer}", lw=1.5)
            zero = numbers[f"{act_name}_{scheme}"]["frac_dead"]
            extra = f"\n(dead units: layer 1 {zero[0]:.0%}, layer 10 {zero[-1]:.0%})" if act_name == "relu" else ""
            ax.set(title=f"{act_name}, {LABELS[scheme]}{extra}", xlabel="activation value")
            if c == 0:
                ax.set_ylabel("fraction of values" + (" (> 0)" if act_name == "relu" else ""))
        axes[r, 0].legend()
    fig.suptitle("Activation distributions at layers 1, 4, 7, 10: collapsing to 0 (small), saturating at ±1, "
                 "or steady")
    ctx.figure(fig, "activation_histograms.png", "Histograms of the activations of layers 1, 4, 7 and 10 for each "
               "random scheme (zeros is all 0). A distribution that shrinks to a spike at 0 is a vanishing signal.")

    fig, axes = plotting.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    for ax, start in zip(axes, ("zeros", "constant", "xavier")):
        W = sym_w[start]
        lim = max(np.abs(W).max(), 1e-6)
        ax.imshow(W, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        s = sym[start]
        ax.set(title=f"{start} init → after training\n{s['distinct_rows_layer1']} distinct of 16 units, "
                     f"test acc {s['test_acc']:.0%}", xlabel="input pixel", ylabel="hidden unit")
        ax.grid(False)
        if not W.any():
            ax.text(W.shape[1] / 2, W.shape[0] / 2, "every weight is still exactly 0", ha="center", va="center")
    fig.suptitle("First hidden layer's weights after training (each row = one unit's incoming weights)")
    ctx.figure(fig, "symmetry.png", "Zero and constant initialisation: every hidden unit has the same weights "
               "after training (identical rows) — the symmetry is never broken. Random (Xavier) units differ.")
