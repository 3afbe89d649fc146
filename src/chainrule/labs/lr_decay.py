"""Lab ``lr-decay``: a constant learning rate against step decay and cosine decay.

With a constant rate SGD's minibatch noise keeps the parameters bouncing around a minimum at a distance that
grows with η; lowering η late in training lets them settle while the early steps stay large. Measured per
seed on digits (64 → 64 → 10 ReLU, SGD + momentum 0.9, 150 steps, the same weights and batches): a constant
rate, ``StepLR`` (halved every 30 steps) and ``CosineAnnealingLR`` (to 0 at the last step), each schedule at
the best starting rate of one grid. The score is the training loss on the whole training set at the end.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate, train_tracked
from ._figs import bars, panels
from ._grid import at_edge, best_rates, run_grid
from ._seeds import seeded, trial
from ._stats import Stat, combine, paired, sign_verdict

SCHEDULES = ("constant", "step (×½ every 30)", "cosine to 0")
LRS = (0.1, 0.3, 1.0)
STEPS = 150


def _scheduler(name, opt):
    from chainrule.optim import lr_scheduler

    if name == SCHEDULES[1]:
        return lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)
    if name == SCHEDULES[2]:
        return lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS)
    return None


@trial
def one_run(config):
    from chainrule import nn, optim

    train, val, _ = digits_split()
    rng = seeded(config)
    model = build_mlp([64, 64, 10], "relu")
    opt = optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9)
    sched = _scheduler(config["schedule"], opt)
    rates = []
    tr = train_tracked(model, opt, train.X, train.y, STEPS, 64, rng, every=0, scheduler=sched,
                       on_step=lambda s: rates.append(opt.param_groups[0]["lr"]))
    ok = len(tr["loss"]) == STEPS and np.isfinite(tr["loss"]).all()
    loss, _ = evaluate(model, nn.CrossEntropyLoss(), train.X, train.y)
    _, acc = evaluate(model, nn.CrossEntropyLoss(), val.X, val.y)
    return {"train_loss": loss if ok and np.isfinite(loss) else None, "val_acc": acc if ok else None,
            "loss": tr["loss"] if ok else None, "rates": rates}


def run(ctx):
    runs = run_grid(ctx, one_run, SCHEDULES, LRS, key="schedule")
    best = best_rates(runs, SCHEDULES, LRS, "train_loss")
    loss = {s: Stat.of([r["train_loss"] for r in runs[s, best[s]]]) for s in SCHEDULES}
    acc = {s: Stat.of([r["val_acc"] for r in runs[s, best[s]]]) for s in SCHEDULES}
    gains = {s: paired([r["train_loss"] for r in runs[SCHEDULES[0], best[SCHEDULES[0]]]],
                       [r["train_loss"] for r in runs[s, best[s]]]) for s in SCHEDULES[1:]}
    edges = at_edge(best, LRS)
    ctx.record(steps=STEPS, lr_grid=list(LRS), seeds=ctx.seeds, best_lr=best, final_train_loss=loss, val_acc=acc,
               constant_minus=gains, best_at_grid_edge=edges)
    v = [sign_verdict(g) for g in gains.values()]
    ctx.claim("lr-decay", textbook="SGD with a constant rate keeps bouncing at a noise level ∝ η; decaying η lets it "
              "settle lower, while the early steps stay large.",
              measured=f"Training loss after {STEPS} steps, each schedule at its best starting rate of "
              f"{', '.join(f'{lr:g}' for lr in LRS)}: "
              + ", ".join(f"{s} {loss[s].pm(3)} (lr {best[s]:g})" for s in SCHEDULES)
              + "; constant minus decayed: " + ", ".join(f"{s} {g.pm(2)}" for s, g in gains.items())
              + ". Validation accuracy: " + ", ".join(f"{s} {acc[s].pm(pct=1)}" for s in SCHEDULES)
              + f" ({ctx.n_seeds}).",
              verdict=combine(v),
              stats={f"constant_minus_{s}": g for s, g in gains.items()})
    _figure(ctx, runs, best, loss)
    ctx.conclude(f"Each at its best starting rate ({ctx.n_seeds}), training loss after {STEPS} steps: "
                 + ", ".join(f"{s} {loss[s].pm(3)}" for s in SCHEDULES) + ". Constant minus decayed (positive: "
                 "decay helps): " + ", ".join(f"{s} {g.pm(2)}" + (" (spread covers zero)" if g.covers(0) else "")
                                             for s, g in gains.items())
                 + ". Validation accuracy: " + ", ".join(f"{s} {acc[s].pm(pct=1)}" for s in SCHEDULES)
                 + "." + (f" Best starting rate at the grid's edge: {', '.join(edges)}." if edges else ""))


def _figure(ctx, runs, best, loss):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    colors = dict(zip(SCHEDULES, ("tab:gray", "tab:blue", "tab:green")))
    for s in SCHEDULES:
        r0 = runs[s, best[s]][0]
        axes[0].plot(np.arange(1, STEPS + 1), r0["rates"], color=colors[s], label=f"{s} (start {best[s]:g})")
        rr = np.array([r["loss"] for r in runs[s, best[s]]])
        k = 10
        smooth = np.exp(np.convolve(np.log(rr).mean(0), np.ones(k) / k, mode="valid"))
        axes[1].plot(np.arange(k, STEPS + 1), smooth, color=colors[s], label=s)
    axes[0].set(xlabel="step", ylabel="learning rate", title="the schedules (at their best start)")
    axes[0].legend(fontsize=7)
    axes[1].set(yscale="log", xlabel="step (batch 64)", ylabel="minibatch loss (10-step mean)", title="training")
    axes[1].legend(fontsize=7)
    bars(axes[2], list(SCHEDULES), loss, colors=[colors[s] for s in SCHEDULES], digits=3)
    axes[2].set(ylabel="training loss at the end", title="mean ± s.d. (dots: seeds)")
    fig.suptitle("Learning-rate decay, SGD + momentum on digits, each schedule "
                 f"at its best starting rate ({ctx.n_seeds})")
    ctx.figure(fig, "decay.png", "Left: the learning rate along training. Middle: the training loss (smoothed over 10 "
               "steps). Right: the loss on the whole training set at the end (mean ± s.d.; dots: seeds).")
