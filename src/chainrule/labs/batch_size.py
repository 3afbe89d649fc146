"""Lab ``batch-size``: how the noise of a minibatch gradient falls with the batch size.

A minibatch gradient g_B is the mean of B per-example gradients drawn from the N training examples: it is an
unbiased estimate of the full gradient G, with E‖g_B − G‖² = (σ²/B)·(N − B)/(N − 1), where σ² is the
per-example variance (E‖gᵢ − G‖²) — the 1/B of a mean, times the correction for drawing without
replacement. Measured per seed: a 64 → 64 → 10 ReLU MLP after 30 SGD steps on digits; the full gradient, σ²
from the N per-example gradients, and ‖g_B − G‖² over 30 random batches for B = 1 … 512.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import train_tracked
from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat, compare

SIZES = (1, 4, 16, 64, 256, 512)
DRAWS = 30


def _grad(model, X, y):
    from chainrule import nn

    model.zero_grad()
    nn.CrossEntropyLoss()(model(cr.from_numpy(X)), cr.from_numpy(y)).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()]).astype(np.float64)


@trial
def one_seed(config):
    from chainrule import optim

    train, _, _ = digits_split()
    X, y = train.X, train.y
    rng = seeded(config)
    model = build_mlp([64, 64, 10], "relu")
    train_tracked(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9), X, y, 30, 64, rng, every=0)
    n = len(X)
    G = _grad(model, X, y)
    per = np.stack([_grad(model, X[i:i + 1], y[i:i + 1]) for i in rng.choice(n, 200, replace=False)])
    sigma2 = float(((per - G) ** 2).sum(1).mean())
    noise = {}
    for b in SIZES:
        noise[str(b)] = float(np.mean([((_grad(model, X[idx], y[idx]) - G) ** 2).sum()
                                       for idx in (rng.choice(n, b, replace=False) for _ in range(DRAWS))]))
    return {"sigma2": sigma2, "noise": noise, "n": n, "G2": float((G ** 2).sum())}


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    n = res[0]["n"]
    ratio = {b: Stat.of([r["noise"][str(b)] / (r["sigma2"] / b * (n - b) / (n - 1)) for r in res]) for b in SIZES}
    slope = Stat.of([np.polyfit(np.log(SIZES[:4]), np.log([r["noise"][str(b)] for b in SIZES[:4]]), 1)[0] for r in res])
    snr = {b: Stat.of([r["G2"] / r["noise"][str(b)] for r in res]) for b in SIZES}
    ctx.record(sizes=list(SIZES), draws=DRAWS, n_train=n, seeds=ctx.seeds, measured_over_theory=ratio,
               log_log_slope_small_batches=slope, signal_to_noise=snr)
    ctx.claim("batch-size", textbook="A minibatch gradient is a mean of B per-example gradients: unbiased, with "
              "E‖g_B − G‖² = (σ²/B)(N − B)/(N − 1) — noise ∝ 1/B for B ≪ N, and 0 at B = N.",
              measured=f"Slope of log noise against log B for B = 1–64: {slope.pm(3)} (theory −1). Measured / "
              "theory: " + ", ".join(f"B={b} {ratio[b].pm(2)}" for b in SIZES) + f" (N = {n}, {DRAWS} batches per "
              f"size, {ctx.n_seeds}). ‖G‖² / noise: {snr[1].pm(2)} at B = "
              f"1, {snr[SIZES[-1]].pm(2)} at B = {SIZES[-1]}.",
              verdict="supported" if compare(slope, -1.0, rel=0.1) == "supported" else "partly supported",
              stats={"slope": slope, **{f"ratio_B{b}": ratio[b] for b in (1, 64, 512)}})
    _figure(ctx, res, ratio, slope, n)
    ctx.conclude("The minibatch gradient's noise falls as 1/B: slope "
                 f"{slope.pm(3)} on a log-log plot for B = 1–64, and "
                 f"measured/theory = {ratio[64].pm(2)} at B = 64, {ratio[SIZES[-1]].pm(2)} at B = {SIZES[-1]} (where "
                 f"drawing without replacement from N = {n} matters). Signal to noise ‖G‖²/E‖g_B − G‖² grows from "
                 f"{snr[1].pm(2)} at B = 1 to {snr[SIZES[-1]].pm(2)} ({ctx.n_seeds}).")


def _figure(ctx, res, ratio, slope, n):
    fig, axes = panels(1, 2, (12, 3.9), left=0.07, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    b = np.array(SIZES, dtype=float)
    for k, r in enumerate(res):
        axes[0].plot(b, [r["noise"][str(s)] for s in SIZES], "o", color="tab:blue", ms=4,
                     label="measured (each seed)" if k == 0 else None)
        axes[0].plot(b, r["sigma2"] / b * (n - b) / (n - 1), "-", color="k", lw=0.8,
                     label="σ²/B·(N − B)/(N − 1)" if k == 0 else None)
    axes[0].set(xscale="log", yscale="log", xlabel="batch size B", ylabel="E‖g_B − G‖²",
                title=f"gradient noise: slope {slope.pm(3)} (theory −1)")
    axes[0].legend(fontsize=7)
    axes[1].errorbar(b, [ratio[s].mean for s in SIZES], yerr=[ratio[s].sd for s in SIZES], marker="o", capsize=3)
    axes[1].axhline(1, color="k", ls=":", lw=1)
    axes[1].set(xscale="log", xlabel="batch size B", ylabel="measured / theory", ylim=(0, 2),
                title=f"measured over theory ({DRAWS} batches per size)")
    fig.suptitle(f"Minibatch gradient noise on digits (64-64-10 ReLU after 30 steps; N = {n}; {ctx.n_seeds})")
    ctx.figure(fig, "noise.png", "Left: the squared distance between a minibatch gradient and the full gradient, "
               "against the batch size, with the sampling theory (line). Right: their ratio (mean ± s.d. over seeds).")
