"""Lab ``sigmoid-zero-init``: the slide's example of a sigmoid network whose weights all start at zero.

With W1 = 0, W2 = 0 and zero biases every hidden unit outputs σ(0) = 1/2. On the first backward pass
∂L/∂W2 = δ₂·(1/2, …, 1/2)ᵀ ≠ 0 — the output layer learns, unlike a tanh network, whose hidden outputs
tanh(0) = 0 give ∂L/∂W2 = 0 — but δ₁ = σ'·W2ᵀδ₂ = 0, so W1 gets no gradient at first. From then on every
column of W2 is the same, so every hidden unit receives the same δ and the same update: the hidden units
stay copies of one another — in exact arithmetic. The network is then a network with a single hidden unit
(whose output is copied 16 times). In floating point the copies are computed by different BLAS lanes and
can differ in the last bit; if the symmetric state is unstable, training amplifies that difference. Measured
per seed on digits (64 → 16 sigmoid → 10): the first gradient, how far apart the hidden units drift during
training in float32 and in float64, the distinct units at the end, and test accuracy against a random start
and against a network with one hidden unit.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate_accuracy, train_tracked
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired
from .init import distinct_rows

ARMS = ("sigmoid, zeros", "sigmoid, zeros, float64", "sigmoid, 1 hidden unit", "sigmoid, Xavier")
HIDDEN, STEPS, LR, EVERY = 16, 200, 0.5, 10


def _model(arm):
    from chainrule import nn

    act = arm.split(",")[0]
    model = build_mlp([64, 1 if "1 hidden" in arm else HIDDEN, 10], act)
    for m in model:
        if isinstance(m, nn.Linear):
            if "zeros" in arm:
                nn.init.zeros_(m.weight)
            else:
                nn.init.xavier_normal_(m.weight)
            nn.init.zeros_(m.bias)
    return model


@trial
def one_run(config):
    """One arm: the first gradient of each layer, then training; distinct hidden units and test accuracy."""
    from chainrule import nn, optim

    train, _, test = digits_split()
    rng = seeded(config)
    model = _model(config["arm"])
    X, Xt = train.X, test.X
    if "float64" in config["arm"]:
        model, X, Xt = model.double(), X.astype(np.float64), Xt.astype(np.float64)
    lin = [m for m in model if isinstance(m, nn.Linear)]
    nn.CrossEntropyLoss()(model(cr.from_numpy(X)), cr.from_numpy(train.y)).backward()
    first = [float(np.linalg.norm(m.weight.grad.numpy())) for m in lin]
    model.zero_grad()
    spread = []

    def track(step):  # how far the hidden units' weight rows are from the first unit's, relative to the weights
        if step % EVERY == 0:
            W = lin[0].weight.numpy()
            spread.append(float(np.abs(W - W[0]).max() / max(np.abs(W).max(), 1e-30)))

    tr = train_tracked(model, optim.SGD(model.parameters(), lr=LR, momentum=0.9), X, train.y, STEPS, 64, rng,
                       every=0, on_step=track)
    out = {"first_grad_W1": first[0], "first_grad_W2": first[1], "distinct_units": distinct_rows(lin[0].weight.numpy()),
           "test_acc": evaluate_accuracy(model, Xt, test.y), "loss": tr["loss"], "spread": spread}
    if config["arm"] == ARMS[0]:  # the tanh twin's first gradient: tanh(0) = 0, so W2 gets none either
        twin = _model("tanh, zeros")
        nn.CrossEntropyLoss()(twin(cr.from_numpy(X)), cr.from_numpy(train.y)).backward()
        out["tanh_first_grad_W2"] = float(np.linalg.norm(twin[2].weight.grad.numpy()))
    return out


def run(ctx):
    res = dict(zip(ARMS, ctx.map(one_run, [{"arm": a} for a in ARMS])))
    st = {(a, k): Stat.of([r[k] for r in res[a]]) for a in ARMS
          for k in ("first_grad_W1", "first_grad_W2", "distinct_units", "test_acc")}
    acc = {a: st[a, "test_acc"] for a in ARMS}
    z, z64, one, xav = ARMS
    like_one = paired([r["test_acc"] for r in res[z64]], [r["test_acc"] for r in res[one]])
    vs_random = paired([r["test_acc"] for r in res[xav]], [r["test_acc"] for r in res[z]])
    drift = {a: Stat.of([r["spread"][-1] for r in res[a]]) for a in (z, z64)}
    tanh_w2 = Stat.of([r["tanh_first_grad_W2"] for r in res[z]])
    ctx.record(hidden=HIDDEN, steps=STEPS, lr=LR, seeds=ctx.seeds,
               results={a: {k: st[a, k] for k in ("first_grad_W1", "first_grad_W2", "distinct_units", "test_acc")}
                        for a in ARMS}, unit_spread_at_end=drift, tanh_first_grad_W2=tanh_w2,
               zeros64_minus_one_unit_acc=like_one, xavier_minus_zeros_acc=vs_random)
    first_ok = max(st[z, "first_grad_W1"].finite) == 0 and st[z, "first_grad_W2"].lo > 0
    exact = st[z64, "distinct_units"].hi <= 1
    ctx.claim("sigmoid-zero-init", textbook="σ(0) = 1/2: the output layer gets a gradient at once, the hidden layer "
              "none at first and then the same one for every unit — in exact arithmetic the hidden units never "
              "differ, so the network is one hidden unit copied.",
              measured=f"First backward pass from zeros: ‖∂L/∂W1‖ = {st[z, 'first_grad_W1'].pm(2)}, ‖∂L/∂W2‖ = "
              f"{st[z, 'first_grad_W2'].pm(2)} (a tanh network from zeros: ‖∂L/∂W2‖ = {tanh_w2.pm(2)}). After {STEPS} "
              f"steps the hidden units' rows differ by {drift[z64].pm(2)} of the weights in float64 "
              f"({st[z64, 'distinct_units'].pm(2)} distinct of {HIDDEN}) but by {drift[z].pm(2)} in float32 "
              f"({st[z, 'distinct_units'].pm(2)} distinct): round-off splits them. Test accuracy: zeros float32 "
              f"{acc[z].pm(pct=1)}, float64 {acc[z64].pm(pct=1)}, one hidden unit {acc[one].pm(pct=1)}, Xavier "
              f"{acc[xav].pm(pct=1)} ({ctx.n_seeds}).",
              verdict="supported" if first_ok and exact and st[z, "distinct_units"].hi <= 1 else
              "partly supported" if first_ok and exact else "contradicted",
              stats={"spread_float32": drift[z], "spread_float64": drift[z64], "xavier_minus_zeros": vs_random,
                     "zeros64_minus_one_unit": like_one})
    _figure(ctx, res, st, acc)
    ctx.conclude(f"From all-zero weights the sigmoid network's hidden layer gets no gradient on the first step "
                 f"(‖∂L/∂W1‖ = {st[z, 'first_grad_W1'].mean:g}) while the output layer does "
                 f"({st[z, 'first_grad_W2'].pm(2)}: "
                 f"σ(0) = 1/2). In float64 the {HIDDEN} hidden units stay copies "
                 f"({st[z64, 'distinct_units'].pm(2)} distinct "
                 f"after {STEPS} steps); in float32 last-bit differences grow until the units split "
                 f"({st[z, 'distinct_units'].pm(2)} distinct, rows apart by "
                 f"{drift[z].pm(2)} of the weights). Either way "
                 f"the network stays far below a random start: {acc[z].pm(pct=1)} (float32), {acc[z64].pm(pct=1)} "
                 f"(float64) against {acc[xav].pm(pct=1)} (Xavier); one hidden unit: {acc[one].pm(pct=1)}.")


def _figure(ctx, res, st, acc):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.2, top=0.8, wspace=0.3)
    colors = ["tab:purple", "tab:cyan", "tab:gray", "tab:blue"]
    bars(axes[0], list(ARMS), acc, pct=True, colors=colors)
    axes[0].set(ylabel="test accuracy (%)", title=f"after {STEPS} SGD steps", ylim=(0, 105))
    axes[0].tick_params(axis="x", labelrotation=15)
    bars(axes[1], list(ARMS), {a: st[a, "distinct_units"] for a in ARMS}, colors=colors)
    axes[1].set(ylabel="distinct hidden units", title="distinct hidden units after training")
    axes[1].tick_params(axis="x", labelrotation=15)
    for a, color in zip(ARMS[:2], colors):
        for k, r in enumerate(res[a]):
            axes[2].plot((np.arange(len(r["spread"])) + 1) * EVERY, np.maximum(r["spread"], 1e-18), color=color,
                         label=a if k == 0 else None)
    axes[2].set(yscale="log", xlabel="SGD step", ylabel="max |row − first row| / max |W|",
                title="how far the hidden units drift apart (every seed)")
    axes[2].legend(fontsize=7)
    fig.suptitle(f"64 → {HIDDEN} sigmoid → 10 on digits from all-zero weights: in exact arithmetic one hidden unit, "
                 f"copied; in float32 round-off splits the copies (mean ± s.d. over {ctx.n_seeds})")
    ctx.figure(fig, "zero_init.png", "Test accuracy and distinct hidden units after training from zeros (float32 "
               "and float64), with a single hidden unit, and from Xavier; right: the hidden units' weight rows drift "
               "apart from round-off in float32 (the zero-gradient start shows as 0, drawn at 1e-18).")
