"""Lab ``xor``: a linear classifier cannot represent XOR; a feature or a hidden layer can.

Logistic regression predicts ``σ(w·x + b)``: its decision boundary ``w·x + b = 0`` is a straight line.
AND and OR of two inputs are separable by a line; XOR (label = sign(x1·x2)) is not — any line leaves at
least one quadrant on the wrong side, so the best it can do is 3 of 4 quadrants. Two fixes:

* add the feature x1·x2: then ``w3·x1x2`` alone is the answer, still a linear model (in the new features);
* a hidden layer: ``Linear(2, h) → tanh → Linear(h, 1)`` learns its own features.

Data: TensorFlow Playground's XOR set (points in [−5.3, 5.3]², scaled by 1/5), train and test drawn
separately; the models are trained with Adam on the binary cross-entropy.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..nn.mlp import build_mlp
from ._common import draw_boundary, fit_full_batch, fmt, predict


def _train(ctx, model, X, y, steps, lr, offset):
    from chainrule import nn, optim

    losses = fit_full_batch(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=lr),
                            X, y[:, None].astype(np.float32), steps)
    return losses


def _acc(model, X, y):
    return float(((predict(model, X)[:, 0] > 0) == (y > 0.5)).mean())


def _corners(rng, n, gate):
    """Points around the four corners (±1, ±1) of the boolean square, labelled by ``gate``."""
    c = rng.integers(0, 2, size=(n, 2))
    X = (2 * c - 1 + rng.normal(0, 0.25, (n, 2))).astype(np.float32)
    y = {"AND": c[:, 0] & c[:, 1], "OR": c[:, 0] | c[:, 1], "XOR": c[:, 0] ^ c[:, 1]}[gate]
    return X, y.astype(np.float32)


def run(ctx):
    from chainrule import nn
    from chainrule.data import toy

    rng = ctx.reseed()
    n = ctx.size(quick=200, fast=400, full=1000)
    steps = ctx.size(quick=300, fast=500, full=2000)
    hidden = 8

    # 1. AND / OR / XOR on the boolean square: a line separates the first two only
    gates = {}
    gate_models = {}
    for i, gate in enumerate(("AND", "OR", "XOR")):
        X, y = _corners(rng, n, gate)
        ctx.reseed(10 + i)
        model = nn.Linear(2, 1)
        _train(ctx, model, X, y, steps, 0.05, 10 + i)
        gates[gate] = _acc(model, X, y)
        gate_models[gate] = (model, X, y)
    Xg, yg = gate_models["XOR"][1:]
    ctx.reseed(20)
    xor_mlp = build_mlp([2, hidden, 1], "tanh")
    _train(ctx, xor_mlp, Xg, yg, steps, 0.03, 20)
    gates["XOR_hidden_layer"] = _acc(xor_mlp, Xg, yg)

    # 2. the playground's XOR: three models
    Xtr, ytr = toy.xor(n, seed=rng)
    Xte, yte = toy.xor(n, seed=rng)
    Xtr, Xte = (Xtr / 5).astype(np.float32), (Xte / 5).astype(np.float32)
    ytr, yte = (ytr > 0).astype(np.float32), (yte > 0).astype(np.float32)

    def with_product(X):
        return np.column_stack([X, X[:, 0] * X[:, 1]]).astype(np.float32)

    arms = {
        "logistic (x1, x2)": (lambda: nn.Linear(2, 1), lambda X: X, 0.05),
        "logistic (x1, x2, x1·x2)": (lambda: nn.Linear(3, 1), with_product, 0.05),
        f"2-layer tanh ({hidden} hidden)": (
            lambda: build_mlp([2, hidden, 1], "tanh"), lambda X: X, 0.03),
    }
    results, models, curves = {}, {}, {}
    for i, (label, (make, feats, lr)) in enumerate(arms.items()):
        ctx.reseed(30 + i)
        model = make()
        curves[label] = _train(ctx, model, feats(Xtr), ytr, steps, lr, 30 + i)
        results[label] = {"train_acc": _acc(model, feats(Xtr), ytr), "test_acc": _acc(model, feats(Xte), yte),
                          "final_loss": curves[label][-1]}
        models[label] = (model, feats)
    keys = list(arms)
    lin, prod, mlp = (results[k]["test_acc"] for k in keys)
    ctx.record(n_train=n, steps=steps, gates_train_acc=gates, playground_xor=results,
               linear_fails=bool(lin < 0.8), feature_succeeds=bool(prod > 0.95), hidden_succeeds=bool(mlp > 0.95))

    fig, axes = plotting.subplots(1, 4, figsize=(13, 3.6), layout="constrained")
    for ax, gate in zip(axes, ("AND", "OR", "XOR")):
        model, X, y = gate_models[gate]
        draw_boundary(ax, lambda G, m=model: predict(m, G)[:, 0], X, y, 2.0,
                      f"{gate}: logistic regression\naccuracy {gates[gate]:.0%}")
    draw_boundary(axes[3], lambda G: predict(xor_mlp, G)[:, 0], Xg, yg, 2.0,
                  f"XOR: one hidden layer ({hidden} tanh)\naccuracy {gates['XOR_hidden_layer']:.0%}")
    fig.suptitle("A line separates AND and OR, not XOR (red = 1, blue = 0; black line = decision boundary)")
    ctx.figure(fig, "gates.png", "AND, OR and XOR of two noisy boolean inputs: logistic regression's straight "
               "boundary fits AND and OR but not XOR; a hidden layer bends it.")

    fig, axes = plotting.subplots(1, 4, figsize=(13, 3.6), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1, 1, 1.15]})
    for ax, label in zip(axes, keys):
        model, feats = models[label]
        draw_boundary(ax, lambda G, m=model, f=feats: predict(m, f(G))[:, 0], Xte, yte, 1.1,
                      f"{label}\ntest accuracy {results[label]['test_acc']:.0%}")
    for label in keys:
        axes[3].plot(curves[label], label=label)
    axes[3].set(title="training loss (BCE)", xlabel="Adam step", yscale="log")
    axes[3].legend()
    fig.suptitle("TensorFlow Playground's XOR (test points shown)")
    ctx.figure(fig, "xor_models.png", "XOR with x1, x2 only (a line: fails), with the extra feature x1·x2 "
               "(succeeds), and with a hidden layer on x1, x2 (succeeds); right: their training losses.")

    ctx.conclude(
        f"Logistic regression fits AND ({gates['AND']:.0%}) and OR ({gates['OR']:.0%}) but not XOR "
        f"({gates['XOR']:.0%}). On the playground's XOR it reaches only {lin:.0%} test accuracy with x1, x2; "
        f"adding x1·x2 gives {prod:.0%}, and a hidden layer of {hidden} tanh units on x1, x2 alone gives "
        f"{mlp:.0%} (final training losses {fmt(results[keys[0]]['final_loss'])}, "
        f"{fmt(results[keys[1]]['final_loss'])}, {fmt(results[keys[2]]['final_loss'])}).")
