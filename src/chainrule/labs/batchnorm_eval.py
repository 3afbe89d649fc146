"""Lab ``batchnorm-eval``: what batch norm does at test time, what forgetting ``model.eval()`` costs, and
why its formula needs ε.

In training, ``BatchNorm1d`` normalises with the batch's own mean and variance and keeps exponential moving
averages of them (``running = 0.9·running + 0.1·batch``). ``model.eval()`` switches to those averages, so
a test example's output no longer depends on the other examples of its batch. Left in training mode, the
network normalises each test batch by itself — fine for a large batch drawn like the training data,
increasingly wrong for small ones — and every test batch also overwrites the running averages.
The normalisation divides by √(σ²_B + ε): a feature that is constant within a batch (a blank pixel at
the border of every digit, a dead ReLU) has σ²_B = 0, and without ε that is 0/0.

Measured per seed: a 64 → 64 → 64 → 10 ReLU MLP with batch norm, trained 100 steps; test accuracy in eval
mode, with the exact training-set statistics instead of the moving averages, and in training mode on test
batches of 2 … 270; the drift of the running averages after one pass over the test set in training mode;
and batch norm on a batch of raw digits with ε = 0.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import predict, train_tracked
from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

SIZES = (2, 8, 32, 270)
STEPS = 100


def _acc_train_mode(model, X, y, b, rng):
    """Accuracy with the model left in training mode, test batches of size b (no gradient)."""
    model.train()
    order, right = rng.permutation(len(X)), 0
    with cr.no_grad():
        for i in range(0, len(X) - b + 1, b):
            idx = order[i:i + b]
            right += int((model(cr.from_numpy(X[idx])).numpy().argmax(1) == y[idx]).sum())
    return right / (len(X) // b * b)


def _population_stats(model, X):
    """Replace every BN layer's running averages by the exact mean/variance over X (a copy of the buffers)."""
    from chainrule import nn

    h, saved = cr.from_numpy(X), []
    model.eval()
    with cr.no_grad():
        for m in model:
            if isinstance(m, nn.BatchNorm1d):
                a = h.numpy()
                saved.append((m, m.running_mean.numpy().copy(), m.running_var.numpy().copy()))
                m.running_mean.copy_(cr.from_numpy(a.mean(0)))
                m.running_var.copy_(cr.from_numpy(a.var(0, ddof=1)))
            h = m(h)
    return saved


@trial
def one_seed(config):
    import chainrule.nn.functional as F
    from chainrule import nn, optim

    train, _, test = digits_split()
    rng = seeded(config)
    model = build_mlp([64, 64, 64, 10], "relu", batchnorm=True)
    train_tracked(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9), train.X, train.y, STEPS, 64, rng,
                  every=0)
    out = {"eval": float((predict(model, test.X).argmax(1) == test.y).mean())}
    out["train_mode"] = {str(b): _acc_train_mode(model, test.X, test.y, b, rng) for b in SIZES[:-1]}
    bns = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    before = [m.running_mean.numpy().copy() for m in bns]
    out["train_mode"][str(SIZES[-1])] = _acc_train_mode(model, test.X, test.y, SIZES[-1], rng)
    # the passes above ran in training mode: the running means moved; measure by how much, then restore them
    moved = [float(np.linalg.norm(m.running_mean.numpy() - b) / max(np.linalg.norm(b), 1e-12)) for m, b in
             zip(bns, before)]
    out["eval_after_train_mode_passes"] = float((predict(model, test.X).argmax(1) == test.y).mean())
    out["running_mean_drift"] = float(np.mean(moved))
    saved = _population_stats(model, train.X)
    out["eval_population_stats"] = float((predict(model, test.X).argmax(1) == test.y).mean())
    out["ema_vs_population_mean"] = float(np.mean([np.linalg.norm(rm - m.running_mean.numpy()) /
                                                   max(np.linalg.norm(m.running_mean.numpy()), 1e-12)
                                                   for m, rm, _ in saved]))
    raw = cr.from_numpy(train.X[rng.choice(len(train.X), 64, replace=False)])
    ones, zeros = cr.ones(64), cr.zeros(64)
    for eps in (0.0, 1e-5):
        with np.errstate(divide="ignore", invalid="ignore"):  # ε = 0 divides by zero: the NaNs are the point
            y = F.batch_norm(raw, None, None, ones, zeros, training=True, eps=eps).numpy()
        out[f"nan_features_eps{eps:g}"] = float(np.isnan(y).any(0).mean())
    return out


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    ev = Stat.of([r["eval"] for r in res])
    tm = {b: Stat.of([r["train_mode"][str(b)] for r in res]) for b in SIZES}
    pop = Stat.of([r["eval_population_stats"] for r in res])
    drift = Stat.of([r["running_mean_drift"] for r in res])
    after = Stat.of([r["eval_after_train_mode_passes"] for r in res])
    ema_gap = Stat.of([r["ema_vs_population_mean"] for r in res])
    nan0, nan5 = (Stat.of([r[f"nan_features_eps{e:g}"] for r in res]) for e in (0.0, 1e-5))
    small = paired([r["eval"] for r in res], [r["train_mode"]["2"] for r in res])
    large = paired([r["eval"] for r in res], [r["train_mode"][str(SIZES[-1])] for r in res])
    ctx.record(steps=STEPS, sizes=list(SIZES), seeds=ctx.seeds, eval_acc=ev, train_mode_acc=tm,
               population_stats_acc=pop, ema_vs_population_rel_diff=ema_gap, running_mean_drift=drift,
               eval_acc_after_train_mode_passes=after, eval_minus_train_mode_b2=small,
               eval_minus_train_mode_full=large, nan_features_eps0=nan0, nan_features_eps1e5=nan5)
    ctx.claim("bn-eval", textbook="At test time BN uses the moving averages collected in training (model.eval()); "
              "left in training mode it normalises each test batch by its own statistics — an example's output "
              "then depends on its batch-mates, badly so for small batches — "
              "and the test batches overwrite the running averages.",
              measured=f"Test accuracy in eval mode {ev.pm(pct=1)} (with the exact training-set statistics instead "
              f"of the moving averages {pop.pm(pct=1)}; the averages differ from them by {ema_gap.pm(2)} relative). "
              f"Forgetting model.eval(): " + ", ".join(f"batch {b} {tm[b].pm(pct=1)}" for b in SIZES)
              + f"; eval − train mode at batch 2: {small.pm(pct=1)}, at batch {SIZES[-1]}: {large.pm(pct=1)}. One test "
              f"pass in training mode moved the running means by {drift.pm(2)} (relative) ({ctx.n_seeds}).",
              verdict="supported" if sign_verdict(small) == "supported" and drift.lo > 0 else "partly supported",
              stats={"eval_minus_train_b2": small, "eval_minus_train_full": large, "eval_acc": ev})
    ctx.claim("bn-eps", textbook="ĥ = (h − μ_B)/√(σ²_B + ε): ε keeps the division finite when a feature is constant "
              "in the batch (σ²_B = 0), as blank border pixels and dead ReLUs are.",
              measured=f"Batch norm over a batch of 64 raw digits: features with NaN outputs {nan0.pm(pct=1)} with "
              f"ε = 0, {nan5.pm(pct=1)} with ε = 1e-5.",
              verdict="contradicted" if nan0.lo > 0 and nan5.hi == 0 else "unresolved",  # on the slide's form
              stats={"nan_eps0": nan0, "nan_eps1e-5": nan5})
    _figure(ctx, res, ev, tm, pop)
    ctx.conclude(f"In eval mode the network scores {ev.pm(pct=1)} on the test digits. With model.eval() forgotten the "
                 f"accuracy falls to {tm[2].pm(pct=1)} for test batches of 2 "
                 f"(eval − train mode {small.pm(pct=1)}); with "
                 f"the whole test set as one batch the difference is {large.pm(pct=1)} — a large batch drawn like the "
                 f"training data normalises itself well — and that pass moves the running means by {drift.pm(2)}. "
                 "The moving averages work about as well "
                 f"as the exact training statistics ({pop.pm(pct=1)}). Without ε, {nan0.pm(pct=1)} of a raw digit "
                 f"batch's features come out NaN (blank pixels: 0/0) ({ctx.n_seeds}).")


def _figure(ctx, res, ev, tm, pop):
    fig, axes = panels(1, 2, (12, 3.9), left=0.07, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    b = np.array(SIZES)
    axes[0].errorbar(b, [100 * tm[s].mean for s in SIZES], yerr=[100 * tm[s].sd for s in SIZES], marker="o",
                     capsize=3, color="tab:red", label="training mode (model.eval() forgotten)")
    axes[0].axhline(100 * ev.mean, color="tab:blue", label=f"eval mode (moving averages): {ev.pm(pct=1)}")
    axes[0].axhspan(100 * ev.lo, 100 * ev.hi, color="tab:blue", alpha=0.15)
    axes[0].axhline(100 * pop.mean, color="tab:green", ls="--",
                    label=f"eval with exact training stats: {pop.pm(pct=1)}")
    axes[0].set(xscale="log", xticks=b, xticklabels=[str(s) for s in SIZES], xlabel="test batch size",
                ylabel="test accuracy (%)", title="test time: eval mode or not")
    axes[0].legend(fontsize=7, loc="lower right")
    ax = axes[1]
    for k, eps in enumerate((0.0, 1e-5)):
        v = np.array([r[f"nan_features_eps{eps:g}"] for r in res]) * 100
        ax.bar(k, v.mean(), yerr=v.std(ddof=1) if len(v) > 1 else None, capsize=3,
               color=["tab:red", "tab:blue"][k], alpha=0.8)
        ax.plot(np.full(len(v), k + 0.1), v, "k.", ms=4)
        ax.annotate(f"{v.mean():.1f}%", (k, v.max()), xytext=(0, 4), textcoords="offset points", ha="center",
                    fontsize=8)
    ax.set(xticks=[0, 1], xticklabels=["ε = 0 (the slide)", "ε = 1e-5"], ylabel="% of features that are NaN",
           title="batch norm on a batch of 64 raw digits (blank pixels: 0/0)")
    fig.suptitle(f"Batch norm at test time and its ε (64-64-64-10 ReLU + BN on digits, {ctx.n_seeds})")
    ctx.figure(fig, "eval.png", "Left: test accuracy in eval mode and, with model.eval() forgotten, in training mode "
               "for test batches of 2 to 270. Right: without ε, a feature "
               "that is constant in the batch divides 0 by 0.")
