"""Lab ``activations``: each activation and its derivative, and how fast the same MLP trains with each —
each activation at its own best learning rate.

The derivatives are not typed in: they come from the engine (``f(x).sum().backward()`` gives f'(x) in
``x.grad``), so the plot is also a check of the autograd. Then the same MLP (64 → 64 → 64 → 10, PyTorch's
default init, the same initial weights and batches for every activation at a seed) trains on the digits with
SGD + momentum 0.9, batch 64, at every rate of a small grid; for each activation the rate that reaches the
target fastest (mean over seeds) is its result — as Krizhevsky et al. (2012, Fig. 1) chose "the learning rates
for each network independently to make training as fast as possible". Their metric: epochs until a
4-layer convolutional network reaches 25 % training error on CIFAR-10 (ReLU ~6× fewer than tanh). Ours:
steps until this MLP reaches 10 % error on the digits' training set, measured every 5 steps.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.nn import activation_registry

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import first_reaching, label, train_tracked
from ._figs import band, bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, compare, sign_verdict

NAMES = ("sigmoid", "tanh", "relu", "elu")  # nn.activation_registry names (LeakyReLU, PReLU: their own labs)
LABEL = {a: label(a) for a in NAMES}
LRS = (0.1, 0.3, 1.0)
STEPS, BATCH, TARGET = 80, 64, 0.1


def curve(name, lo=-4.0, hi=4.0, n=401):
    """(x, f(x), f'(x)) with f' from the engine's backward pass."""
    x = cr.tensor(np.linspace(lo, hi, n), dtype=cr.float64, requires_grad=True)
    y = activation_registry.module(name).double()(x)
    y.sum().backward()
    return x.numpy(), y.detach().numpy(), x.grad.numpy()


@trial
def one_run(config):
    """One activation at one learning rate and seed: the training-error curve and the steps to TARGET."""
    train, _, _ = digits_split()
    rng = seeded(config)  # the same weights and batches for every activation and rate
    from chainrule import optim

    model = build_mlp([64, 64, 64, 10], config["act"])
    opt = optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9)
    out = train_tracked(model, opt, train.X, train.y, STEPS, BATCH, rng)
    hit = first_reaching([e if e is not None else np.inf for e in out["train_error"]], TARGET)
    return {"curve": out["train_error"], "steps": out["steps"],
            "steps_to_target": None if hit is None else out["steps"][hit - 1]}


def _score(runs):
    """Mean steps to target over seeds; a seed that never reached it counts as 2 × STEPS plus its final error
    (so among rates that never reach the target, the one that got closest ranks first)."""
    return float(np.mean([r["steps_to_target"] or 2 * STEPS + (1 if r["curve"][-1] is None else r["curve"][-1])
                          for r in runs]))


def run(ctx):
    configs = [{"act": a, "lr": lr} for a in NAMES for lr in LRS]
    res = dict(zip(((c["act"], c["lr"]) for c in configs), ctx.map(one_run, configs)))
    best = {a: min(LRS, key=lambda lr: _score(res[a, lr])) for a in NAMES}
    steps = {a: Stat.of([r["steps_to_target"] for r in res[a, best[a]]]) for a in NAMES}
    reached = {a: sum(r["steps_to_target"] is not None for r in res[a, best[a]]) for a in NAMES}
    final_err = {a: Stat.of([r["curve"][-1] for r in res[a, best[a]]]) for a in NAMES}

    def ratio(a):  # per seed: steps(a) / steps(ReLU), each at its best rate (None if either never reached)
        return Stat.of([None if x["steps_to_target"] is None or y["steps_to_target"] is None
                        else x["steps_to_target"] / y["steps_to_target"]
                        for x, y in zip(res[a, best[a]], res["relu", best["relu"]])])

    r_tanh, r_sig = ratio("tanh"), ratio("sigmoid")
    grid = {f"{LABEL[a]}@{lr:g}": {"mean_steps_to_target": _score(res[a, lr]),
                                    "reached": sum(r["steps_to_target"] is not None for r in res[a, lr])}
            for a in NAMES for lr in LRS}
    ctx.record(target_train_error=TARGET, steps=STEPS, batch=BATCH, lr_grid=list(LRS), seeds=ctx.seeds,
               best_lr={LABEL[a]: best[a] for a in NAMES}, steps_to_target={LABEL[a]: steps[a] for a in NAMES},
               reached={LABEL[a]: reached[a] for a in NAMES}, final_train_error={LABEL[a]: final_err[a] for a in NAMES},
               ratio_tanh_over_relu=r_tanh, ratio_sigmoid_over_relu=r_sig, grid=grid,
               max_derivative={LABEL[a]: float(np.abs(curve(a)[2]).max()) for a in NAMES})
    edge = [LABEL[a] for a in NAMES if best[a] in (LRS[0], LRS[-1])]

    def st(a):
        return (f"{LABEL[a]} {steps[a].pm(2)} (lr {best[a]:g}" + ("" if reached[a] == len(ctx.seeds) else
                f", reached in {reached[a]}/{len(ctx.seeds)} seeds") + ")")

    faster = sign_verdict(Stat.of([v - 1 for v in r_tanh.finite]))
    sig_faster = sign_verdict(Stat.of([v - 1 for v in r_sig.finite]))
    verdict = ("supported" if faster == sig_faster == "supported" else
               "partly supported" if "supported" in (faster, sig_faster) else
               "contradicted" if faster == sig_faster == "contradicted" else "unresolved")
    ctx.claim("relu-faster", textbook="ReLU does not saturate for h > 0 (f' = 1), so deep ReLU networks often "
              "train faster than sigmoid/tanh ones; how much depends on depth, data and learning rate.",
              measured=f"Steps to {TARGET:.0%} training error, each activation at its best rate from "
              f"{', '.join(f'{lr:g}' for lr in LRS)} ({ctx.n_seeds}): " + ", ".join(st(a) for a in NAMES)
              + f". Per seed, tanh needs {r_tanh.pm(times=True)} the steps of ReLU, sigmoid "
              f"{r_sig.pm(times=True)}.", verdict=verdict,
              stats={"steps_relu": steps["relu"], "steps_tanh": steps["tanh"], "steps_sigmoid": steps["sigmoid"],
                     "ratio_tanh_relu": r_tanh, "ratio_sigmoid_relu": r_sig})
    ctx.claim("relu-x6", textbook="Krizhevsky et al. (2012), Fig. 1: a 4-layer CNN on CIFAR-10 reaches 25% training "
              "error six times faster (in epochs) with ReLU than with tanh, each at its own best learning rate.",
              measured=f"Here (2-hidden-layer MLP on 8×8 digits, steps to {TARGET:.0%} training error, each at its "
              f"best rate): tanh/ReLU = {r_tanh.pm(times=True)}. A different network, data set and target: the ×6 is "
              f"{'inside' if compare(r_tanh, 6.0) == 'supported' else 'outside'} this interval.",
              verdict=compare(r_tanh, 6.0), stats={"ratio_tanh_relu": r_tanh})
    _figure(ctx, res, best, steps, reached)
    ctx.conclude(
        f"Each activation at its best learning rate ({ctx.n_seeds}), steps to {TARGET:.0%} training error: "
        + ", ".join(st(a) for a in NAMES) + f". tanh/ReLU = {r_tanh.pm(times=True)}, sigmoid/ReLU = "
        f"{r_sig.pm(times=True)} — not the ×6 of Krizhevsky et al. (a deep CNN on CIFAR-10, epochs to 25% error)."
        + (f" Best rate at the edge of the grid: {', '.join(edge)}." if edge else ""))


def _figure(ctx, res, best, steps, reached):
    fig, axes = panels(1, 4, (16, 4.2), left=0.04, right=0.99, bottom=0.14, top=0.8, wspace=0.32)
    colors = dict(zip(NAMES, ("tab:purple", "tab:orange", "tab:red", "tab:green")))
    ax = axes[0]
    for a in NAMES:
        x, _, d = curve(a)
        ax.plot(x, d, color=colors[a], label=LABEL[a])
    ax.set(title="f'(x) from the engine's backward pass", xlabel="x", ylim=(-0.1, 1.15))
    ax.legend(fontsize=7)
    ax = axes[1]
    for a in NAMES:
        runs = res[a, best[a]]
        n = min(len(r["curve"]) for r in runs)
        band(ax, runs[0]["steps"][:n], [[np.nan if v is None else v for v in r["curve"][:n]] for r in runs],
             color=colors[a], label=f"{LABEL[a]} (lr {best[a]:g})")
    ax.axhline(TARGET, color="k", ls=":", lw=1)
    ax.set(yscale="log", xlabel="SGD step (batch 64)", title="training error at each one's best rate",
           ylim=(0.01, 1))
    ax.legend(fontsize=7)
    order = sorted(NAMES, key=lambda a: steps[a].mean if steps[a].n else np.inf)
    bars(axes[2], [LABEL[a] for a in order], {LABEL[a]: steps[a] for a in order},
         colors=[colors[a] for a in order], horizontal=True, digits=2)
    axes[2].set(xlabel=f"steps to {TARGET:.0%} training error", title="mean ± s.d. over seeds (dots: seeds)",
                xlim=(0, STEPS * 1.45))
    for i, a in enumerate(order):
        if reached[a] < len(ctx.seeds):
            axes[2].text(2, i + 0.35, f"reached in {reached[a]}/{len(ctx.seeds)} seeds", fontsize=7)
    ax = axes[3]
    m = np.array([[_score(res[a, lr]) for lr in LRS] for a in NAMES])
    ax.imshow(m, cmap="viridis_r", aspect="auto", vmin=0, vmax=2 * STEPS)
    for i, a in enumerate(NAMES):
        for j, lr in enumerate(LRS):
            ax.text(j, i, ("never" if m[i, j] >= 2 * STEPS else f"{m[i, j]:.0f}") + (" ★" if lr == best[a] else ""),
                    ha="center", va="center", fontsize=8, color="w" if m[i, j] > STEPS else "k")
    ax.set(xticks=range(len(LRS)), xticklabels=[f"{lr:g}" for lr in LRS], yticks=range(len(NAMES)),
           yticklabels=[LABEL[a] for a in NAMES], xlabel="learning rate (SGD, momentum 0.9)",
           title="mean steps to target per rate (★ = best)")
    ax.grid(False)
    fig.suptitle(f"64-64-64-10 MLP on digits, each activation at its own best learning rate ({ctx.n_seeds}, "
                 "same initial weights and batches per seed)")
    ctx.figure(fig, "training_speed.png", "Left: each activation's derivative from the engine (sigmoid's never "
               "exceeds 1/4). Then: training error at each activation's best rate (mean ± s.d. band), the steps "
               "to 10% training error per activation (bars: mean ± s.d.; dots: seeds), and the learning-rate grid "
               "the best rate was picked from.")
