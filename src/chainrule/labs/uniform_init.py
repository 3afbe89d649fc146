"""Lab ``uniform-init``: w ~ U[−1/√n, 1/√n] has n·Var(w) = 1/3, not 1.

A uniform distribution on [−a, a] has variance a²/3, so U[−1/√n, 1/√n] gives Var(w) = 1/(3n): each layer
multiplies the variance of a (near-linear) signal by n·Var(w) = 1/3. LeCun et al.'s "Efficient BackProp"
(in *Neural Networks: Tricks of the Trade*) asks for standard deviation 1/√n (n·Var(w) = 1), i.e.
U[−√3/√n, √3/√n] for a uniform draw. PyTorch's default ``nn.Linear`` init is exactly U[−1/√n, 1/√n]
(Kaiming-uniform with a = √5). Measured per seed: n·Var(w) of such draws and of a default ``nn.Linear``,
the variance through 10 tanh layers under each, and the training that follows.
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr

from ..nn.mlp import build_mlp
from ._common import is_activation, train_tracked
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, compare, paired, sign_verdict
from .init import standardised_digits

FANS = (16, 64, 256, 1024)
ARMS = {"U[−1/√n, 1/√n]": 1.0, "U[−√3/√n, √3/√n] (Var = 1/n)": math.sqrt(3.0)}
DEPTH, WIDTH, STEPS = 10, 128, 80


def _net(bound_factor, depth=DEPTH):
    from chainrule import nn

    def init(lin):
        b = bound_factor / math.sqrt(lin.in_features)
        nn.init.uniform_(lin.weight, -b, b)
        nn.init.zeros_(lin.bias)

    return build_mlp([64] + [WIDTH] * depth + [10], "tanh", init=init)


def _stds(model, x):

    out, h = [], cr.from_numpy(x)
    with cr.no_grad():
        for m in model:
            h = m(h)
            if is_activation(m):
                out.append(float(h.numpy().std()))
    return out


@trial
def one_seed(config):
    """n·Var(w) of the draws and of nn.Linear's default; std per layer and training under both bounds."""
    from chainrule import nn, optim

    Xs, ys = standardised_digits()
    rng = seeded(config)
    out = {"nvar": {}, "linear_default": {}, "stds": {}, "train": {}}
    for n in FANS:
        w = rng.uniform(-1 / math.sqrt(n), 1 / math.sqrt(n), size=(256, n))
        out["nvar"][str(n)] = float(n * w.var())
        out["linear_default"][str(n)] = float(n * nn.Linear(n, 256).weight.numpy().var())
    for arm, factor in ARMS.items():
        out["stds"][arm] = _stds(_net(factor), Xs[0][:256])
        model = _net(factor, depth=5)
        r = np.random.default_rng(config["seed"])  # the same batches for both arms
        tr = train_tracked(model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), Xs[0], ys[0], STEPS, 64, r,
                           every=0)
        out["train"][arm] = {"loss": tr["loss"], "mean_loss": float(np.mean(tr["loss"]))}
    return out


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    nvar = {n: Stat.of([r["nvar"][str(n)] for r in res]) for n in FANS}
    lin = {n: Stat.of([r["linear_default"][str(n)] for r in res]) for n in FANS}
    all_nvar = Stat.of([r["nvar"][str(n)] for r in res for n in FANS])
    ratio = {a: Stat.of([(r["stds"][a][-1] / r["stds"][a][0]) ** 2 for r in res]) for a in ARMS}
    a1, a3 = ARMS
    loss = {a: Stat.of([r["train"][a]["mean_loss"] for r in res]) for a in ARMS}
    gap = paired([r["train"][a1]["mean_loss"] for r in res], [r["train"][a3]["mean_loss"] for r in res])
    ctx.record(fans=list(FANS), seeds=ctx.seeds, n_var_w=nvar, n_var_w_default_linear=lin, n_var_w_all=all_nvar,
               tanh_var_ratio_10_layers=ratio, mean_training_loss=loss, loss_1_over_sqrt_n_minus_lecun=gap)
    ctx.claim("uniform-init", textbook="Var(U[−a, a]) = a²/3, so U[−1/√n, 1/√n] gives n·Var(w) = 1/3: a tanh "
              "network's variance shrinks ≈ ×1/3 per layer near 0. Efficient BackProp's rule is std(w) = 1/√n "
              "(n·Var = 1), i.e. U[−√3/√n, √3/√n].",
              measured=f"n·Var(w) of U[−1/√n, 1/√n] draws (n = {', '.join(map(str, FANS))}): {all_nvar.pm(3)}; of a "
              f"default nn.Linear: " + ", ".join(f"n={n} {lin[n].pm(3)}" for n in FANS)
              + f". Variance last/first of 10 tanh layers: {a1} ×{ratio[a1].pm(2)}, Var = 1/n ×{ratio[a3].pm(2)}. "
              f"Training loss averaged over {STEPS} steps (5 tanh layers): {loss[a1].pm(3)} vs {loss[a3].pm(3)} "
              f"(difference {gap.pm(2)}).",
              verdict=compare(all_nvar, 1 / 3, rel=0.05),
              stats={"n_var_w": all_nvar, "ratio_uniform": ratio[a1], "ratio_lecun": ratio[a3], "loss_gap": gap})
    _figure(ctx, res, nvar, lin, ratio, loss)
    ctx.conclude(f"U[−1/√n, 1/√n] has n·Var(w) = {all_nvar.pm(3)} (theory 1/3; PyTorch's default Linear init is the "
                 f"same: {lin[FANS[1]].pm(3)} at n = {FANS[1]}). Through 10 tanh layers it keeps ×{ratio[a1].pm(2)} of "
                 f"the variance, against ×{ratio[a3].pm(2)} with Var(w) = "
                 f"1/n. Training (5 tanh layers, {STEPS} steps): "
                 f"mean loss {loss[a1].pm(3)} vs {loss[a3].pm(3)}"
                 + (" — the spread of the difference covers zero." if gap.covers(0) else
                    f" ({'slower' if sign_verdict(gap) == 'supported' else 'faster'} with the smaller bound)."))


def _figure(ctx, res, nvar, lin, ratio, loss):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    bars(axes[0], [f"n={n}" for n in FANS], {f"n={n}": nvar[n] for n in FANS}, digits=3)
    axes[0].axhline(1 / 3, color="k", ls=":", lw=1)
    axes[0].axhline(1, color="tab:red", ls="--", lw=1)
    axes[0].text(-0.4, 1.02, "n·Var = 1 (LeCun)", color="tab:red", fontsize=7, va="bottom")
    axes[0].set(ylim=(0, 1.2), ylabel="n·Var(w)", title="U[−1/√n, 1/√n]: n·Var(w) (dotted: 1/3)")
    ax = axes[1]
    for arm, color in zip(ARMS, ("tab:orange", "tab:blue")):
        s = np.array([r["stds"][arm] for r in res])
        ax.errorbar(np.arange(1, DEPTH + 1), s.mean(0), yerr=s.std(0, ddof=1) if len(s) > 1 else None, marker="o",
                    ms=3, capsize=2, color=color, label=f"{arm}: ×{ratio[arm].pm(2)}")
    ax.set(yscale="log", xlabel="tanh layer", ylabel="std of the output", title="10 tanh layers of 128")
    ax.legend(fontsize=7)
    ax = axes[2]
    for arm, color in zip(ARMS, ("tab:orange", "tab:blue")):
        for k, r in enumerate(res):
            ax.plot(np.arange(1, STEPS + 1), r["train"][arm]["loss"], color=color, alpha=0.7, lw=1,
                    label=f"{arm} ({loss[arm].pm(3)})" if k == 0 else None)
    ax.set(yscale="log", xlabel="SGD step", ylabel="minibatch loss", title="training, 5 tanh layers (every seed)")
    ax.legend(fontsize=7)
    fig.suptitle(f"The Tricks-of-the-Trade uniform init (mean ± s.d. over {ctx.n_seeds})")
    ctx.figure(fig, "uniform.png", "Left: n·Var(w) of U[−1/√n, 1/√n] is 1/3 for every n. Middle: through 10 tanh "
               "layers the signal shrinks with it, and holds with Var(w) = 1/n. Right: training from each.")
