"""Lab ``xor``: a linear classifier cannot represent XOR; a feature or a hidden layer can.

Logistic regression predicts ``σ(w·x + b)``: its decision boundary ``w·x + b = 0`` is a straight line.
AND and OR of two inputs are separable by a line; XOR (label = sign(x1·x2)) is not — any line leaves at
least one quadrant on the wrong side, so the best it can do is 3 of 4 quadrants. Two fixes:

* add the feature x1·x2: then ``w3·x1x2`` alone is the answer, still a linear model (in the new features);
* a hidden layer: ``Linear(2, h) → tanh → Linear(h, 1)`` learns its own features.

Data: TensorFlow Playground's XOR set (points in [−5.3, 5.3]², scaled by 1/5), train and test drawn
separately; the models are trained with Adam on the binary cross-entropy. Each seed draws new data and new
initial weights.
"""

from __future__ import annotations

import numpy as np

from ..nn.mlp import build_mlp
from ._common import draw_boundary, fit_full_batch, predict
from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat

N, STEPS, HIDDEN = 200, 150, 8
ARMS = ("logistic (x1, x2)", "logistic (x1, x2, x1·x2)", f"2-layer tanh ({HIDDEN} hidden)")


def _train(model, X, y, lr):
    from chainrule import nn, optim

    return fit_full_batch(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=lr),
                          X, y[:, None].astype(np.float32), STEPS)


def _acc(model, X, y):
    return float(((predict(model, X)[:, 0] > 0) == (y > 0.5)).mean())


def _corners(rng, n, gate):
    """Points around the four corners (±1, ±1) of the boolean square, labelled by ``gate``."""
    c = rng.integers(0, 2, size=(n, 2))
    X = (2 * c - 1 + rng.normal(0, 0.25, (n, 2))).astype(np.float32)
    y = {"AND": c[:, 0] & c[:, 1], "OR": c[:, 0] | c[:, 1], "XOR": c[:, 0] ^ c[:, 1]}[gate]
    return X, y.astype(np.float32)


def _with_product(X):
    return np.column_stack([X, X[:, 0] * X[:, 1]]).astype(np.float32)


def _scores(model, feats, lim):
    """The model's logit on a 61 × 61 grid over [−lim, lim]² (what draw_boundary shades)."""
    g = np.linspace(-lim, lim, 61, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    return predict(model, feats(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)))[:, 0].reshape(gx.shape)


@trial
def one_seed(config):
    """AND/OR/XOR with logistic regression and XOR with a hidden layer; the playground's XOR three ways."""
    from chainrule import nn
    from chainrule.data import toy

    rng = seeded(config)
    draw = config["seed"] == config["draw"]
    out, pics = {"gates": {}}, {}
    for gate in ("AND", "OR", "XOR"):
        X, y = _corners(rng, N, gate)
        model = nn.Linear(2, 1)
        _train(model, X, y, 0.05)
        out["gates"][gate] = _acc(model, X, y)
        if draw:
            pics[gate] = {"X": X, "y": y, "s": _scores(model, lambda a: a, 2.0)}
    xor_mlp = build_mlp([2, HIDDEN, 1], "tanh")
    _train(xor_mlp, X, y, 0.03)
    out["gates"]["XOR_hidden_layer"] = _acc(xor_mlp, X, y)
    if draw:
        pics["XOR_hidden_layer"] = {"X": X, "y": y, "s": _scores(xor_mlp, lambda a: a, 2.0)}

    Xtr, ytr = toy.xor(N, seed=rng)
    Xte, yte = toy.xor(N, seed=rng)
    Xtr, Xte = (Xtr / 5).astype(np.float32), (Xte / 5).astype(np.float32)
    ytr, yte = (ytr > 0).astype(np.float32), (yte > 0).astype(np.float32)
    makers = {ARMS[0]: (lambda: nn.Linear(2, 1), lambda a: a, 0.05),
              ARMS[1]: (lambda: nn.Linear(3, 1), _with_product, 0.05),
              ARMS[2]: (lambda: build_mlp([2, HIDDEN, 1], "tanh"), lambda a: a, 0.03)}
    out["playground"] = {}
    for label, (make, feats, lr) in makers.items():
        model = make()
        losses = _train(model, feats(Xtr), ytr, lr)
        out["playground"][label] = {"test_acc": _acc(model, feats(Xte), yte), "curve": losses}
        if draw:
            pics[label] = {"X": Xte, "y": yte, "s": _scores(model, feats, 1.1)}
    if draw:
        out["pictures"] = pics
    return out


def run(ctx):
    res = ctx.map(one_seed, [{"draw": ctx.seeds[0]}])[0]
    gates = {g: Stat.of([r["gates"][g] for r in res]) for g in ("AND", "OR", "XOR", "XOR_hidden_layer")}
    test = {a: Stat.of([r["playground"][a]["test_acc"] for r in res]) for a in ARMS}
    lin, prod, mlp = (test[a] for a in ARMS)
    ok = lin.hi < 0.8 and prod.lo > 0.9 and mlp.lo > 0.9
    ctx.record(n_train=N, steps=STEPS, seeds=ctx.seeds, gates_train_acc={k: v for k, v in gates.items()},
               playground_test_acc=test, linear_fails=bool(lin.hi < 0.8), feature_succeeds=bool(prod.lo > 0.9),
               hidden_succeeds=bool(mlp.lo > 0.9))
    ctx.claim("xor", textbook="No line separates XOR: a linear classifier gets at most 3 of the 4 quadrants right. "
              "With the feature x1·x2 the classes are linearly separable; a hidden layer learns such features.",
              measured="Logistic regression on noisy boolean corners (training accuracy): AND "
                       f"{gates['AND'].pm(pct=1)}, "
              f"OR {gates['OR'].pm(pct=1)}, XOR {gates['XOR'].pm(pct=1)}. Playground XOR, test accuracy: x1, x2 "
              f"{lin.pm(pct=1)}; with x1·x2 {prod.pm(pct=1)}; one hidden layer of {HIDDEN} tanh "
              f"{mlp.pm(pct=1)} ({ctx.n_seeds}).",
              verdict="supported" if ok else "partly supported", stats={"XOR_linear_test_acc": lin,
                                                                       "XOR_product_test_acc": prod,
                                                                       "XOR_hidden_test_acc": mlp})
    _figures(ctx, res[0]["pictures"], res, gates, test)
    ctx.conclude(f"Over {ctx.n_seeds}: logistic regression fits AND ({gates['AND'].pm(pct=1)}) and OR "
                 f"({gates['OR'].pm(pct=1)}) but not XOR ({gates['XOR'].pm(pct=1)}). On the playground's XOR a line "
                 f"reaches {lin.pm(pct=1)} test accuracy; adding x1·x2 gives "
                 f"{prod.pm(pct=1)} and a hidden layer {mlp.pm(pct=1)}.")


def _figures(ctx, pics, res, gates, test):
    fig, axes = panels(2, 4, (13, 7.2), left=0.04, right=0.99, bottom=0.07, top=0.87, wspace=0.25, hspace=0.45)
    for ax, key in zip(axes[0], ("AND", "OR", "XOR", "XOR_hidden_layer")):
        p = pics[key]
        title = (f"XOR: one hidden layer ({HIDDEN} tanh)" if key == "XOR_hidden_layer"
                 else f"{key}: logistic regression")
        draw_boundary(ax, np.asarray(p["s"]), np.asarray(p["X"]), np.asarray(p["y"]), 2.0,
                      f"{title}\ntrain acc {gates[key].pm(pct=1)}")
    for ax, key in zip(axes[1], ARMS):
        p = pics[key]
        draw_boundary(ax, np.asarray(p["s"]), np.asarray(p["X"]), np.asarray(p["y"]), 1.1,
                      f"playground XOR: {key}\ntest acc {test[key].pm(pct=1)}")
    ax = axes[1, 3]
    for key, color in zip(ARMS, ("tab:red", "tab:blue", "tab:green")):
        for i, r in enumerate(res):
            ax.plot(r["playground"][key]["curve"], color=color, alpha=0.7, lw=1,
                    label=key if i == 0 else None)
    ax.set(title=f"training loss (BCE), {len(res)} seeds", xlabel="Adam step", ylim=(0, 0.8))
    ax.legend(fontsize=7)
    fig.suptitle("A line separates AND and OR, not XOR; x1·x2 or a hidden layer does (boundaries: the first seed; "
                 "accuracies: mean ± s.d. over seeds)")
    ctx.figure(fig, "xor.png", "Top: AND, OR and XOR of noisy boolean inputs — logistic regression's straight "
               "boundary fits AND and OR, not XOR; a hidden layer bends it. Bottom: the playground's XOR with x1, x2 "
               "(a line: fails), with x1·x2 (succeeds), with a hidden layer "
               "(succeeds), and every seed's training loss.")
