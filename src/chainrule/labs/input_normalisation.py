"""Lab ``input-normalisation``: the same digits as raw pixel counts, scaled to [0, 1], and standardised.

A first-layer weight's gradient is δ·x: inputs that are all positive make every weight of a unit move in
the same direction (zig-zag), and inputs of large or unequal scale make the loss surface an elongated
ravine whose steepest direction dictates the largest stable learning rate (LeCun et al., "Efficient
BackProp": shift inputs to mean 0, scale them to equal variance). The comparison is only fair if each
version gets its own learning rate — raw counts up to 16 need a rate ~16² smaller — so every arm trains at
each rate of one grid and reports its best. Measured per seed: a 64 → 64 → 10 ReLU MLP, SGD + momentum.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate_accuracy, train_tracked
from ._figs import bars, panels
from ._grid import best_rates, mean_score, run_grid
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

ARMS = ("raw counts 0–16", "scaled to [0, 1]", "standardised")
LRS = (3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
STEPS = 60


def _data(arm):
    train, val, _ = digits_split()
    if arm == ARMS[0]:
        return train.X * 16, train.y, val.X * 16, val.y
    if arm == ARMS[1]:
        return train.X, train.y, val.X, val.y
    mean, std = train.X.mean(0), train.X.std(0)
    std = np.where(std > 0, std, 1.0)
    return ((train.X - mean) / std).astype(np.float32), train.y, ((val.X - mean) / std).astype(np.float32), val.y


@trial
def one_run(config):
    """One input version at one rate: mean training loss over STEPS steps, validation accuracy."""
    from chainrule import optim

    X, y, Xv, yv = _data(config["arm"])
    rng = seeded(config)  # the same weights and batches for every arm and rate
    model = build_mlp([64, 64, 10], "relu")
    tr = train_tracked(model, optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9), X, y, STEPS, 64, rng,
                       every=0)
    finite = all(np.isfinite(tr["loss"])) and len(tr["loss"]) == STEPS
    return {"mean_loss": float(np.mean(tr["loss"])) if finite else None, "loss": tr["loss"] if finite else None,
            "val_acc": evaluate_accuracy(model, Xv, yv) if finite else None}


def _score(runs):
    return mean_score(runs, "mean_loss")


def run(ctx):
    runs = run_grid(ctx, one_run, ARMS, LRS)
    best = best_rates(runs, ARMS, LRS, "mean_loss")
    loss = {a: Stat.of([r["mean_loss"] for r in runs[a, best[a]]]) for a in ARMS}
    acc = {a: Stat.of([r["val_acc"] for r in runs[a, best[a]]]) for a in ARMS}
    raw_vs_std = paired([r["mean_loss"] for r in runs[ARMS[0], best[ARMS[0]]]],
                        [r["mean_loss"] for r in runs[ARMS[2], best[ARMS[2]]]])
    unit_vs_std = paired([r["mean_loss"] for r in runs[ARMS[1], best[ARMS[1]]]],
                         [r["mean_loss"] for r in runs[ARMS[2], best[ARMS[2]]]])
    grid = {f"{a}@{lr:g}": (None if not np.isfinite(_score(runs[a, lr])) else _score(runs[a, lr]))
            for a in ARMS for lr in LRS}
    ctx.record(steps=STEPS, lr_grid=list(LRS), seeds=ctx.seeds, best_lr=best, mean_training_loss=loss, val_acc=acc,
               raw_minus_standardised=raw_vs_std, unit_minus_standardised=unit_vs_std, grid=grid)
    v1, v2 = sign_verdict(raw_vs_std), sign_verdict(unit_vs_std)
    ctx.claim("input-norm", textbook="Zero-mean inputs of equal variance make the loss surface better conditioned: "
              "with each at its own best learning rate, standardised inputs train fastest (Efficient BackProp).",
              measured=f"Training loss averaged over {STEPS} steps, each at its best rate of "
              f"{', '.join(f'{lr:g}' for lr in LRS)}: "
              + ", ".join(f"{a} {loss[a].pm(3)} (lr {best[a]:g})" for a in ARMS)
              + f"; raw − standardised {raw_vs_std.pm(2)}, [0, 1] − standardised {unit_vs_std.pm(2)}. Validation "
              "accuracy: " + ", ".join(f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + f" ({ctx.n_seeds}).",
              verdict="supported" if v1 == v2 == "supported" else "partly supported" if "supported" in (v1, v2)
              else "unresolved" if "unresolved" in (v1, v2) else "contradicted",
              stats={"raw_minus_standardised": raw_vs_std, "unit_minus_standardised": unit_vs_std})
    _figure(ctx, runs, best, loss)
    ctx.conclude(f"Each at its best learning rate ({ctx.n_seeds}): mean training loss over {STEPS} steps "
                 + ", ".join(f"{a} {loss[a].pm(3)} (lr {best[a]:g})" for a in ARMS)
                 + f". Loss of raw counts minus standardised: {raw_vs_std.pm(2)}"
                 + (" (spread covers zero)" if raw_vs_std.covers(0) else "") + f"; [0, 1] pixels minus standardised: "
                 f"{unit_vs_std.pm(2)}" + (" (spread covers zero)." if unit_vs_std.covers(0) else "."))


def _figure(ctx, runs, best, loss):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    colors = dict(zip(ARMS, ("tab:red", "tab:orange", "tab:green")))
    ax = axes[0]
    for a in ARMS:
        ax.plot([lr for lr in LRS], [_score(runs[a, lr]) if np.isfinite(_score(runs[a, lr])) else np.nan for lr in LRS],
                marker="o", color=colors[a], label=a)
    ax.set(xscale="log", yscale="log", xlabel="learning rate", ylabel=f"mean training loss over {STEPS} steps",
           title="every arm at every rate (missing: diverged)")
    ax.legend(fontsize=7)
    for a in ARMS:
        band = np.array([r["loss"] for r in runs[a, best[a]]])
        axes[1].plot(np.arange(1, STEPS + 1), np.exp(np.log(band).mean(0)), color=colors[a],
                     label=f"{a} (lr {best[a]:g})")
    axes[1].set(yscale="log", xlabel="SGD step", ylabel="minibatch loss", title="each at its best rate")
    axes[1].legend(fontsize=7)
    bars(axes[2], list(ARMS), loss, colors=[colors[a] for a in ARMS], digits=3)
    axes[2].set(ylabel=f"mean training loss over {STEPS} steps", title="best rate per arm (mean ± s.d.)")
    fig.suptitle(f"Input scaling on digits, 64-64-10 ReLU, SGD + momentum ({ctx.n_seeds})")
    ctx.figure(fig, "inputs.png", "Left: every input version at every learning rate of the grid. Middle: the training "
               "loss at each version's best rate. Right: the mean training loss at the best rate, per seed (dots).")
