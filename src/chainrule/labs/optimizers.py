"""Lab ``optimizers``: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam on 2-D surfaces and on digits.

The update rules (as in ``chainrule.optim``, PyTorch's forms), for a gradient g:

    SGD       θ ← θ − η g
    momentum  v ← μ v + g;            θ ← θ − η v          (μ = 0.9)
    Nesterov  v ← μ v + g;            θ ← θ − η (g + μ v)  (the look-ahead, in PyTorch's reformulation)
    Adagrad   s ← s + g²;             θ ← θ − η g / (√s + ε)
    RMSprop   s ← α s + (1 − α) g²;   θ ← θ − η g / (√s + ε)          (α = 0.99)
    Adam      m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − η m̂ / (√v̂ + ε)  (bias-corrected m̂, v̂)

Surfaces: Rosenbrock (a curved ravine, minimum at (1, 1)), Beale (flat plateaus and steep walls, minimum
at (3, 0.5)), and the saddle x² − y² started next to its saddle point. On Rosenbrock and Beale each optimizer
runs at its own best learning rate from one grid (a fair comparison: each at its best); on the saddle all
share one rate, and the lab counts the steps to escape (|y| > 1). On digits the same MLP trains with each at a
customary rate; then the learning-rate picture: too low, good, too high, for SGD and Adam.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from .. import plotting
from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import first_reaching, train_epoch

NAMES = ("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")
DIGITS_LR = {"SGD": 0.1, "momentum": 0.01, "Nesterov": 0.01, "Adagrad": 0.05, "RMSprop": 1e-3, "Adam": 1e-3}
LR_PICTURE = {"SGD": (1e-3, 0.1, 3.0), "Adam": (1e-5, 1e-3, 0.1)}
GRID = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
SADDLE_LR = 0.01


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


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y * y * y) ** 2


def saddle(x, y):
    return x * x - y * y


SURFACES = {  # f, start, minimum, plot box (x0, x1, y0, y1)
    "Rosenbrock": (rosenbrock, (-1.5, 2.0), (1.0, 1.0), (-2.0, 2.2, -1.0, 4.2)),
    "Beale": (beale, (1.0, 1.5), (3.0, 0.5), (-0.5, 4.0, -1.5, 2.0)),
    "saddle": (saddle, (-1.0, 1e-3), None, (-1.2, 1.2, -1.5, 1.5)),
}


def trajectory(f, start, name, lr, steps, escape=None):
    """Positions of ``steps`` optimizer steps on f (the engine computes ∇f); None if it diverges. With
    ``escape``, stop (successfully) once |y| exceeds it: a saddle has no bottom to converge to."""
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
        if escape is not None and np.isfinite(value).all() and abs(value[1]) > escape:
            path.append(value.copy())
            break
        if not np.isfinite(value).all() or np.abs(value).max() > 1e3:
            return None
        path.append(value.copy())
    return np.array(path)


def _surfaces(ctx, steps):
    out, paths = {}, {}
    for sname, (f, start, _, _) in SURFACES.items():
        for name in NAMES:
            if sname == "saddle":
                path = trajectory(f, start, name, SADDLE_LR, steps, escape=1.0)
                esc = None if path is None else next((i for i, q in enumerate(path) if abs(q[1]) > 1), None)
                out[sname, name] = {"lr": SADDLE_LR, "steps_to_escape": esc}
            else:
                best = None
                for lr in GRID:
                    path = trajectory(f, start, name, lr, steps)
                    if path is None:
                        continue
                    val = float(f(*path[-1]))
                    if best is None or val < best[0] - 1e-12:
                        best = (val, lr, path)
                val, lr, path = best
                out[sname, name] = {"best_lr": lr, "final_f": val,
                                    "distance_to_min": float(np.hypot(*(path[-1] - SURFACES[sname][2])))}
            paths[sname, name] = path
    return out, paths


def _digits_runs(ctx, train, epochs):
    from chainrule import nn

    curves = {}
    for name in NAMES:
        rng = ctx.reseed(7)  # same weights and batches for every optimizer
        model = build_mlp([64, 64, 64, 10], "relu")
        opt = make(name, model.parameters(), DIGITS_LR[name])
        curves[name] = [train_epoch(model, nn.CrossEntropyLoss(), opt, train.X, train.y, 32, rng)
                        for _ in range(epochs)]
    picture = {}
    for name, lrs in LR_PICTURE.items():
        for lr in lrs:
            rng = ctx.reseed(7)
            model = build_mlp([64, 64, 64, 10], "relu")
            opt = make(name, model.parameters(), lr)
            ls = []
            for _ in range(epochs):
                ls.append(train_epoch(model, nn.CrossEntropyLoss(), opt, train.X, train.y, 32, rng))
                if not np.isfinite(ls[-1]):
                    break
            picture[name, lr] = ls
    return curves, picture


def run(ctx):
    steps = ctx.size(quick=120, fast=300, full=1000)
    epochs = ctx.size(quick=4, fast=12, full=40)
    surf, paths = _surfaces(ctx, steps)
    train, _, _ = digits_split()
    curves, picture = _digits_runs(ctx, train, epochs)
    to_target = {k: first_reaching(v, 0.1) for k, v in curves.items()}
    pic = {f"{k}_lr{lr:g}": {"final_loss": (v[-1] if np.isfinite(v[-1]) else None), "diverged": not np.isfinite(v[-1])}
           for (k, lr), v in picture.items()}
    ctx.record(steps=steps, epochs=epochs, lr_grid=list(GRID),
               surfaces={f"{s}.{n}": v for (s, n), v in surf.items()},
               digits_lr=DIGITS_LR, digits_final_loss={k: v[-1] for k, v in curves.items()},
               digits_epochs_to_0_1=to_target, digits_curves=curves, lr_picture=pic)
    _figures(ctx, surf, paths, curves, picture, steps, epochs)

    ros = sorted(NAMES, key=lambda n: surf["Rosenbrock", n]["final_f"])
    esc = {n: surf["saddle", n]["steps_to_escape"] for n in NAMES}
    fast_esc = sorted((n for n in NAMES if esc[n] is not None), key=lambda n: esc[n])
    best_digits = min(curves, key=lambda k: curves[k][-1])
    sgd_lo, sgd_good, sgd_hi = (pic[f"SGD_lr{lr:g}"] for lr in LR_PICTURE["SGD"])
    adam_lo, adam_good, adam_hi = (pic[f"Adam_lr{lr:g}"] for lr in LR_PICTURE["Adam"])

    def fl(v):
        return "diverged (NaN)" if v["diverged"] else f"{v['final_loss']:.3g}"

    ctx.conclude(
        f"Rosenbrock after {steps} steps, each at its best rate: " + ", ".join(
            f"{n} f = {surf['Rosenbrock', n]['final_f']:.2g}" for n in ros) + ". Saddle (all at lr "
        f"{SADDLE_LR}): steps to escape " + ", ".join(f"{n} {esc[n]}" for n in fast_esc)
        + (", " + ", ".join(f"{n} never" for n in NAMES if esc[n] is None) if None in esc.values() else "")
        + " (SGD's step is proportional to the tiny gradient; momentum accumulates it; RMSprop and Adam divide "
        "it by its own running scale; Adagrad by its ever-growing sum). On digits after "
        f"{epochs} epochs the lowest training loss is {best_digits}'s ({curves[best_digits][-1]:.3g}; Adam "
        f"{curves['Adam'][-1]:.3g}, SGD {curves['SGD'][-1]:.3g}). Learning rate: SGD {LR_PICTURE['SGD'][0]:g} / "
        f"{LR_PICTURE['SGD'][1]:g} / "
        f"{LR_PICTURE['SGD'][2]:g} ends at {fl(sgd_lo)} / {fl(sgd_good)} / {fl(sgd_hi)}; Adam "
        f"{LR_PICTURE['Adam'][0]:g} / {LR_PICTURE['Adam'][1]:g} / {LR_PICTURE['Adam'][2]:g} at {fl(adam_lo)} / "
        f"{fl(adam_good)} / {fl(adam_hi)}.")


def _figures(ctx, surf, paths, curves, picture, steps, epochs):
    colors = dict(zip(NAMES, ("black", "tab:blue", "tab:cyan", "tab:green", "tab:orange", "tab:red")))
    fig, axes = plotting.subplots(1, 3, figsize=(15, 4.8), layout="constrained")
    for ax, (sname, (f, start, minimum, box)) in zip(axes, SURFACES.items()):
        gx, gy = np.meshgrid(np.linspace(box[0], box[1], 200), np.linspace(box[2], box[3], 200))
        z = f(gx, gy)
        if sname == "saddle":
            ax.contourf(gx, gy, z, levels=30, cmap="Greys", alpha=0.5)
        else:
            ax.contourf(gx, gy, np.log10(z - z.min() + 1e-3), levels=30, cmap="Greys", alpha=0.5)
        for name in NAMES[1:] + NAMES[:1]:  # SGD last: on top
            path = paths[sname, name]
            if path is None:
                continue
            r = surf[sname, name]
            lab = ((f"{name}: escapes at step {r['steps_to_escape']}" if r["steps_to_escape"] is not None
                    else f"{name}: |y| < 1 after {steps} steps") if sname == "saddle"
                   else f"{name} (lr {r['best_lr']:g}): f = {r['final_f']:.2g}")
            ax.plot(path[:, 0], path[:, 1], color=colors[name], lw=1.4, label=lab)
            ax.plot(*path[-1], "o", color=colors[name], ms=4)
        ax.plot(*start, "k^", ms=8)
        if minimum:
            ax.plot(*minimum, "k*", ms=12)
        how = f" (all lr = {SADDLE_LR})" if sname == "saddle" else " (each at its best lr)"
        ax.set(xlim=box[:2], ylim=box[2:], title=sname + how, xlabel="x", ylabel="y")
        ax.legend(fontsize=7, loc="lower right" if sname != "Beale" else "upper right")
        ax.grid(False)
    fig.suptitle(f"{steps} steps of each optimizer (▲ start, ★ minimum); the engine computes every gradient")
    ctx.figure(fig, "trajectories.png", "Optimizer paths on Rosenbrock and Beale (each optimizer at the learning "
               "rate from the grid that ends lowest) and on a saddle (one shared rate): momentum and adaptive "
               "steps cross ravines and escape the saddle faster.")

    fig, axes = plotting.subplots(1, 3, figsize=(15, 3.8), layout="constrained")
    ep = np.arange(1, epochs + 1)
    for name in NAMES:
        axes[0].plot(ep, curves[name], color=colors[name], label=f"{name} (lr {DIGITS_LR[name]:g})")
    axes[0].set(yscale="log", xlabel="epoch", ylabel="mean training loss",
                title="digits, 64-64-64-10 ReLU MLP, same start")
    axes[0].legend()
    for ax, name in zip(axes[1:], LR_PICTURE):
        for lr, ls, word in zip(LR_PICTURE[name], (":", "-", "--"), ("too low", "good", "too high")):
            v = picture[name, lr]
            fin = np.isfinite(v)
            label = f"lr {lr:g} ({word})" + ("" if fin.all() else f": NaN at epoch {len(v)}")
            ax.plot(np.arange(1, len(v) + 1)[fin], np.asarray(v)[fin], ls=ls, marker="o", ms=3, label=label)
        ax.set(yscale="log", xlabel="epoch", title=f"the learning rate: {name}", xlim=(0.5, epochs + 0.5))
        ax.legend()
    fig.suptitle("Loss curves on digits: each optimizer at a customary rate, and too low / good / too high")
    ctx.figure(fig, "digits_and_lr.png", "Left: training loss on digits for each optimizer. Middle and right: "
               "a learning rate too low crawls, a good one descends, a too-high one stalls or diverges.")
