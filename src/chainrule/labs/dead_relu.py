"""Lab ``dead-relu``: at a high learning rate ReLU units die; do LeakyReLU units come back?

A ReLU unit is *dead* when its pre-activation h = w·x + b is ≤ 0 for every input: its output is 0 and so
is its local gradient (ReLU'(h) = 0 for h < 0), so ∂L/∂w = 0 and nothing will ever move it back. A large
step can throw a unit there (e.g. a big negative update to b). LeakyReLU has slope 0.01 for h < 0: a unit
on its negative side still receives 1 % of the gradient and can recover.

The same MLP (64 → 128 → 128 → 10, the same initial weights and batches for both activations at a seed) is
trained on digits with plain SGD at a moderate and a high learning rate; every 20 steps the lab counts, on a
fixed probe batch, the units whose pre-activation is ≤ 0 for every sample (for LeakyReLU: on the negative
side for every sample) — what ``doctor.layer_stats`` calls ``frac_dead``, computed here with one forward pass.
"""


from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import batches, evaluate_accuracy, label
from ._figs import band, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

LRS = (0.1, 1.0)
ACTS = ("relu", "leaky_relu")
LABEL = {a: label(a) for a in ACTS}
EPOCHS, EVERY = 3, 20


def dead_fraction(model, probe) -> float:
    """Mean over the hidden layers of the fraction of units whose pre-activation is ≤ 0 on every probe row."""
    from chainrule import nn

    fracs, h = [], cr.from_numpy(probe)
    with cr.no_grad():
        for m in model:
            h = m(h)
            if isinstance(m, nn.Linear) and m is not model[-1]:
                fracs.append(float((h.numpy() <= 0).all(axis=0).mean()))
    return float(np.mean(fracs))


@trial
def one_run(config):
    """One activation at one rate: dead fraction (mean of the two hidden layers) every EVERY steps."""
    from chainrule import nn, optim

    train, val, _ = digits_split()
    X, y, probe = train.X, train.y, train.X[:512]
    rng = seeded(config)  # the same weights and batches for both activations
    model = build_mlp([64, 128, 128, 10], config["act"])
    opt = optim.SGD(model.parameters(), lr=config["lr"])
    loss_fn = nn.CrossEntropyLoss()
    steps, dead, step = [], [], 0
    for _ in range(EPOCHS):
        for idx in batches(len(X), 32, rng):
            if step % EVERY == 0:
                steps.append(step)
                dead.append(dead_fraction(model, probe))
            loss = loss_fn(model(cr.from_numpy(X[idx])), cr.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
    steps.append(step)
    dead.append(dead_fraction(model, probe))
    return {"steps": steps, "dead": dead, "final_dead": dead[-1], "peak_dead": max(dead),
            "recovered": max(dead) - dead[-1], "val_acc": evaluate_accuracy(model, val.X, val.y)}


def run(ctx):
    configs = [{"act": a, "lr": lr} for lr in LRS for a in ACTS]
    res = dict(zip(((c["act"], c["lr"]) for c in configs), ctx.map(one_run, configs)))
    st = {(a, lr, k): Stat.of([r[k] for r in res[a, lr]]) for a in ACTS for lr in LRS
          for k in ("final_dead", "peak_dead", "recovered", "val_acc")}
    lo, hi = LRS
    acc_gap = paired([r["val_acc"] for r in res["leaky_relu", hi]], [r["val_acc"] for r in res["relu", hi]])
    dead_gap = paired([r["final_dead"] for r in res["relu", hi]], [r["final_dead"] for r in res["relu", lo]])
    ctx.record(lrs=list(LRS), epochs=EPOCHS, seeds=ctx.seeds,
               summary={f"{LABEL[a]}_lr{lr:g}": {k: st[a, lr, k] for k in ("final_dead", "peak_dead", "recovered",
                                                                          "val_acc")} for a in ACTS for lr in LRS},
               leaky_minus_relu_val_acc_at_high_lr=acc_gap, relu_dead_high_minus_low=dead_gap)
    d_hi, rec = st["relu", hi, "final_dead"], st["relu", hi, "recovered"]
    dies = sign_verdict(dead_gap)
    stays = rec.hi < 0.05
    ctx.claim("dead-relu", textbook="A ReLU whose pre-activation is ≤ 0 for every input gets zero gradient and stays "
              "dead (unless the layers before it move its inputs); large steps make more of them.",
              measured=f"ReLU units dead on every probe digit after {EPOCHS} epochs: "
                       f"{st['relu', lo, 'final_dead'].pm(pct=1)} "
              f"at lr {lo:g}, {d_hi.pm(pct=1)} at lr {hi:g} (peak {st['relu', hi, 'peak_dead'].pm(pct=1)}; came back: "
              f"{rec.pm(pct=1)}) — {ctx.n_seeds}.",
              verdict="supported" if dies == "supported" and stays else "partly supported" if dies == "supported"
              else dies, stats={"relu_dead_lr1": d_hi, "relu_recovered_lr1": rec, "dead_high_minus_low": dead_gap})
    leaky_acc, relu_acc = st["leaky_relu", hi, "val_acc"], st["relu", hi, "val_acc"]
    ctx.claim("leaky-fix", textbook="LeakyReLU passes 1% of the gradient for h < 0, so a unit on its negative side "
              "can still learn and move back; whether the network then trains better depends on the run.",
              measured=f"At lr {hi:g}: LeakyReLU units on the negative side for every input "
              f"{st['leaky_relu', hi, 'final_dead'].pm(pct=1)} (came back "
              f"{st['leaky_relu', hi, 'recovered'].pm(pct=1)}); "
              f"validation accuracy LeakyReLU {leaky_acc.pm(pct=1)} vs ReLU {relu_acc.pm(pct=1)}, paired difference "
              f"{acc_gap.pm(pct=1)}.", verdict=sign_verdict(acc_gap),
              stats={"leaky_minus_relu_val_acc": acc_gap, "leaky_val_acc": leaky_acc, "relu_val_acc": relu_acc})
    _figure(ctx, res, st)
    ctx.conclude(f"At lr {hi:g}, {d_hi.pm(pct=1)} of the ReLU units end dead (at lr {lo:g}: "
                 f"{st['relu', lo, 'final_dead'].pm(pct=1)}), and only "
                 f"{rec.pm(pct=1)} come back. LeakyReLU's validation "
                 f"accuracy minus ReLU's at lr {hi:g}: {acc_gap.pm(pct=1)} ({ctx.n_seeds})."
                 + (" The spread covers zero: the single-seed headline (75% vs 27%) does not hold up."
                    if acc_gap.covers(0) else ""))


def _figure(ctx, res, st):
    fig, axes = panels(1, len(LRS) + 1, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    colors = {"relu": "tab:red", "leaky_relu": "tab:blue"}
    for ax, lr in zip(axes, LRS):
        for a in ACTS:
            runs = res[a, lr]
            band(ax, runs[0]["steps"], [r["dead"] for r in runs], color=colors[a],
                 label=f"{LABEL[a]} (val acc {st[a, lr, 'val_acc'].pm(pct=1)})")
        ax.set(title=f"SGD lr = {lr:g}", xlabel="training step (batch 32)", ylim=(-0.02, 1.02))
        ax.legend(loc="upper left", fontsize=7)
    axes[0].set_ylabel("units with h ≤ 0 on every probe input")
    ax = axes[-1]
    hi = LRS[-1]
    for i, a in enumerate(ACTS):
        v = st[a, hi, "val_acc"]
        ax.errorbar([i], [100 * v.mean], yerr=[100 * v.sd], fmt="o", capsize=4, color=colors[a])
    for r, l in zip(res["relu", hi], res["leaky_relu", hi]):  # one grey line per seed: the paired comparison
        ax.plot([0.1, 0.9], [100 * r["val_acc"], 100 * l["val_acc"]], color="0.5", lw=0.8, marker=".", ms=4)
    ax.set(xticks=[0, 1], xticklabels=[LABEL[a] for a in ACTS], xlim=(-0.5, 1.5), ylabel="validation accuracy (%)",
           title=f"lr {hi:g}: validation accuracy (lines: seeds)")
    fig.suptitle(f"Dead units during {EPOCHS} epochs on digits (64-128-128-10), mean ± s.d. over {ctx.n_seeds}")
    ctx.figure(fig, "dead_units.png", "Fraction of hidden units whose pre-activation is ≤ 0 for all 512 probe digits "
               "(band: ± s.d. over seeds), at a moderate and a high learning rate; right: validation accuracy per "
               "seed at the high rate. For ReLU these units are dead (zero "
               "gradient); LeakyReLU's still learn at slope 0.01.")
