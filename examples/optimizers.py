"""The lecture's optimizer comparison: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam.

1. Trajectories on three 2-D test functions, each optimizer started from the same point:
   - Rosenbrock's banana valley: plain SGD crawls along the curved valley floor, momentum rolls down it
     (zig-zagging across it at first), Nesterov's look-ahead damps that oscillation, Adagrad's step
     shrinks as its sum of squared gradients grows, RMSprop keeps its step size and rattles near the
     minimum, Adam (momentum + RMSprop + bias correction) follows the valley all the way;
   - Beale's function: a flat plateau and steep walls, gradients that differ by orders of magnitude:
     SGD slows to a crawl on the plateau, momentum swings wide before it settles, the adaptive methods
     first move diagonally (each coordinate's step is ≈ lr, whatever the gradient's size);
   - a saddle, f = x² − y² + y⁴/4, started almost exactly on the ridge: the gradient in y is tiny, so
     SGD sits at the saddle point for a long time; momentum builds up speed; the adaptive methods
     (Adagrad, RMSprop, Adam) divide by the gradient's size and escape at once.
2. Loss curves of the same six optimizers training one small MLP (two moons, mini-batches of 32).

Every step is a chainrule optimizer step on chainrule tensors. Plots need matplotlib (the ``plot``
extra: ``pip install chainrule[plot]``). Run:

    python examples/optimizers.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os

import numpy as np

import chainrule as cr
import chainrule.optim as optim
from chainrule import nn
from chainrule.nn import Parameter

# (label, optimizer class, fixed keyword arguments); the learning rate comes from each problem's table
OPTIMIZERS = [
    ("SGD", optim.SGD, {}),
    ("Momentum", optim.SGD, {"momentum": 0.9}),
    ("Nesterov", optim.SGD, {"momentum": 0.9, "nesterov": True}),
    ("Adagrad", optim.Adagrad, {}),
    ("RMSprop", optim.RMSprop, {}),
    ("Adam", optim.Adam, {}),
]
COLORS = {"SGD": "#1f77b4", "Momentum": "#ff7f0e", "Nesterov": "#2ca02c", "Adagrad": "#d62728",
          "RMSprop": "#9467bd", "Adam": "#8c564b"}


# ------------------------------------------------------------------------------ 2-D test functions
# Written with + - * ** only, so the same function evaluates a NumPy grid and chainrule tensors.
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def saddle(x, y):
    return x**2 - y**2 + 0.25 * y**4


PROBLEMS = {
    "rosenbrock": dict(
        f=rosenbrock, start=(-1.5, 2.0), minimum=(1.0, 1.0), f_min=0.0, steps=2000,
        box=((-2.0, 2.0), (-1.0, 3.0)), log_levels=True,
        lr={"SGD": 5e-4, "Momentum": 5e-4, "Nesterov": 5e-4, "Adagrad": 0.5, "RMSprop": 3e-3, "Adam": 3e-2},
        title="Rosenbrock  f = (1 − x)² + 100 (y − x²)²",
    ),
    "beale": dict(
        f=beale, start=(1.0, 1.4), minimum=(3.0, 0.5), f_min=0.0, steps=2000,
        box=((-1.0, 4.5), (-1.5, 2.0)), log_levels=True,
        lr={"SGD": 1e-3, "Momentum": 1e-3, "Nesterov": 1e-3, "Adagrad": 0.3, "RMSprop": 2e-3, "Adam": 3e-2},
        title="Beale  f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    ),
    "saddle": dict(
        f=saddle, start=(1.5, 1e-4), minimum=(0.0, math.sqrt(2)), f_min=-1.0, steps=300,
        box=((-1.6, 1.6), (-1.0, 2.2)), log_levels=False,
        lr={"SGD": 0.01, "Momentum": 0.01, "Nesterov": 0.01, "Adagrad": 0.1, "RMSprop": 0.01, "Adam": 0.01},
        title="Saddle  f = x² − y² + y⁴/4  (started on the ridge, y₀ = 10⁻⁴)",
    ),
}


def trajectory(problem, label, cls, kwargs, steps):
    """Run one optimizer on a 2-D function; returns the visited points (steps+1, 2) and f values."""
    p = Parameter(cr.tensor(problem["start"], dtype=cr.float64))
    opt = cls([p], lr=problem["lr"][label], **kwargs)
    f = problem["f"]
    points, values = [p.numpy().copy()], []
    for _ in range(steps):
        opt.zero_grad()
        loss = f(p[0], p[1])
        loss.backward()
        opt.step()
        values.append(loss.item())
        points.append(p.numpy().copy())
        if not np.isfinite(points[-1]).all() or abs(values[-1]) > 1e12:  # diverged: stop drawing
            break
    x, y = points[-1]
    values.append(float(f(x, y)))
    return np.array(points), np.array(values)


def plot_problem(plt, name, problem, out_dir, steps, resolution):
    """Six small panels (one path each, dots every tenth of the run show the speed) and f vs step."""
    (x0, x1), (y0, y1) = problem["box"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    gz = problem["f"](gx, gy)
    if problem["log_levels"]:
        levels, norm = np.logspace(-1, math.log10(gz.max()), 22), "log"
    else:
        levels, norm = np.linspace(gz.min(), gz.max(), 26), None
    fig = plt.figure(figsize=(17, 7.6))
    grid = fig.add_gridspec(2, 4, width_ratios=[1, 1, 1, 1.35])
    ax_f = fig.add_subplot(grid[:, 3])
    for k, (label, cls, kwargs) in enumerate(OPTIMIZERS):
        ax = fig.add_subplot(grid[k // 3, k % 3])
        pts, vals = trajectory(problem, label, cls, kwargs, steps)
        ax.contour(gx, gy, gz, levels=levels, cmap="Greys", linewidths=0.5, norm=norm)
        ax.plot(*problem["minimum"], marker="*", color="gold", markersize=14, markeredgecolor="k", zorder=5)
        ax.plot(*problem["start"], marker="o", color="k", markersize=5, zorder=5)
        ax.plot(pts[:, 0], pts[:, 1], "-", color=COLORS[label], lw=1.4)
        every = max(1, steps // 10)
        ax.plot(pts[::every, 0], pts[::every, 1], "o", color=COLORS[label], markersize=3.5)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.tick_params(labelsize=7)
        gap = vals[-1] - problem["f_min"]
        ax.set_title(f"{label}, lr={problem['lr'][label]:g}: f − f* = {gap:.1e}", fontsize=9)
        ax_f.plot(np.arange(len(vals)), np.maximum(vals - problem["f_min"], 1e-16), color=COLORS[label],
                  lw=1.6, label=label)
    ax_f.set_yscale("log")
    ax_f.set_xlabel("step")
    ax_f.set_ylabel("f(θ) − f(θ*)")
    ax_f.set_title(f"distance to the minimum value over {steps} steps", fontsize=10)
    ax_f.grid(alpha=0.3)
    ax_f.legend(fontsize=8)
    fig.suptitle(problem["title"] + f"   (dots every {max(1, steps // 10)} steps)", fontsize=11)
    fig.tight_layout()
    path = os.path.join(out_dir, f"optimizers_{name}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------ MLP losses
MLP_LR = {"SGD": 0.1, "Momentum": 0.05, "Nesterov": 0.05, "Adagrad": 0.05, "RMSprop": 3e-3, "Adam": 1e-2}


def make_mlp(seed):
    """A 2-16-16-1 tanh network; re-seeding before building it gives every optimizer the same weights."""
    cr.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)).double()


def train_mlp(label, cls, kwargs, X, y, epochs, batch_size=32, seed=0):
    model = make_mlp(seed)
    opt = cls(model.parameters(), lr=MLP_LR[label], **kwargs)
    loss_fn = nn.BCEWithLogitsLoss()
    order_rng = np.random.default_rng(seed + 1)  # the same mini-batches, in the same order, for everyone
    Xt, yt = cr.tensor(X), cr.tensor(y)
    losses = []
    for _ in range(epochs):
        perm = order_rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = perm[start:start + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(cr.tensor(X[idx])), cr.tensor(y[idx]))
            loss.backward()
            opt.step()
        with cr.no_grad():
            losses.append(loss_fn(model(Xt), yt).item())
    return losses


def plot_mlp(plt, out_dir, epochs):
    from chainrule.data import toy

    X, labels = toy.moons(400, noise=0.15, seed=0)
    X = X / 2.5  # back to scikit-learn's scale: inputs of order 1 suit tanh units
    y = labels.astype(np.float64)[:, None]
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for label, cls, kwargs in OPTIMIZERS:
        losses = train_mlp(label, cls, kwargs, X, y, epochs)
        ax.plot(np.arange(1, epochs + 1), losses, color=COLORS[label], lw=1.6,
                label=f"{label} (lr={MLP_LR[label]:g})")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (400 points, mini-batches of 32)")
    ax.set_ylabel("training loss (binary cross-entropy)")
    ax.set_title("2-16-16-1 tanh MLP on two moons, same initial weights and batches", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "optimizers_mlp.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="./optimizers_out", help="directory for the PNG files")
    parser.add_argument("--quick", action="store_true", help="few steps and a coarse grid (for tests)")
    args = parser.parse_args(argv)
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: write files, never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("this example draws with matplotlib: pip install 'chainrule[plot]'") from None
    os.makedirs(args.out, exist_ok=True)
    paths = []
    for name, problem in PROBLEMS.items():
        steps = 40 if args.quick else problem["steps"]
        paths.append(plot_problem(plt, name, problem, args.out, steps, 60 if args.quick else 300))
    paths.append(plot_mlp(plt, args.out, 2 if args.quick else 150))
    for path in paths:
        print("wrote", path)
    return paths


if __name__ == "__main__":
    main()
