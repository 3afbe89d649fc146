"""Lab ``dead-relu``: at a high learning rate ReLU units die; do LeakyReLU units come back?

A ReLU unit is *dead* when its pre-activation h = w·x + b is ≤ 0 for every input: its output is 0 and so
is its local gradient (ReLU'(h) = 0 for h < 0), so ∂L/∂w = 0 and nothing will ever move it back. A large
step can throw a unit there (e.g. a big negative update to b). In the first hidden layer the inputs are the
data themselves, so a unit dead on every training digit gets a zero gradient from every batch and stays dead
for good; a unit in the second layer can come back when the first layer's weights move its inputs. LeakyReLU
has slope 0.01 for h < 0: a unit on its negative side still receives 1 % of the gradient and can recover.

The same MLP (64 → 128 → 128 → 10, the same initial weights and batches for both activations at a seed) is
trained on digits with plain SGD at a moderate and a high learning rate; every 10 steps the lab counts, per
hidden layer, the units whose pre-activation is ≤ 0 for every training digit (for LeakyReLU: on the negative
side for every digit) — what ``doctor.layer_stats`` calls ``frac_dead`` — and which of the units counted at
some point are no longer at the end ("came back").
"""


from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import batches, evaluate_accuracy, label, replayed_step
from ._figs import band, panels
from ._seeds import seeded, trial
from ._stats import Stat, combine, paired, sign_verdict

LRS = (0.1, 1.0)
ACTS = ("relu", "leaky_relu")
LABEL = {a: label(a) for a in ACTS}
EPOCHS, EVERY = 3, 10


def dead_units(model, X) -> list:
    """Per hidden layer, a boolean per unit: is its pre-activation ≤ 0 on every row of X? None if a pre-activation
    is not finite (the run has blown up: NaN ≤ 0 is False, so its units would count as alive)."""
    from chainrule import nn

    masks, h = [], cr.from_numpy(X)
    with cr.no_grad():
        for m in model:
            h = m(h)
            if isinstance(m, nn.Linear) and m is not model[-1]:
                a = h.numpy()
                if not np.isfinite(a).all():
                    return None
                masks.append((a <= 0).all(axis=0))
    return masks


@trial
def one_run(config):
    """One activation at one rate: per hidden layer, the dead fraction every EVERY steps and the units that came
    back. A run whose loss stops being finite is reported as diverged (its numbers None)."""
    from chainrule import nn, optim

    train, val, _ = digits_split()
    X, y = train.X, train.y
    rng = seeded(config)  # the same weights and batches for both activations
    model = build_mlp([64, 128, 128, 10], config["act"])
    opt = optim.SGD(model.parameters(), lr=config["lr"])
    loss_fn = nn.CrossEntropyLoss()
    train_step = replayed_step(model, loss_fn, opt)
    steps, dead, ever, step, diverged = [], [[], []], None, 0, False

    def check():
        masks = dead_units(model, X)
        steps.append(step)
        for k, curve in enumerate(dead):
            curve.append(float(masks[k].mean()) if masks is not None else None)
        return masks

    for _ in range(EPOCHS):
        for idx in batches(len(X), 32, rng):
            if step % EVERY == 0:
                masks = check()
                diverged = diverged or masks is None
                if not diverged:
                    ever = masks if ever is None else [e | m for e, m in zip(ever, masks)]
            _, loss = train_step(cr.from_numpy(X[idx]), cr.from_numpy(y[idx]))
            step += 1
            diverged = diverged or not np.isfinite(loss.item())
    final = check()
    if diverged or final is None:
        return {"steps": steps, "dead_l1": [None] * len(steps), "dead_l2": [None] * len(steps), "diverged": True,
                **dict.fromkeys(("final_dead", "final_l1", "final_l2", "back_l1", "back_l2", "val_acc"))}
    back = [float((e & ~m).mean()) for e, m in zip(ever, final)]
    return {"steps": steps, "dead_l1": dead[0], "dead_l2": dead[1], "diverged": False,
            "final_dead": float(np.mean([m.mean() for m in final])), "final_l1": dead[0][-1], "final_l2": dead[1][-1],
            "back_l1": back[0], "back_l2": back[1], "val_acc": evaluate_accuracy(model, val.X, val.y)}


KEYS = ("final_dead", "final_l1", "final_l2", "back_l1", "back_l2", "val_acc")


def run(ctx):
    configs = [{"act": a, "lr": lr} for lr in LRS for a in ACTS]
    res = dict(zip(((c["act"], c["lr"]) for c in configs), ctx.map(one_run, configs)))
    st = {(a, lr, k): Stat.of([r[k] for r in res[a, lr]]) for a in ACTS for lr in LRS for k in KEYS}
    lo, hi = LRS

    def per_seed(a, lr, k):
        return [r[k] for r in res[a, lr]]

    acc_gap = paired(per_seed("leaky_relu", hi, "val_acc"), per_seed("relu", hi, "val_acc"))
    dead_gap = paired(per_seed("relu", hi, "final_dead"), per_seed("relu", lo, "final_dead"))
    back_gap = paired(per_seed("leaky_relu", hi, "back_l1"), per_seed("relu", hi, "back_l1"))
    stuck_gap = paired(per_seed("relu", hi, "final_dead"), per_seed("leaky_relu", hi, "final_dead"))
    ctx.record(lrs=list(LRS), epochs=EPOCHS, seeds=ctx.seeds,
               summary={f"{LABEL[a]}_lr{lr:g}": {k: st[a, lr, k] for k in KEYS} for a in ACTS for lr in LRS},
               diverged={f"{LABEL[a]}_lr{lr:g}": sum(r["diverged"] for r in res[a, lr]) for a in ACTS for lr in LRS},
               leaky_minus_relu_val_acc_at_high_lr=acc_gap, relu_dead_high_minus_low=dead_gap,
               leaky_minus_relu_back_l1=back_gap, relu_minus_leaky_final_dead=stuck_gap)
    d_hi, back1, back2 = st["relu", hi, "final_dead"], st["relu", hi, "back_l1"], st["relu", hi, "back_l2"]
    dies = sign_verdict(dead_gap)
    never_back = back1.n > 0 and max(back1.finite) == 0
    ctx.claim("dead-relu", textbook="A ReLU whose pre-activation is ≤ 0 for every input gets zero gradient and stays "
              "dead — for good in the first layer, whose inputs are the data; a deeper unit can come back when the "
              "layers before it move its inputs. Large steps make more of them.",
              measured=f"ReLU units dead on every training digit after {EPOCHS} epochs (mean of the two hidden "
              f"layers): {st['relu', lo, 'final_dead'].pm(pct=1)} at lr {lo:g}, {d_hi.pm(pct=1)} at lr {hi:g} "
              f"(paired difference {dead_gap.pm(pct=1)}). Of the units dead at some check, came back by the end: "
              f"layer 1 {back1.pm(pct=1)}, layer 2 {back2.pm(pct=1)} — {ctx.n_seeds}.",
              verdict=combine([dies, "supported" if never_back else "contradicted"]),
              stats={"relu_dead_lr1": d_hi, "dead_high_minus_low": dead_gap, "relu_back_l1": back1,
                     "relu_back_l2": back2})
    leaky_acc, relu_acc = st["leaky_relu", hi, "val_acc"], st["relu", hi, "val_acc"]
    leaky_back, leaky_dead = st["leaky_relu", hi, "back_l1"], st["leaky_relu", hi, "final_dead"]
    comes_back, fewer = sign_verdict(back_gap), sign_verdict(stuck_gap)
    ctx.claim("leaky-fix", textbook="LeakyReLU passes 1% of the gradient for h < 0, so a unit on its negative side "
              "can still learn and move back — slowly, at 1% of the step; whether the network then trains better "
              "depends on the run.",
              measured=f"At lr {hi:g}: first-layer units that came back, LeakyReLU {leaky_back.pm(pct=1)} vs ReLU "
              f"{back1.pm(pct=1)} (paired {back_gap.pm(pct=1)}); units on the negative side for every digit at the "
              f"end, LeakyReLU {leaky_dead.pm(pct=1)} vs ReLU {d_hi.pm(pct=1)} (paired ReLU − LeakyReLU "
              f"{stuck_gap.pm(pct=1)}); validation accuracy LeakyReLU {leaky_acc.pm(pct=1)} vs ReLU "
              f"{relu_acc.pm(pct=1)}, paired {acc_gap.pm(pct=1)}.{_blown_up(res)}",
              verdict=combine([comes_back, fewer]),
              stats={"leaky_minus_relu_back_l1": back_gap, "relu_minus_leaky_final_dead": stuck_gap,
                     "leaky_minus_relu_val_acc": acc_gap})
    _figure(ctx, res, st)
    few = {"supported": "and fewer", "contradicted": "but more"}.get(fewer, "but about as many")
    ctx.conclude(f"At lr {hi:g}, {d_hi.pm(pct=1)} of the ReLU units end dead (at lr {lo:g}: "
                 f"{st['relu', lo, 'final_dead'].pm(pct=1)}); in the first layer none ever comes back "
                 f"({back1.pm(pct=1)}), in the second {back2.pm(pct=1)} do, as the first layer moves. LeakyReLU's "
                 f"first-layer units do come back ({leaky_back.pm(pct=1)}), {few} end on the "
                 f"negative side (ReLU − LeakyReLU {stuck_gap.pm(pct=1)}), and its validation accuracy "
                 f"minus ReLU's is {acc_gap.pm(pct=1)} ({ctx.n_seeds})."
                 + (" That spread covers zero: the single-seed headline (75% vs 27%) does not hold up."
                    if acc_gap.covers(0) else ""))


def _blown_up(res) -> str:
    """A sentence naming the runs whose numbers overflowed (left out of the means), or ''."""
    bad = [f"{LABEL[a]} at lr {lr:g} ({sum(r['diverged'] for r in runs)})" for (a, lr), runs in res.items()
           if any(r["diverged"] for r in runs)]
    return f" Runs that blew up (non-finite activations; left out): {', '.join(bad)}." if bad else ""


def _figure(ctx, res, st):
    fig, axes = panels(1, len(LRS) + 1, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    colors = {"relu": "tab:red", "leaky_relu": "tab:blue"}
    for ax, lr in zip(axes, LRS):
        for a in ACTS:
            runs = [r for r in res[a, lr] if not r["diverged"]]
            if not runs:
                continue
            band(ax, runs[0]["steps"], [r["dead_l1"] for r in runs], color=colors[a],
                 label=f"{LABEL[a]}, layer 1 (val acc {st[a, lr, 'val_acc'].pm(pct=1)})")
            band(ax, runs[0]["steps"], [r["dead_l2"] for r in runs], color=colors[a], ls="--",
                 label=f"{LABEL[a]}, layer 2")
        ax.set(title=f"SGD lr = {lr:g}", xlabel="training step (batch 32)", ylim=(-0.02, 1.02))
        ax.legend(loc="upper left", fontsize=7)
    axes[0].set_ylabel("units with h ≤ 0 on every training digit")
    ax = axes[-1]
    hi = LRS[-1]
    for i, a in enumerate(ACTS):
        v = st[a, hi, "val_acc"]
        ax.errorbar([i], [100 * v.mean], yerr=[100 * v.sd], fmt="o", capsize=4, color=colors[a])
    for r, l in zip(res["relu", hi], res["leaky_relu", hi]):  # one grey line per seed: the paired comparison
        if r["val_acc"] is not None and l["val_acc"] is not None:
            ax.plot([0.1, 0.9], [100 * r["val_acc"], 100 * l["val_acc"]], color="0.5", lw=0.8, marker=".", ms=4)
    ax.set(xticks=[0, 1], xticklabels=[LABEL[a] for a in ACTS], xlim=(-0.5, 1.5), ylabel="validation accuracy (%)",
           title=f"lr {hi:g}: validation accuracy (lines: seeds)")
    fig.suptitle(f"Dead units during {EPOCHS} epochs on digits (64-128-128-10), mean ± s.d. over {ctx.n_seeds}")
    ctx.figure(fig, "dead_units.png", "Fraction of hidden units whose pre-activation is ≤ 0 for every training digit "
               "(solid: layer 1, dashed: layer 2; band: ± s.d. over seeds), at a moderate and a high learning rate; "
               "right: validation accuracy per seed at the high rate. For ReLU these units are dead (zero "
               "gradient); LeakyReLU's still learn at slope 0.01.")
