"""Lab ``activation-depth``: sigmoid, tanh and ReLU networks from 1 to 8 hidden layers.

Backprop multiplies the error signal by f'(h) at every layer (δₖ = f'(hₖ) ⊙ Wₖ₊₁ᵀ δₖ₊₁). σ' ≤ 1/4, so with
sigmoid the gradient reaching the first layers shrinks geometrically with depth unless the weights make up
for it; tanh' ≤ 1 (= 1 only at 0) and ReLU' ∈ {0, 1} shrink it less. Two measurements, per seed:

* at initialisation (width 32, a batch of 256 digits): the RMS of ∂L/∂W of the first hidden layer divided by
  that of the output layer, for 1 … 8 hidden layers;
* training: 2 and 6 hidden layers, SGD + momentum 0.9, each activation and depth at the better of two rates
  (a pair per activation, around the rate it needs: sigmoid's σ' ≤ 1/4 wants larger steps), the training
  error after a fixed number of steps.

Each activation starts from its textbook initialisation, so that depth, not a mismatched init, is what is
measured: He (``kaiming_normal``) for ReLU, Xavier (``xavier_normal``, with the activation's gain) for tanh
and sigmoid. (With PyTorch's default init, n·Var(w) = 1/3, deep ReLU networks vanish too: see ``init``.)
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import label, train_tracked
from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

ACTS = ("sigmoid", "tanh", "relu")
LABEL = {a: label(a) for a in ACTS}
COLORS = {"sigmoid": "tab:purple", "tanh": "tab:orange", "relu": "tab:red"}
DEPTHS = tuple(range(1, 9))
TRAINED = (2, 6)
LRS = {"sigmoid": (0.3, 1.0), "tanh": (0.03, 0.1), "relu": (0.03, 0.1)}
INIT = {"sigmoid": "xavier_normal", "tanh": "xavier_normal", "relu": "kaiming_normal"}
WIDTH, STEPS, BATCH = 32, 60, 64


@trial
def gradient_ratio(config):
    """RMS ∂L/∂W of the first layer / of the output layer, at init, for every depth."""
    from chainrule import nn

    train, _, _ = digits_split()
    seeded(config)
    x, y = cr.from_numpy(train.X[:256]), cr.from_numpy(train.y[:256])
    out = {}
    for depth in DEPTHS:
        model = build_mlp([64] + [WIDTH] * depth + [10], config["act"], init=INIT[config["act"]])
        nn.CrossEntropyLoss()(model(x), y).backward()
        lin = [m for m in model if isinstance(m, nn.Linear)]
        rms = [float(np.sqrt((m.weight.grad.numpy() ** 2).mean())) for m in lin]
        out[str(depth)] = rms[0] / rms[-1]
    return out


@trial
def one_run(config):
    """One activation, depth and rate: the training error after STEPS steps."""
    from chainrule import optim

    train, _, _ = digits_split()
    rng = seeded(config)
    model = build_mlp([64] + [WIDTH] * config["depth"] + [10], config["act"], init=INIT[config["act"]])
    opt = optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9)
    out = train_tracked(model, opt, train.X, train.y, STEPS, BATCH, rng, every=STEPS)
    return {"final_error": out["train_error"][-1]}


def _err(r):
    return 1.0 if r["final_error"] is None else r["final_error"]


def run(ctx):
    grads = dict(zip(ACTS, ctx.map(gradient_ratio, [{"act": a} for a in ACTS])))
    ratio = {(a, d): Stat.of([r[str(d)] for r in grads[a]]) for a in ACTS for d in DEPTHS}
    configs = [{"act": a, "depth": d, "lr": lr} for a in ACTS for d in TRAINED for lr in LRS[a]]
    runs = dict(zip(((c["act"], c["depth"], c["lr"]) for c in configs), ctx.map(one_run, configs)))
    best = {(a, d): min(LRS[a], key=lambda lr: np.mean([_err(r) for r in runs[a, d, lr]]))
            for a in ACTS for d in TRAINED}
    err = {(a, d): Stat.of([_err(r) for r in runs[a, d, best[a, d]]]) for a in ACTS for d in TRAINED}
    deep, shallow = TRAINED[-1], TRAINED[0]
    gap_sig = paired([_err(r) for r in runs["sigmoid", deep, best["sigmoid", deep]]],
                     [_err(r) for r in runs["relu", deep, best["relu", deep]]])
    gap_tanh = paired([_err(r) for r in runs["tanh", deep, best["tanh", deep]]],
                      [_err(r) for r in runs["relu", deep, best["relu", deep]]])
    ctx.record(width=WIDTH, steps=STEPS, lr_grid=LRS, init=INIT, seeds=ctx.seeds,
               first_over_last_grad_rms={f"{LABEL[a]}_depth{d}": ratio[a, d] for a in ACTS for d in DEPTHS},
               final_train_error={f"{LABEL[a]}_depth{d}": err[a, d] for a in ACTS for d in TRAINED},
               best_lr={f"{LABEL[a]}_depth{d}": best[a, d] for a in ACTS for d in TRAINED},
               sigmoid_minus_relu_at_depth6=gap_sig, tanh_minus_relu_at_depth6=gap_tanh)
    v_sig, v_tanh = sign_verdict(gap_sig), sign_verdict(gap_tanh)
    verdict = ("supported" if v_sig == v_tanh == "supported" else
               "partly supported" if "supported" in (v_sig, v_tanh) else
               "contradicted" if v_sig == v_tanh == "contradicted" else "unresolved")
    g = {a: ratio[a, DEPTHS[-1]] for a in ACTS}
    ctx.claim("relu-faster", textbook="δ is multiplied by f'(h) at every layer: σ' ≤ 1/4, so a deep sigmoid network's "
              "first layers get a vanishing gradient; ReLU (f' = 1 where active) and tanh (f'(0) = 1) much less.",
              measured=f"At init with {DEPTHS[-1]} hidden layers, first-layer/output-layer gradient RMS: "
              + ", ".join(f"{LABEL[a]} {g[a].pm(2, times=True)}" for a in ACTS)
              + " (with 1 layer: " + ", ".join(f"{LABEL[a]} {ratio[a, 1].pm(2, times=True)}" for a in ACTS)
              + f"). Training error after {STEPS} steps at {deep} hidden layers, each at its better rate: "
              + ", ".join(f"{LABEL[a]} {err[a, deep].pm(pct=True)}" for a in ACTS)
              + f" (at {shallow}: " + ", ".join(f"{LABEL[a]} {err[a, shallow].pm(pct=True)}" for a in ACTS)
              + f"). Sigmoid − ReLU at depth {deep}: {gap_sig.pm(pct=True)}; tanh − ReLU: {gap_tanh.pm(pct=True)}.",
              verdict=verdict, stats={"sigmoid_minus_relu_depth6": gap_sig, "tanh_minus_relu_depth6": gap_tanh,
                                      "grad_ratio_sigmoid_depth8": g["sigmoid"], "grad_ratio_relu_depth8": g["relu"]})
    _figure(ctx, ratio, err)
    ctx.conclude("The first layer's share of the gradient falls with depth for sigmoid "
                 f"({ratio['sigmoid', 1].pm(2, times=True)} "
                 f"at 1 hidden layer → {g['sigmoid'].pm(2, times=True)} at {DEPTHS[-1]}), far less for tanh "
                 f"({g['tanh'].pm(2, times=True)}) and ReLU ({g['relu'].pm(2, times=True)}). "
                 f"In training at {deep} hidden "
                 "layers (each at its better rate) sigmoid ends at "
                 f"{err['sigmoid', deep].pm(pct=True)} training error, "
                 f"tanh {err['tanh', deep].pm(pct=True)}, ReLU {err['relu', deep].pm(pct=True)} ({ctx.n_seeds}).")


def _figure(ctx, ratio, err):
    fig, axes = panels(1, 2, (12, 4.0), left=0.07, right=0.98, bottom=0.14, top=0.82, wspace=0.25)
    ax = axes[0]
    for a in ACTS:
        m = np.array([ratio[a, d].mean for d in DEPTHS])
        s = np.array([ratio[a, d].sd for d in DEPTHS])
        ax.errorbar(DEPTHS, m, yerr=s, marker="o", ms=3, capsize=3, color=COLORS[a], label=LABEL[a])
    ax.set(yscale="log", xlabel="hidden layers", ylabel="RMS ∂L/∂W: first layer / output layer",
           title="at initialisation: the first layer's share of the gradient", xticks=DEPTHS)
    ax.legend()
    ax = axes[1]
    x = np.arange(len(TRAINED))
    for i, a in enumerate(ACTS):
        m = [100 * err[a, d].mean for d in TRAINED]
        s = [100 * err[a, d].sd for d in TRAINED]
        ax.bar(x + (i - 1) * 0.27, m, 0.27, yerr=s, capsize=3, color=COLORS[a], alpha=0.8, label=LABEL[a])
        for j, d in enumerate(TRAINED):
            ax.plot(x[j] + (i - 1) * 0.27 + np.linspace(-0.06, 0.06, err[a, d].n),
                    100 * np.array(err[a, d].finite), "k.", ms=4)
    ax.set(xticks=x, xticklabels=[f"{d} hidden layers" for d in TRAINED], ylabel="training error (%)",
           title=f"after {STEPS} SGD steps, each at its better of two rates")
    ax.legend()
    fig.suptitle(f"Depth: width-{WIDTH} MLPs on digits, He init for ReLU, Xavier for "
                 f"tanh and sigmoid (mean ± s.d. over {ctx.n_seeds})")
    ctx.figure(fig, "depth.png", "Left: the gradient reaching the first layer relative to the output layer's, at "
               "initialisation, for 1–8 hidden layers. Right: training error after a fixed number of steps at 2 "
               "and 6 hidden layers (bars: mean ± s.d.; dots: seeds).")
