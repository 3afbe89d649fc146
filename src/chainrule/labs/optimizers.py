"""Lab ``optimizers``: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam on 2-D surfaces and on digits,
each at its own best learning rate.

The update rules (as in ``chainrule.optim``, PyTorch's forms), for a gradient g:

    SGD       θ ← θ − η g
    momentum  v ← μ v + g;            θ ← θ − η v          (μ = 0.9)
    Nesterov  v ← μ v + g;            θ ← θ − η (g + μ v)  (the look-ahead, in PyTorch's reformulation)
    Adagrad   s ← s + g²;             θ ← θ − η g / (√s + ε)
    RMSprop   s ← α s + (1 − α) g²;   θ ← θ − η g / (√s + ε)          (α = 0.99)
    Adam      m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − η m̂ / (√v̂ + ε)  (bias-corrected m̂, v̂)

Surfaces: Rosenbrock (a curved ravine, minimum at (1, 1)), started near (−1.5, 2) — each seed moves the start
a little — with each optimizer at the best rate of one grid; and the saddle x² − y² started next to its saddle
point (|y₀| between 10⁻⁴ and 10⁻² per seed), all at one rate, counting the steps to escape (|y| > 1). On
digits the same MLP trains with each optimizer at each rate of a small grid (four rates a factor √10 apart,
the top one meant to be too high), and the best is its result. Training is short (60 steps), which favours
large rates.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import train_tracked
from ._figs import bars, panels
from ._grid import at_edge, best_rates, run_grid
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

NAMES = ("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")
COLORS = dict(zip(NAMES, ("black", "tab:blue", "tab:cyan", "tab:green", "tab:orange", "tab:red")))
SURFACE_GRID = (1e-3, 1e-2, 0.1, 1.0)
DIGITS_GRID = {"SGD": (0.1, 0.3, 1.0, 3.0), "momentum": (0.03, 0.1, 0.3, 1.0), "Nesterov": (0.03, 0.1, 0.3, 1.0),
               "Adagrad": (0.03, 0.1, 0.3, 1.0), "RMSprop": (3e-3, 1e-2, 3e-2, 0.1), "Adam": (3e-3, 1e-2, 3e-2, 0.1)}
SADDLE_LR, STEPS, DIGIT_STEPS = 0.01, 200, 60


def make(name, params, lr):
    from chainrule import optim

    return {"SGD": lambda: optim.SGD(params, lr=lr),
            "momentum": lambda: optim.SGD(params, lr=lr, momentum=0.9),
            "Nesterov": lambda: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
            "Adagrad": lambda: optim.Adagrad(params, lr=lr),
            "RMSprop": lambda: optim.RMSprop(params, lr=lr),
            "Adam": lambda: optim.Adam(params, lr=lr)}[name]()


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def saddle(x, y):
    return x * x - y * y


def trajectory(f, start, name, lr, steps, escape=None):
    """Positions of ``steps`` optimizer steps on f (the engine computes ∇f); None if it diverges. With
    ``escape``, stop once |y| exceeds it: a saddle has no bottom to converge to."""
    from chainrule import nn

    p = nn.Parameter(cr.tensor(start, dtype=cr.float64))
    opt = make(name, [p], lr)
    value = p.detach().numpy()  # shares p's memory: copied into the path at each step
    path = [value.copy()]
    for _ in range(steps):
        loss = f(p[0], p[1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if not np.isfinite(value).all() or np.abs(value).max() > 1e3:
            return None
        path.append(value.copy())
        if escape is not None and abs(value[1]) > escape:
            break
    return np.array(path)


@trial
def surfaces(config):
    """Rosenbrock at each optimizer's best grid rate; the saddle's escape time at one shared rate."""
    rng = seeded(config)
    start = (-1.5 + 0.1 * rng.standard_normal(), 2.0 + 0.1 * rng.standard_normal())
    y0 = rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-4, -2)
    out = {"start": start, "rosenbrock": {}, "saddle": {}}
    for name in NAMES:
        best = None
        for lr in SURFACE_GRID:
            path = trajectory(rosenbrock, start, name, lr, STEPS)
            if path is not None and (best is None or rosenbrock(*path[-1]) < best[0]):
                best = (float(rosenbrock(*path[-1])), lr, path)
        out["rosenbrock"][name] = {"final_f": best[0], "lr": best[1], "path": best[2][::4] if config["draw"] else []}
        path = trajectory(saddle, (-1.0, y0), name, SADDLE_LR, STEPS, escape=1.0)
        esc = None if path is None or abs(path[-1][1]) <= 1 else len(path) - 1
        out["saddle"][name] = {"steps_to_escape": esc, "path": path[::2] if config["draw"] and path is not None else []}
    return out


@trial
def digits_run(config):
    """One optimizer at one rate on digits: the mean training loss of the last 10 steps."""
    train, _, _ = digits_split()
    rng = seeded(config)  # the same weights and batches for every optimizer and rate
    model = build_mlp([64, 64, 10], "relu")
    tr = train_tracked(model, make(config["opt"], model.parameters(), config["lr"]), train.X, train.y, DIGIT_STEPS,
                       64, rng, every=0)
    ok = len(tr["loss"]) == DIGIT_STEPS and np.isfinite(tr["loss"]).all()
    return {"final_loss": float(np.mean(tr["loss"][-10:])) if ok else None, "loss": tr["loss"] if ok else None}


def _escape_words(stat, escaped, seeds):
    return stat.pm(2) if escaped == seeds else "never" if not escaped else f"{escaped}/{seeds} seeds"


def _spread(values):
    """Worst/best final loss over the rates that did not diverge."""
    v = [x for x in values if x is not None]
    return max(v) / min(v) if len(v) > 1 else None


def run(ctx):
    surf = ctx.map(surfaces, [{"draw": True}])[0]
    runs = run_grid(ctx, digits_run, NAMES, DIGITS_GRID, key="opt")
    best = best_rates(runs, NAMES, DIGITS_GRID, "final_loss")
    loss = {n: Stat.of([r["final_loss"] for r in runs[n, best[n]]]) for n in NAMES}
    sgd = [r["final_loss"] for r in runs["SGD", best["SGD"]]]
    vs_sgd = {n: paired(sgd, [r["final_loss"] for r in runs[n, best[n]]]) for n in NAMES[1:]}
    ros = {n: Stat.of([s["rosenbrock"][n]["final_f"] for s in surf]) for n in NAMES}
    esc = {n: Stat.of([s["saddle"][n]["steps_to_escape"] for s in surf]) for n in NAMES}
    escaped = {n: sum(s["saddle"][n]["steps_to_escape"] is not None for s in surf) for n in NAMES}
    # "the learning rate matters most": the loss range across one optimizer's grid vs across optimizers' bests
    lr_range = {n: Stat.of([_spread([r["final_loss"] for r in rr])
                            for rr in zip(*(runs[n, lr] for lr in DIGITS_GRID[n]))]) for n in NAMES}
    opt_range = Stat.of([max(v) / min(v) for v in zip(*(loss[n].values for n in NAMES))])
    edges = at_edge(best, DIGITS_GRID)
    ctx.record(steps=STEPS, digit_steps=DIGIT_STEPS, surface_grid=list(SURFACE_GRID), digits_grid=DIGITS_GRID,
               seeds=ctx.seeds, rosenbrock_final_f=ros, rosenbrock_lr={n: [s["rosenbrock"][n]["lr"] for s in surf]
                                                                        for n in NAMES},
               saddle_steps_to_escape=esc, saddle_escaped=escaped, digits_best_lr=best, digits_final_loss=loss,
               sgd_minus=vs_sgd, loss_range_over_lr_grid=lr_range, loss_range_over_optimizers=opt_range,
               best_lr_at_grid_edge=edges)
    verdicts = [sign_verdict(v) for v in vs_sgd.values()]
    faster = [n for n, v in zip(NAMES[1:], verdicts) if v == "supported"]
    ctx.claim("optimizers", textbook="Momentum accumulates consistent gradients (faster along ravines, out of "
              "saddles); adaptive methods divide each coordinate's step by its gradient scale. Compared fairly, each "
              "at its own best rate, the gaps shrink; a badly chosen rate costs more than the choice of optimizer.",
              measured=f"Digits (64-64-10 ReLU, {DIGIT_STEPS} steps, each at its best of 4 rates, {ctx.n_seeds}): "
              "final training loss " + ", ".join(f"{n} {loss[n].pm(3)} (lr {best[n]:g})" for n in NAMES)
              + f"; better than SGD beyond the spread: {', '.join(faster) or 'none'}. Rosenbrock after {STEPS} steps "
              "at each one's best rate: " + ", ".join(f"{n} f = {ros[n].pm(2)}" for n in NAMES) + f". Saddle (lr "
              f"{SADDLE_LR}): steps to escape " + ", ".join(f"{n} {esc[n].pm(2)}" if escaped[n] == len(surf) else
                                                            f"{n} {escaped[n]}/{len(surf)} escaped" for n in NAMES)
              + ". Loss ratio worst/best rate within one optimizer's grid (rates that did not diverge): SGD "
                f"×{lr_range['SGD'].pm(2)}, Adam "
              f"×{lr_range['Adam'].pm(2)}; across optimizers at their best rates ×{opt_range.pm(2)}.",
              verdict="supported" if len(faster) >= 3 and lr_range["SGD"].mean > opt_range.mean else
              "partly supported" if faster or lr_range["SGD"].mean > opt_range.mean else "unresolved",
              stats={**{f"sgd_minus_{n}": v for n, v in vs_sgd.items()}, "range_lr_sgd": lr_range["SGD"],
                     "range_optimizers": opt_range})
    _figures(ctx, surf, runs, best, loss)
    ctx.conclude(f"Each optimizer at its best rate ({ctx.n_seeds}). Digits, final training loss: "
                 + ", ".join(f"{n} {loss[n].pm(3)}" for n in NAMES)
                 + f" — better than SGD beyond the spread: {', '.join(faster) or 'none'}. Rosenbrock: "
                 + ", ".join(f"{n} {ros[n].pm(2)}" for n in sorted(NAMES, key=lambda n: ros[n].mean))
                 + ". Saddle escape (steps): " + ", ".join(f"{n} {_escape_words(esc[n], escaped[n], len(surf))}"
                                                         for n in NAMES)
                 + f". Within SGD's grid (rates that did not diverge) the loss varies ×{lr_range['SGD'].pm(2)}; the "
                   "optimizers' bests differ by "
                   f"×{opt_range.pm(2)}." + (f" Best rate at the grid's edge: {', '.join(edges)}." if edges else ""))


def _figures(ctx, surf, runs, best, loss):
    fig, axes = panels(1, 4, (17, 4.3), left=0.04, right=0.99, bottom=0.14, top=0.82, wspace=0.3)
    gx, gy = np.meshgrid(np.linspace(-2, 2.2, 150), np.linspace(-1, 4.2, 150))
    z = rosenbrock(gx, gy)
    axes[0].contourf(gx, gy, np.log10(z + 1e-3), levels=20, cmap="Greys", alpha=0.5)
    s0 = surf[0]
    for n in NAMES:
        p = np.asarray(s0["rosenbrock"][n]["path"])
        axes[0].plot(p[:, 0], p[:, 1], color=COLORS[n], lw=1.3, label=f"{n} (lr {s0['rosenbrock'][n]['lr']:g})")
    axes[0].plot(*s0["start"], "k^", ms=8)
    axes[0].plot(1, 1, "k*", ms=12)
    axes[0].set(xlim=(-2, 2.2), ylim=(-1, 4.2), title="Rosenbrock, each at its best rate (first seed)")
    axes[0].legend(fontsize=6, loc="lower right")
    axes[0].grid(False)
    gx, gy = np.meshgrid(np.linspace(-1.2, 1.2, 100), np.linspace(-1.5, 1.5, 100))
    axes[1].contourf(gx, gy, saddle(gx, gy), levels=20, cmap="Greys", alpha=0.5)
    for n in NAMES:
        p = np.asarray(s0["saddle"][n]["path"])
        if len(p):
            axes[1].plot(p[:, 0], p[:, 1], color=COLORS[n], lw=1.3, label=n)
    axes[1].set(title=f"saddle x² − y², all at lr {SADDLE_LR} (first seed)", xlim=(-1.2, 1.2), ylim=(-1.5, 1.5))
    axes[1].legend(fontsize=6)
    axes[1].grid(False)
    for n in NAMES:
        rr = runs[n, best[n]]
        axes[2].plot(np.arange(1, len(rr[0]["loss"]) + 1), np.exp(np.log(np.array([r["loss"] for r in rr])).mean(0)),
                     color=COLORS[n], label=f"{n} (lr {best[n]:g})")
    axes[2].set(yscale="log", xlabel="step (batch 64)", ylabel="minibatch loss", title="digits, each at its best rate")
    axes[2].legend(fontsize=6)
    bars(axes[3], list(NAMES), loss, colors=[COLORS[n] for n in NAMES], digits=2, horizontal=True)
    axes[3].set(xlabel=f"training loss, last 10 of {DIGIT_STEPS} steps", title="mean ± s.d. (dots: seeds)")
    fig.suptitle(f"Optimizers compared at their own best learning rates ({ctx.n_seeds}; ▲ start, ★ minimum)")
    ctx.figure(fig, "optimizers.png", "Left: paths on Rosenbrock (each optimizer at the rate of the grid that ends "
               "lowest) and on a saddle (one shared rate). Right: training loss on digits at each optimizer's best "
               "rate, and the final loss per optimizer (mean ± s.d.; dots: seeds).")
