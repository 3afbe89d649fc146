"""Lab ``augmentation``: few training digits, with and without shift/noise augmentation.

"Augment your data": train on randomly changed copies of the images — here a random shift of up to one
pixel in each direction (``RandomShift(1)``: an 8×8 digit moves by 1/8 of its width) and pixel noise
(``GaussianNoise(0.1)``, clipped to [0, 1]) — drawn afresh for every batch, so the network never sees the
same image twice. It encodes a prior: a digit shifted by a pixel or slightly noisy is the same digit.

The same MLP (64 → 128 → 10, Adam) trains on 100 random training digits for the same number of steps in
every arm (the same subset, weights and batch order at a seed), and is tested on the test split as it is —
whose digits scikit-learn's preprocessing has already centred — and on a copy of it shifted the same way,
where the prior matters.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate_accuracy, replayed_step
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

ARMS = ("none", "shift", "noise")
N_TRAIN, STEPS = 100, 600


def transforms():
    from chainrule.data.transforms import GaussianNoise, RandomShift

    shift, noise = RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.1, clip=(0.0, 1.0))
    return {"none": None,
            "shift": lambda x, rng: shift(x, generator=rng),
            "noise": lambda x, rng: noise(x, generator=rng)}


def _train_augmented(model, opt, X, y, rng, transform):
    """STEPS Adam steps on shuffled batches of 32, each batch transformed afresh."""
    import chainrule as cr
    from chainrule import nn

    loss_fn, order, step = nn.CrossEntropyLoss(), [], 0
    train_step = replayed_step(model, loss_fn, opt)
    model.train()
    while step < STEPS:
        if not order:
            p = rng.permutation(len(X))
            order = [p[i:i + 32] for i in range(0, len(X), 32)]
        idx = order.pop(0)
        xb = X[idx] if transform is None else transform(X[idx], rng)
        train_step(cr.from_numpy(np.ascontiguousarray(xb, dtype=np.float32)), cr.from_numpy(y[idx]))
        step += 1


@trial
def one_run(config):
    from chainrule import optim
    from chainrule.data.transforms import RandomShift

    train, _, test = digits_split()
    shifted_test = RandomShift(1, image_shape=(8, 8))(test.X, generator=np.random.default_rng(12345))
    rng = seeded(config)  # the same subset, weights and batch order in every arm
    idx = rng.permutation(len(train.X))[:N_TRAIN]
    model = build_mlp([64, 128, 10], "relu")
    _train_augmented(model, optim.Adam(model.parameters(), lr=1e-3), train.X[idx], train.y[idx], rng,
                     transforms()[config["arm"]])
    return {"test_acc": evaluate_accuracy(model, test.X, test.y),
            "shifted_test_acc": evaluate_accuracy(model, np.asarray(shifted_test, dtype=np.float32), test.y)}


def run(ctx):
    res = dict(zip(ARMS, ctx.map(one_run, [{"arm": a} for a in ARMS])))
    acc = {a: Stat.of([r["test_acc"] for r in res[a]]) for a in ARMS}
    sh = {a: Stat.of([r["shifted_test_acc"] for r in res[a]]) for a in ARMS}
    gain = {a: paired(acc[a].values, acc["none"].values) for a in ARMS[1:]}
    gain_sh = {a: paired(sh[a].values, sh["none"].values) for a in ARMS[1:]}
    ctx.record(n_train=N_TRAIN, steps=STEPS, seeds=ctx.seeds, test_acc=acc, shifted_test_acc=sh,
               gain_over_none=gain, gain_over_none_shifted=gain_sh)
    best = max(ARMS[1:], key=lambda a: gain[a].mean)
    v = sign_verdict(gain[best])
    ctx.claim("augmentation", textbook="Augmentation adds the invariances it encodes (small shifts, noise) as if from "
              "more data: it helps most when the training set is small and "
              "the test data vary the way the augmentation does.",
              measured=f"{N_TRAIN} training digits, {STEPS} Adam steps: test accuracy " + ", ".join(
                  f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + "; gain over none " + ", ".join(
                  f"{a} {gain[a].pm(pct=1)}" for a in gain) + ". On test digits shifted by ≤ 1 pixel: " + ", ".join(
                  f"{a} {sh[a].pm(pct=1)}" for a in ARMS) + f" (shift's gain {gain_sh['shift'].pm(pct=1)}) "
                                                            f"({ctx.n_seeds}).",
              verdict="supported" if v == "supported" and sign_verdict(gain_sh["shift"]) == "supported" else
              "partly supported" if sign_verdict(gain_sh["shift"]) == "supported" else v,
              stats={f"gain_{a}": g for a, g in gain.items()} | {"gain_shift_on_shifted": gain_sh["shift"]})
    _figure(ctx, acc, sh)
    ctx.conclude(f"With {N_TRAIN} training digits ({ctx.n_seeds}): test accuracy " + ", ".join(
        f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + "; on shifted test digits " + ", ".join(
        f"{a} {sh[a].pm(pct=1)}" for a in ARMS) + f". Best gain on the centred test digits: {best} "
        f"{gain[best].pm(pct=1)}" + (" (the spread covers zero)" if gain[best].covers(0) else "")
        + f"; of shift on the shifted ones: {gain_sh['shift'].pm(pct=1)}.")


def _figure(ctx, acc, sh):
    colors = ["tab:gray", "tab:blue", "tab:orange"]
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    bars(axes[0], list(ARMS), acc, pct=True, colors=colors)
    axes[0].set(ylabel="test accuracy (%)", title="test digits as they are (centred)",
                ylim=(100 * min(s.lo for s in acc.values()) - 8, 100))
    bars(axes[1], list(ARMS), sh, pct=True, colors=colors)
    axes[1].set(ylabel="test accuracy (%)", title="test digits shifted by ≤ 1 pixel",
                ylim=(100 * min(s.lo for s in sh.values()) - 8, 100))
    ax = axes[2]
    train, _, _ = digits_split()
    rng = np.random.default_rng(0)
    rows = [np.concatenate([train.X[:1] if t is None else t(train.X[:1], rng) for _ in range(5)]).reshape(5, 8, 8)
            for t in transforms().values()]
    grid = np.block([[np.pad(im, 1, constant_values=0.5) for im in row] for row in rows])
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
    ax.set(yticks=[5 + 10 * i for i in range(len(ARMS))], yticklabels=list(ARMS), xticks=[],
           title="one training digit, five draws per arm")
    ax.grid(False)
    fig.suptitle(f"{N_TRAIN} training digits: test accuracy with and without "
                 f"augmentation (same steps, same subset; {ctx.n_seeds})")
    ctx.figure(fig, "augmentation.png", "Test accuracy for each arm on the test digits as they are and on a shifted "
               "copy (mean ± s.d.; dots: seeds); right: what each augmentation does to one digit.")
