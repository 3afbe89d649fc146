"""Lab ``elu-mean``: ELU's outputs have a mean closer to zero than ReLU's.

ELU(h) = h for h > 0 and α(e^h − 1) for h ≤ 0 (α = 1): the negative side saturates at −α instead of being
cut to 0, so negative inputs pull the mean down. For h ~ N(0, 1): E[ReLU(h)] = 1/√(2π) ≈ 0.399, while
E[ELU(h)] = 1/√(2π) + e^{1/2}Φ(−1) − 1/2 ≈ 0.161. Clevert et al. (2016) argue that mean activations near
zero bring the gradient closer to the natural gradient and speed up learning. Measured per seed: the
mean output of each hidden layer of a 4-hidden-layer MLP (width 64, He init, standardised digits) at
initialisation and after training, and the training loss, for ReLU and ELU from the same weights — each at
its best rate of a small grid (SGD + momentum).
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr

from ..nn.mlp import build_mlp
from ._common import is_activation, label, train_tracked
from ._figs import band, panels
from ._grid import best_rates, run_grid
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict
from .init import standardised_digits

ACTS = ("relu", "elu")
LABEL = {a: label(a) for a in ACTS}
DEPTH, WIDTH, STEPS = 4, 64, 60
LRS = (0.01, 0.03, 0.1)
EXPECTED = {"relu": 1 / math.sqrt(2 * math.pi),
            "elu": 1 / math.sqrt(2 * math.pi) + math.exp(0.5) * 0.5 * math.erfc(1 / math.sqrt(2)) - 0.5}


def _layer_means(model, x):

    means, h = [], cr.from_numpy(x)
    with cr.no_grad():
        for m in model:
            h = m(h)
            if is_activation(m):
                means.append(float(h.numpy().mean()))
    return means


@trial
def one_run(config):
    """One activation: N(0, 1) mean, per-layer mean output at init and after training, training error."""
    from chainrule import optim

    Xs, ys = standardised_digits()
    rng = seeded(config)
    f = {"relu": np.maximum, "elu": None}[config["act"]]
    z = rng.standard_normal(100_000)
    gauss = float(np.maximum(z, 0).mean() if f is not None else np.where(z > 0, z, np.expm1(z)).mean())
    model = build_mlp([64] + [WIDTH] * DEPTH + [10], config["act"], init="kaiming_normal")
    before = _layer_means(model, Xs[0])
    opt = optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9)
    tr = train_tracked(model, opt, Xs[0], ys[0], STEPS, 64, rng, every=0)
    return {"gaussian_mean": gauss, "mean_init": before, "mean_trained": _layer_means(model, Xs[0]),
            "loss": tr["loss"], "mean_loss": float(np.mean(tr["loss"]))}


def run(ctx):
    runs = run_grid(ctx, one_run, ACTS, LRS, key="act")
    best = best_rates(runs, ACTS, LRS, "mean_loss")
    res = {a: runs[a, best[a]] for a in ACTS}
    gauss = {a: Stat.of([r["gaussian_mean"] for r in res[a]]) for a in ACTS}
    init = {(a, i): Stat.of([r["mean_init"][i] for r in res[a]]) for a in ACTS for i in range(DEPTH)}
    trained = {(a, i): Stat.of([r["mean_trained"][i] for r in res[a]]) for a in ACTS for i in range(DEPTH)}
    avg_init = {a: Stat.of([np.mean(r["mean_init"]) for r in res[a]]) for a in ACTS}
    avg_trained = {a: Stat.of([np.mean(r["mean_trained"]) for r in res[a]]) for a in ACTS}
    closer = paired([abs(np.mean(r["mean_trained"])) for r in res["relu"]],
                    [abs(np.mean(r["mean_trained"])) for r in res["elu"]])
    err = {a: Stat.of([r["mean_loss"] for r in res[a]]) for a in ACTS}
    faster = paired([r["mean_loss"] for r in res["relu"]], [r["mean_loss"] for r in res["elu"]])
    ctx.record(depth=DEPTH, width=WIDTH, steps=STEPS, seeds=ctx.seeds, lr_grid=list(LRS), best_lr=best,
               expected_gaussian_mean=EXPECTED,
               gaussian_mean=gauss, mean_per_layer_init={f"{LABEL[a]}_layer{i + 1}": init[a, i] for a, i in init},
               mean_per_layer_trained={f"{LABEL[a]}_layer{i + 1}": trained[a, i] for a, i in trained},
               mean_over_layers_init=avg_init, mean_over_layers_trained=avg_trained,
               relu_minus_elu_abs_mean=closer, mean_training_loss=err, relu_minus_elu_mean_loss=faster)
    ctx.claim("elu", textbook=f"For h ~ N(0, 1), E[ReLU(h)] = 1/√(2π) = {EXPECTED['relu']:.3f} but E[ELU(h)] = "
              f"{EXPECTED['elu']:.3f}: the saturating negative side pulls the mean towards 0 (Clevert et al. 2016), "
              "which they argue speeds up learning.",
              measured=f"On N(0, 1) samples: ReLU {gauss['relu'].pm(3)}, ELU {gauss['elu'].pm(3)}. Mean hidden output "
              f"of a {DEPTH}-layer He-initialised MLP on standardised digits, averaged over layers: at init ReLU "
              f"{avg_init['relu'].pm(2)}, ELU {avg_init['elu'].pm(2)}; after {STEPS} steps ReLU "
              f"{avg_trained['relu'].pm(2)}, ELU {avg_trained['elu'].pm(2)} (|ReLU| − |ELU| {closer.pm(2)}). Training "
              f"loss averaged over the {STEPS} steps (lower = faster), each "
              f"at its best rate (ReLU {best['relu']:g}, ELU "
              f"{best['elu']:g}): ReLU {err['relu'].pm(3)}, ELU {err['elu'].pm(3)} "
              f"(ReLU − ELU {faster.pm(2)}).",
              verdict=("supported" if sign_verdict(closer) == "supported" and sign_verdict(faster) == "supported"
                       else "partly supported" if sign_verdict(closer) == "supported" else sign_verdict(closer)),
              stats={"relu_minus_elu_abs_mean": closer, "relu_minus_elu_mean_loss": faster,
                     "elu_gaussian_mean": gauss["elu"]})
    _figure(ctx, init, trained, res)
    ctx.conclude(f"ELU's mean output is closer to 0 than ReLU's: {gauss['elu'].pm(3)} "
                 f"vs {gauss['relu'].pm(3)} on N(0, 1) "
                 f"(theory {EXPECTED['elu']:.3f} vs {EXPECTED['relu']:.3f}); in the trained network "
                 f"{avg_trained['elu'].pm(2)} "
                 f"vs {avg_trained['relu'].pm(2)}. Training loss averaged over {STEPS} steps: ELU "
                 f"{err['elu'].pm(3)}, ReLU "
                 f"{err['relu'].pm(3)}" + (" — the spread of the difference covers zero." if faster.covers(0) else "."))


def _figure(ctx, init, trained, res):
    fig, axes = panels(1, 2, (11, 3.8), left=0.07, right=0.98, bottom=0.15, top=0.8, wspace=0.28)
    layers = np.arange(1, DEPTH + 1)
    colors = {"relu": "tab:red", "elu": "tab:green"}
    for a in ACTS:
        for st, ls, when in ((init, "--", "init"), (trained, "-", f"after {STEPS} steps")):
            m, s = [st[a, i].mean for i in range(DEPTH)], [st[a, i].sd for i in range(DEPTH)]
            axes[0].errorbar(layers, m, yerr=s, ls="none", capsize=3, color=colors[a])
            axes[0].plot(layers, m, ls=ls, marker="o", ms=3, color=colors[a], label=f"{LABEL[a]}, {when}")
        axes[0].axhline(EXPECTED[a], color=colors[a], ls=":", lw=1)
    axes[0].axhline(0, color="0.3", lw=0.8)
    axes[0].set(xlabel="hidden layer", ylabel="mean output", xticks=layers,
                title="mean activation per layer (dotted: N(0, 1) theory)")
    axes[0].legend(fontsize=7)
    for a in ACTS:
        band(axes[1], np.arange(1, STEPS + 1), [r["loss"] for r in res[a]], color=colors[a], label=LABEL[a], log=True)
    axes[1].set(xlabel="SGD step (batch 64)", ylabel="minibatch loss", title="training loss (band: ± s.d.)",
                yscale="log")
    axes[1].legend()
    fig.suptitle(f"ELU vs ReLU: {DEPTH} hidden layers of {WIDTH}, He init, "
                 f"standardised digits (mean ± s.d. over {ctx.n_seeds})")
    ctx.figure(fig, "mean.png", "Left: the mean output of each hidden layer at initialisation (dashed) and after "
               "training (solid); dotted: the mean for N(0, 1) inputs. Right: the training loss of each step.")
