"""Lab ``adadelta``: "no manual setting of a learning rate" (Zeiler, 2012) — what ε does instead.

    v ← ρv + (1 − ρ)g²,   Δ ← √(u + ε)/√(v + ε) · g,   u ← ρu + (1 − ρ)Δ²,   θ ← θ − Δ

The ratio of an RMS of past updates to an RMS of past gradients gives Δ the units of θ, so there is no η
(torch keeps ``lr = 1.0`` as a multiplier). But u starts at 0: the first steps are ≈ √ε/√(1 − ρ) per
coordinate, so ε sets the speed at which Adadelta gets going — a learning rate by another name. Measured per
seed on digits (64 → 64 → 10 ReLU, the same weights and batches throughout): Adadelta at the defaults
(ρ = 0.9, ε = 10⁻⁶) and with ε = 10⁻⁸ and 10⁻⁴, against Adam and SGD + momentum each at its best rate.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import train_tracked
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired

ARMS = {"Adadelta ε=1e-8": ("adadelta", 1e-8), "Adadelta ε=1e-6 (default)": ("adadelta", 1e-6),
        "Adadelta ε=1e-4": ("adadelta", 1e-4), "Adam lr=3e-3": ("adam", 3e-3), "Adam lr=1e-2": ("adam", 1e-2),
        "Adam lr=3e-2": ("adam", 3e-2), "momentum lr=0.1": ("momentum", 0.1), "momentum lr=0.3": ("momentum", 0.3)}
STEPS = 100


@trial
def one_run(config):
    from chainrule import optim

    train, _, _ = digits_split()
    rng = seeded(config)
    model = build_mlp([64, 64, 10], "relu")
    kind, value = ARMS[config["arm"]]
    opt = (optim.Adadelta(model.parameters(), eps=value) if kind == "adadelta" else
           optim.Adam(model.parameters(), lr=value) if kind == "adam" else
           optim.SGD(model.parameters(), lr=value, momentum=0.9))
    tr = train_tracked(model, opt, train.X, train.y, STEPS, 64, rng, every=0)
    ok = len(tr["loss"]) == STEPS and np.isfinite(tr["loss"]).all()
    return {"final_loss": float(np.mean(tr["loss"][-10:])) if ok else None, "loss": tr["loss"] if ok else None}


def run(ctx):
    res = dict(zip(ARMS, ctx.map(one_run, [{"arm": a} for a in ARMS])))
    loss = {a: Stat.of([r["final_loss"] for r in res[a]]) for a in ARMS}
    best = {k: min((a for a in ARMS if ARMS[a][0] == k), key=lambda a: loss[a].mean) for k in ("adam", "momentum")}
    ada = [a for a in ARMS if ARMS[a][0] == "adadelta"]
    default = ada[1]
    eps_range = Stat.of([max(v) / min(v) for v in zip(*(loss[a].values for a in ada))])
    adam_range = Stat.of([max(v) / min(v) for v in zip(*(loss[a].values for a in ARMS if ARMS[a][0] == "adam"))])
    vs_adam = paired(loss[default].values, loss[best["adam"]].values)
    ctx.record(steps=STEPS, seeds=ctx.seeds, final_loss=loss, best_adam=best["adam"], best_momentum=best["momentum"],
               adadelta_eps_range=eps_range, adam_lr_range=adam_range, default_adadelta_minus_best_adam=vs_adam)
    ctx.claim("adadelta", textbook="Adadelta's step is a ratio of RMS values, so it has the units of θ and needs no "
              "learning rate (Zeiler 2012); but ε sets the first steps' size "
              "(√ε/√(1 − ρ)), so it sets how fast training starts.",
              measured=f"Final training loss after {STEPS} steps (mean of the last 10): " + ", ".join(
                  f"{a} {loss[a].pm(3)}" for a in ada) + f" (worst/best over ε: ×{eps_range.pm(2)}); Adam over its "
              f"three rates ×{adam_range.pm(2)}, at its best ({best['adam']}) "
              f"{loss[best['adam']].pm(3)}; momentum at its "
              f"best ({best['momentum']}) {loss[best['momentum']].pm(3)}. Default Adadelta − best Adam: "
              f"{vs_adam.pm(2)} ({ctx.n_seeds}).",
              verdict="partly supported" if eps_range.lo > 1.5 else "supported",
              stats={"eps_range": eps_range, "default_minus_best_adam": vs_adam})
    _figure(ctx, res, loss)
    ctx.conclude(f"Adadelta has no learning rate, but its ε acts as one: over ε = 1e-8, 1e-6, 1e-4 (first steps √ε a "
                 f"factor 100 apart) the loss after {STEPS} steps varies ×{eps_range.pm(2)} "
                 f"({', '.join(f'{loss[a].pm(3)}' for a in ada)}), against ×{adam_range.pm(2)} for Adam over a factor "
                 f"10 of its rate. At its defaults it ends "
                 f"{'above' if vs_adam.mean > 0 else 'below'} Adam at Adam's "
                 f"best rate by {vs_adam.pm(2)} ({ctx.n_seeds}).")


def _figure(ctx, res, loss):
    fig, axes = panels(1, 2, (13, 4.0), left=0.2, right=0.98, bottom=0.14, top=0.8, wspace=0.3)
    colors = {"adadelta": "tab:green", "adam": "tab:red", "momentum": "tab:blue"}
    shades = {}
    for a in ARMS:
        k = ARMS[a][0]
        shades[k] = shades.get(k, 0) + 1
        rr = [r["loss"] for r in res[a] if r["loss"] is not None]
        if rr:
            axes[0].plot(np.arange(1, STEPS + 1), np.exp(np.log(np.array(rr)).mean(0)), color=colors[k],
                         alpha=0.35 + 0.2 * shades[k], label=a)
    axes[0].set(yscale="log", xlabel="step (batch 64)", ylabel="minibatch loss", title="training loss")
    axes[0].legend(fontsize=6, loc="upper right")
    bars(axes[1], list(ARMS), loss, colors=[colors[ARMS[a][0]] for a in ARMS], horizontal=True, digits=3)
    axes[1].set(xlabel=f"training loss, last 10 of {STEPS} steps", title="mean ± s.d. (dots: seeds)")
    fig.subplots_adjust(left=0.06)
    axes[1].set_position([0.62, 0.14, 0.3, 0.66])
    fig.suptitle(f"Adadelta's ε against Adam's and momentum's learning rate, digits 64-64-10 ({ctx.n_seeds})")
    ctx.figure(fig, "adadelta.png", "Left: training loss of Adadelta at three ε and of Adam and SGD + momentum at "
               "their rates. Right: the final loss of each (mean ± s.d.; dots: seeds).")
