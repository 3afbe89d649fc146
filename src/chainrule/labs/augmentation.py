"""Lab ``augmentation``: few training digits, with and without shift/noise augmentation.

"Augment your data": train on randomly changed copies of the images — here a random shift of up to one
pixel in each direction (``RandomShift(1)``: an 8×8 digit moves by 1/8 of its width) and pixel noise
(``GaussianNoise(0.1)``, clipped to [0, 1]) — drawn afresh for every batch, so the network never sees the
same image twice. It encodes a prior: a digit shifted by a pixel or slightly noisy is the same digit.

The same MLP (64 → 128 → 10, Adam) trains on a small random subset of the training digits for the same
number of steps in every arm, and is tested on the test split as it is — whose digits scikit-learn's
preprocessing has already centred — and on a copy of it shifted the same way, where the prior matters.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate, train_epoch

ARMS = ("none", "shift", "noise", "shift + noise")


def transforms():
    from chainrule.data.transforms import GaussianNoise, RandomShift

    shift, noise = RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.1, clip=(0.0, 1.0))
    return {"none": None,
            "shift": lambda x, rng: shift(x, generator=rng),
            "noise": lambda x, rng: noise(x, generator=rng),
            "shift + noise": lambda x, rng: noise(shift(x, generator=rng), generator=rng)}


def run(ctx):
    from chainrule import nn, optim
    from chainrule.data.transforms import RandomShift

    train, _, test = digits_split()
    sizes = ctx.size(quick=(100,), fast=(50, 200), full=(50, 100, 200, 500))
    steps = ctx.size(quick=600, fast=2000, full=5000)
    seeds = ctx.size(quick=1, fast=2, full=5)
    shifted_test = RandomShift(1, image_shape=(8, 8))(test.X, generator=np.random.default_rng(12345))
    tf = transforms()
    res = {}
    for n in sizes:
        for arm in ARMS:
            clean, moved = [], []
            for s in range(seeds):
                rng = ctx.reseed(1000 * s + n)  # the same subset, weights and batch order in every arm
                idx = rng.permutation(len(train.X))[:n]
                model = build_mlp([64, 128, 10], "relu")
                opt = optim.Adam(model.parameters(), lr=1e-3)
                epochs = int(np.ceil(steps / np.ceil(n / 32)))
                for _ in range(epochs):
                    train_epoch(model, nn.CrossEntropyLoss(), opt, train.X[idx], train.y[idx], 32, rng,
                                transform=tf[arm])
                clean.append(evaluate(model, nn.CrossEntropyLoss(), test.X, test.y)[1])
                moved.append(evaluate(model, nn.CrossEntropyLoss(), shifted_test, test.y)[1])
            res[f"{n}.{arm}"] = {"test_acc": float(np.mean(clean)), "shifted_test_acc": float(np.mean(moved)),
                                 "per_seed": clean, "per_seed_shifted": moved}
    ctx.record(sizes=list(sizes), steps=steps, seeds=seeds, results=res,
               shift_helps_on_shifted_test=bool(all(
                   res[f"{n}.shift"]["shifted_test_acc"] > res[f"{n}.none"]["shifted_test_acc"] for n in sizes)))
    _figures(ctx, res, sizes, train, tf)
    parts = []
    for n in sizes:
        r = {a: res[f"{n}.{a}"] for a in ARMS}
        parts.append(f"with {n} training digits: test accuracy " + ", ".join(
            f"{a} {r[a]['test_acc']:.1%}" for a in ARMS) + "; on the shifted test set " + ", ".join(
            f"{a} {r[a]['shifted_test_acc']:.1%}" for a in ARMS))
    gains = []
    for n in sizes:
        best = max(ARMS[1:], key=lambda a: res[f"{n}.{a}"]["test_acc"])
        gains.append(f"{best} {100 * (res[f'{n}.{best}']['test_acc'] - res[f'{n}.none']['test_acc']):+.1f} points "
                     f"with {n} digits")
    shift_wins = all(res[f"{n}.shift"]["shifted_test_acc"] > res[f"{n}.none"]["shifted_test_acc"] for n in sizes)
    ctx.conclude(
        f"{steps} Adam steps per arm, mean of {seeds} seed{'s' if seeds > 1 else ''}; " + "; ".join(parts)
        + f". Best augmentation on the centred test digits: {', '.join(gains)}. "
        + ("On shifted test digits shift augmentation is what keeps the accuracy up: augmentation helps most "
           "where the test data varies the way the augmentation does." if shift_wins else
           "Shift augmentation did not help on the shifted test digits in every size here."))


def _figures(ctx, res, sizes, train, tf):
    colors = dict(zip(ARMS, ("tab:gray", "tab:blue", "tab:orange", "tab:green")))
    fig, axes = plotting.subplots(1, 3, figsize=(14, 3.8), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1, 1.1]})
    x = np.arange(len(sizes))
    for ax, key, title in ((axes[0], "test_acc", "test digits as they are (centred)"),
                           (axes[1], "shifted_test_acc", "test digits shifted by ≤ 1 pixel")):
        for i, arm in enumerate(ARMS):
            vals = [res[f"{n}.{arm}"][key] for n in sizes]
            ax.bar(x + (i - 1.5) * 0.2, vals, 0.2, color=colors[arm], label=arm)
        lo = min(res[k][key] for k in res)
        ax.set(xticks=x, xticklabels=[f"{n} digits" for n in sizes], ylim=(max(0, lo - 0.1), 1.0),
               ylabel="test accuracy", title=title)
    axes[1].legend(loc="upper left")
    ax = axes[2]
    rng = np.random.default_rng(0)
    img = train.X[:1]
    rows = []
    for arm in ARMS:
        t = tf[arm]
        rows.append(np.concatenate([img if t is None else t(img, rng) for _ in range(5)]).reshape(5, 8, 8))
    grid = np.block([[np.pad(im, 1, constant_values=0.5) for im in row] for row in rows])
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
    ax.set(yticks=[5 + 10 * i for i in range(len(ARMS))], yticklabels=list(ARMS), xticks=[],
           title="one training digit, five draws per arm")
    ax.grid(False)
    fig.suptitle("Few training digits: test accuracy with and without augmentation (same steps, same subset)")
    ctx.figure(fig, "augmentation.png", "Test accuracy for each arm and training-set size, on the test digits as "
               "they are and on a shifted copy; right: what each augmentation does to one digit.")
