"""Lab ``go-deeper``: the second deck's scalar network, one sigmoid unit per layer, with numbers.

    h₁ = w₁x,  a₁ = σ(h₁),  hₖ = wₖaₖ₋₁,  aₖ = σ(hₖ)  (k = 2 … L),   L = ½(a_L − y)²

The chain rule gives the gradient of the first weight as one factor per layer:

    ∂L/∂w₁ = (a_L − y) · σ'(h_L) · w_L · σ'(h_{L−1}) · w_{L−1} ⋯ σ'(h₁) · x,     σ'(h) = σ(h)(1 − σ(h)) ≤ 1/4

so |∂L/∂w₁| ≤ |a_L − y|·|x|·Πₖ(|wₖ|/4) (with w₁ counted once less): unless the weights are large, it
shrinks geometrically with depth. The lab builds the chain on the engine for L = 1 … 12 (weights drawn per
seed from N(0, 1), x = 1, y = 0), checks the engine's ∂L/∂w₁ against the product of the factors above, and
fits the factor per layer. The slide's numbers are not in the sources: these weights are random, and the
first seed's depth-3 chain is printed value by value in numbers.json (``explain_depth3``; the same chain can be
stepped through with ``chainrule explain``).
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr

from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat, sign_verdict

DEPTHS = tuple(range(1, 13))
X, Y = 1.0, 0.0


def chain(ws):
    """(loss, ∂L/∂w for every w, the forward values h and a) for the scalar sigmoid chain, on the engine."""
    w = [cr.tensor(v, dtype=cr.float64, requires_grad=True) for v in ws]
    a, hs, acts = cr.tensor(X, dtype=cr.float64), [], []
    for wk in w:
        h = wk * a
        a = cr.sigmoid(h)
        hs.append(h.item())
        acts.append(a.item())
    loss = 0.5 * (a - Y) ** 2
    loss.backward()
    return loss.item(), [wk.grad.item() for wk in w], hs, acts


def by_product(ws, hs, acts):
    """∂L/∂w₁ as the product of one factor per layer (the slide's formula)."""
    g = (acts[-1] - Y)
    for k in range(len(ws) - 1, 0, -1):
        g *= acts[k] * (1 - acts[k]) * ws[k]
    return g * acts[0] * (1 - acts[0]) * X


@trial
def one_seed(config):
    rng = seeded(config)
    ws = rng.standard_normal(max(DEPTHS)).tolist()
    out = {"weights": ws, "grad_w1": {}, "by_product": {}, "grads_deepest": None}
    for d in DEPTHS:
        _, grads, hs, acts = chain(ws[:d])
        out["grad_w1"][str(d)] = grads[0]
        out["by_product"][str(d)] = by_product(ws[:d], hs, acts)
        if d == max(DEPTHS):
            out["grads_deepest"] = grads
        if d == 3:
            loss, g3, h3, a3 = chain(ws[:3])
            out["explain_depth3"] = {"w": ws[:3], "h": h3, "a": a3, "sigma_prime": [a * (1 - a) for a in a3],
                                     "dL_dw": g3, "loss": loss}
    return out


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    rel = max(abs(r["grad_w1"][str(d)] - r["by_product"][str(d)]) / max(abs(r["grad_w1"][str(d)]), 1e-300)
              for r in res for d in DEPTHS)
    logs = {d: Stat.of([math.log10(abs(r["grad_w1"][str(d)])) for r in res]) for d in DEPTHS}
    slopes = Stat.of([np.polyfit(DEPTHS, [math.log10(abs(r["grad_w1"][str(d)])) for d in DEPTHS], 1)[0] for r in res])
    factor = Stat.of([10 ** s for s in slopes.finite])
    ctx.record(depths=list(DEPTHS), x=X, y=Y, seeds=ctx.seeds, log10_grad_w1=logs, factor_per_layer=factor,
               engine_vs_product_max_rel_diff=rel, explain_depth3=res[0]["explain_depth3"],
               grads_depth12_first_seed=res[0]["grads_deepest"])
    ctx.claim("go-deeper", textbook="∂L/∂w₁ is a product of one factor σ'(hₖ)·wₖ per layer, each σ' ≤ 1/4: with "
              "weights of order 1 the first weight's gradient shrinks geometrically with depth (the vanishing "
              "gradient); the chain rule with numbers gives exactly the engine's value.",
              measured=f"Engine vs the product formula: largest relative difference {rel:.1e} over depths 1–"
              f"{max(DEPTHS)} and {ctx.n_seeds}. log10|∂L/∂w₁| falls from {logs[1].pm(2)} at depth 1 to "
              f"{logs[max(DEPTHS)].pm(2)} at depth {max(DEPTHS)}: a factor ×{factor.pm(2)} per layer (weights "
              "N(0, 1), x = 1, y = 0).",
              verdict="supported" if rel < 1e-10 and sign_verdict(Stat.of([1 - f for f in factor.finite]))
              == "supported" else "partly supported",
              stats={"factor_per_layer": factor, "log10_grad_w1_deepest": logs[max(DEPTHS)]})
    _figure(ctx, res, logs, factor)
    e = res[0]["explain_depth3"]
    ctx.conclude(f"The chain rule's product and the engine agree to {rel:.1e}. "
                 "Each layer multiplies the first weight's "
                 f"gradient by σ'(h)·w (σ' ≤ 1/4): ×{factor.pm(2)} per layer on average, so |∂L/∂w₁| goes from "
                 f"10^({logs[1].pm(2)}) with one layer to 10^({logs[max(DEPTHS)].pm(2)}) with {max(DEPTHS)} "
                 f"({ctx.n_seeds}). First seed, depth 3: h = " + ", ".join(f"{v:.3f}" for v in e["h"]) + "; σ' = "
                 + ", ".join(f"{v:.3f}" for v in e["sigma_prime"]) + "; ∂L/∂w = "
                 + ", ".join(f"{v:.2e}" for v in e["dL_dw"])
                 + ".")


def _figure(ctx, res, logs, factor):
    fig, axes = panels(1, 2, (12, 3.9), left=0.07, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    ax = axes[0]
    for r in res:
        ax.plot(DEPTHS, [abs(r["grad_w1"][str(d)]) for d in DEPTHS], color="0.6", lw=1, marker=".")
    ax.errorbar(DEPTHS, [10 ** logs[d].mean for d in DEPTHS], marker="o", color="tab:blue", label="geometric mean")
    ax.plot(DEPTHS, [0.25 ** d * 0.5 for d in DEPTHS], "k:", label="(1/4)^L · ½ (σ' at its largest, |w| = 1)")
    ax.set(yscale="log", xlabel="layers L", ylabel="|∂L/∂w₁|", xticks=DEPTHS,
           title=f"the first weight's gradient: ×{factor.pm(2)} per layer")
    ax.legend(fontsize=7)
    ax = axes[1]
    for r in res:
        g = np.abs(r["grads_deepest"])
        ax.plot(np.arange(1, len(g) + 1), g, marker="o", ms=3)
    ax.set(yscale="log", xlabel="weight k (1 = input side)", ylabel="|∂L/∂wₖ|", xticks=DEPTHS,
           title=f"every weight of the {max(DEPTHS)}-layer chain (one line per seed)")
    fig.suptitle(f"The scalar sigmoid chain x → σ(w₁x) → σ(w₂·) → …, weights N(0, 1) ({ctx.n_seeds})")
    ctx.figure(fig, "chain.png", "Left: |∂L/∂w₁| against the number of layers, every seed (grey) and their geometric "
               "mean, against σ''s bound of 1/4 per layer. Right: in the deepest chain the gradient is largest at the "
               "output end and shrinks towards the input.")
