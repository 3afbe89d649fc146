"""Lab ``prelu``: PReLU's negative slope α is a parameter — what does backprop make of it?

PReLU(h) = h for h > 0 and α·h otherwise, with α learned like a weight (∂L/∂α = Σ δ·h over the negative
side). He et al. (2015), who introduced it, report learned α well away from 0 (0.2–0.7 in their first
layers, smaller in deeper ones): the network keeps a leak. Here: a 64 → 64 → 64 → 10 MLP on digits, one α
per hidden layer starting at 0.25, trained with SGD + momentum; against the same network with ReLU (α = 0)
and with LeakyReLU fixed at 0.25, from the same initial weights and batches at every seed.
"""

from __future__ import annotations

from ..data.datasets import digits_split
from ..nn import activation_registry
from ..nn.mlp import build_mlp
from ._common import evaluate_accuracy, is_activation, train_tracked
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

ARMS = ("ReLU", "LeakyReLU 0.25", "PReLU (learned)")
STEPS, LR, EVERY = 150, 0.05, 10


def _act(arm):

    kind, kwargs = {"ReLU": ("relu", {}), "LeakyReLU 0.25": ("leaky_relu", {"negative_slope": 0.25}),
                    "PReLU (learned)": ("prelu", {"num_parameters": 1, "init": 0.25})}[arm]
    return lambda: activation_registry.module(kind, **kwargs)


@trial
def one_run(config):
    """One arm: training, the α of each PReLU layer every EVERY steps, validation accuracy."""
    from chainrule import optim

    train, val, _ = digits_split()
    rng = seeded(config)
    model = build_mlp([64, 64, 64, 10], _act(config["arm"]))
    prelus = [m for m in model if is_activation(m, "prelu")]
    opt = optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    alphas, steps = [[float(p.weight.item()) for p in prelus]], [0]

    def track(step):
        if step % EVERY == 0:
            alphas.append([float(p.weight.item()) for p in prelus])
            steps.append(step)

    train_tracked(model, opt, train.X, train.y, STEPS, 64, rng, every=0, on_step=track)
    return {"alphas": alphas, "steps": steps, "val_acc": evaluate_accuracy(model, val.X, val.y)}


def run(ctx):
    res = dict(zip(ARMS, ctx.map(one_run, [{"arm": a} for a in ARMS])))
    prelu = res["PReLU (learned)"]
    layers = len(prelu[0]["alphas"][0])
    alpha = {f"layer {i + 1}": Stat.of([r["alphas"][-1][i] for r in prelu]) for i in range(layers)}
    acc = {a: Stat.of([r["val_acc"] for r in res[a]]) for a in ARMS}
    gap = paired([r["val_acc"] for r in prelu], [r["val_acc"] for r in res["ReLU"]])
    moved = Stat.of([abs(r["alphas"][-1][i] - 0.25) for r in prelu for i in range(layers)])
    ctx.record(steps=STEPS, lr=LR, seeds=ctx.seeds, final_alpha=alpha, val_acc=acc, prelu_minus_relu_val_acc=gap,
               alpha_moved=moved)
    keeps_leak = all(s.lo > 0.05 for s in alpha.values())
    ctx.claim("prelu", textbook="α is trained by backprop like any weight (∂L/∂α = Σ δ·h over h < 0). He et al. "
              "(2015) found it settles well above 0 — the network keeps a leak — and a small accuracy gain over ReLU.",
              measured=f"α after {STEPS} steps (from 0.25): " + ", ".join(f"{k} {v.pm(2)}" for k, v in alpha.items())
              + ". Validation accuracy: " + ", ".join(f"{a} {acc[a].pm(pct=1)}" for a in ARMS)
              + f"; PReLU − ReLU {gap.pm(pct=1)} ({ctx.n_seeds}).",
              verdict="supported" if keeps_leak and sign_verdict(gap) == "supported" else
              "partly supported" if keeps_leak else "contradicted" if all(s.hi < 0.05 for s in alpha.values())
              else "unresolved", stats={**{f"alpha_{k}": v for k, v in alpha.items()}, "prelu_minus_relu": gap})
    _figure(ctx, prelu, alpha, acc)
    ctx.conclude(f"Learned α (from 0.25, {STEPS} SGD steps): " + ", ".join(f"{k} {v.pm(2)}" for k, v in alpha.items())
                 + f" — {_alpha_words(alpha, keeps_leak)}. Accuracy PReLU − ReLU: {gap.pm(pct=1)}"
                 + (" (the spread covers zero: no resolved gain)." if gap.covers(0) else "."))


def _alpha_words(alpha, keeps_leak):
    if any(s.mean > 1 for s in alpha.values()):
        return ("α grows past 1: the negative side becomes steeper than the positive one (one α per layer collects "
                "the gradient of every unit of the layer) — a leak, but no longer ReLU-like")
    return "it stays clearly above 0: the network keeps a leak" if keeps_leak else "it does not stay clearly above 0"


def _figure(ctx, prelu, alpha, acc):
    fig, axes = panels(1, 2, (11, 3.8), left=0.07, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    ax = axes[0]
    for i, color in enumerate(("tab:blue", "tab:green")):
        for k, r in enumerate(prelu):
            ax.plot(r["steps"], [a[i] for a in r["alphas"]], color=color, alpha=0.8, lw=1,
                    label=f"layer {i + 1} ({alpha[f'layer {i + 1}'].pm(2)})" if k == 0 else None)
    ax.axhline(0.25, color="0.6", ls=":", lw=1)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set(xlabel="SGD step (batch 64)", ylabel="α", title="PReLU's α per hidden layer, every seed")
    ax.legend()
    bars(axes[1], list(ARMS), acc, pct=True, colors=["tab:red", "tab:gray", "tab:blue"])
    lo = min(v.lo for v in acc.values())
    axes[1].set(ylabel="validation accuracy (%)", title=f"after {STEPS} steps", ylim=(100 * lo - 5, 100))
    fig.suptitle(f"PReLU on digits (64-64-64-10, SGD + momentum, lr {LR}; mean ± s.d. over {ctx.n_seeds})")
    ctx.figure(fig, "alpha.png", "Left: each hidden layer's learned α during training, one line per seed (dotted: "
               "the start, 0.25). Right: validation accuracy of ReLU, LeakyReLU with α fixed at 0.25, and PReLU.")
