"""Lab ``dropout-scaling``: dropout's test-time scaling — the slide's keep probability p against torch's drop
probability p.

The slide keeps each unit with probability p and, at test time, multiplies by p, so that a test activation
equals the *expected* training activation: E[mask·a] = p·a. PyTorch's ``nn.Dropout(p)`` uses p for the
probability to *drop*, and scales at training time instead ("inverted dropout": mask·a/(1 − p), so
E = a and eval mode is a plain pass). Same model, opposite meaning of p. Measured per seed (64 → 128 → 128 →
10 ReLU on digits, keep probability 0.8, the same weights and batches):

* the mean hidden activation over 200 training-mode passes divided by the test-mode activation, for both
  rules (1 if the test-time scaling is right);
* test accuracy with the right scaling under each rule, and with the two mix-ups: the slide's network tested
  with ×(1 − p) = 0.2 (torch's p read as the slide's), or without any scaling; and ``nn.Dropout(0.8)`` — the
  slide's keep probability handed to torch, which then drops 80 % of the units.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import is_activation, predict, train_tracked
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, compare, paired, sign_verdict

KEEP, STEPS = 0.8, 200
ARMS = ("torch nn.Dropout(0.2)", "slide: keep 0.8, test ×0.8", "slide, tested ×0.2 (p mixed up)",
        "slide, tested without scaling", "nn.Dropout(0.8): keep-p given as drop-p")


class KeepDropout:
    """The slide's dropout as a module: training keeps each unit with probability ``keep`` (no rescaling),
    evaluation multiplies by ``test_scale`` (``keep`` when used as the slide says)."""

    def __new__(cls, keep, test_scale):
        from chainrule import nn

        class _KeepDropout(nn.Module):
            def __init__(self):
                super().__init__()
                self.keep, self.test_scale = keep, test_scale

            def forward(self, x):
                if self.training:
                    return x * (cr.rand(*x.shape) < self.keep).to(x.dtype)
                return x * self.test_scale

        return _KeepDropout()


def _model(kind):
    from chainrule import nn

    model = build_mlp([64, 128, 128, 10], "relu")
    layers = []
    for m in model:
        layers.append(m)
        if is_activation(m):
            layers.append(nn.Dropout(1 - KEEP) if kind == "torch" else nn.Dropout(KEEP) if kind == "torch-misread"
                          else KeepDropout(KEEP, KEEP))
    return nn.Sequential(*layers)


def _hidden_ratio(model, X, passes=200):
    """Mean first-hidden-layer output after dropout over training-mode passes / its eval-mode value."""
    sub = model[:3]  # Linear, ReLU, dropout
    with cr.no_grad():
        sub.eval()
        ev = sub(cr.from_numpy(X)).numpy().astype(np.float64)
        sub.train()
        tr = np.mean([sub(cr.from_numpy(X)).numpy() for _ in range(passes)], axis=0)
    sub.train()
    return float(tr.sum() / ev.sum())


def _scores(model, X, y):
    """(test accuracy, test cross-entropy) in eval mode."""
    z = predict(model, X).astype(np.float64)
    z -= z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float((z.argmax(1) == y).mean()), float(-logp[np.arange(len(y)), y].mean())


@trial
def one_seed(config):
    from chainrule import optim

    train, _, test = digits_split()
    out = {}
    for kind in ("torch", "slide", "torch-misread"):
        rng = seeded(config)  # the same weights and batches for each rule
        model = _model(kind)
        train_tracked(model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), train.X, train.y, STEPS, 64, rng,
                      every=0)
        if kind == "torch-misread":
            out[ARMS[4]] = _scores(model, test.X, test.y)
            continue
        out[f"ratio_{kind}"] = _hidden_ratio(model, test.X)
        drops = [m for m in model if hasattr(m, "test_scale")]
        scales = {ARMS[1]: KEEP, ARMS[2]: 1 - KEEP, ARMS[3]: 1.0} if kind == "slide" else {ARMS[0]: None}
        for arm, scale in scales.items():
            for m in drops:
                m.test_scale = scale
            out[arm] = _scores(model, test.X, test.y)
    return out


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    acc = {a: Stat.of([r[a][0] for r in res]) for a in ARMS}
    loss = {a: Stat.of([r[a][1] for r in res]) for a in ARMS}
    ratio = {k: Stat.of([r[f"ratio_{k}"] for r in res]) for k in ("torch", "slide")}
    rules_agree = paired(acc[ARMS[0]].values, acc[ARMS[1]].values)
    mixup = paired(loss[ARMS[2]].values, loss[ARMS[1]].values)
    unscaled = paired(loss[ARMS[3]].values, loss[ARMS[1]].values)
    misread = paired(acc[ARMS[0]].values, acc[ARMS[4]].values)
    ctx.record(keep=KEEP, steps=STEPS, seeds=ctx.seeds, test_acc=acc, test_loss=loss, train_over_test_activation=ratio,
               torch_minus_slide_acc=rules_agree, mixed_up_minus_right_loss=mixup, unscaled_minus_right_loss=unscaled,
               keep_minus_misread_p_acc=misread)
    right = compare(ratio["torch"], 1.0, rel=0.02) == compare(ratio["slide"], 1.0, rel=0.02) == "supported"
    ctx.claim("dropout-p", textbook="The slide: keep with probability p, multiply by p at test time. torch: drop with "
              "probability p, divide by 1 − p in training, plain pass at test. Both make the test activation equal "
              "the expected training activation; mixing up the two p's breaks it.",
              measured=f"Keep probability {KEEP}: mean training-mode activation / test activation = "
              f"{ratio['torch'].pm(3)} (torch) and {ratio['slide'].pm(3)} (slide's rule). Test accuracy / "
              "cross-entropy: " + ", ".join(f"{a} {acc[a].pm(pct=1)} / {loss[a].pm(2)}" for a in ARMS)
              + f". Testing the slide's network with ×0.2 raises the test loss by {mixup.pm(2)}, without scaling by "
              f"{unscaled.pm(2)} (argmax barely moves: a ReLU network's logits mostly just rescale); passing 0.8 to "
              f"nn.Dropout costs {misread.pm(pct=1)} accuracy ({ctx.n_seeds}).",
              verdict="supported" if right and sign_verdict(mixup) == "supported" else "partly supported",
              stats={"ratio_torch": ratio["torch"], "ratio_slide": ratio["slide"], "mixup_loss": mixup,
                     "misread_acc": misread})
    _figure(ctx, loss, ratio)
    ctx.conclude("Both rules keep the test activation equal to the mean training activation (ratio "
                 f"{ratio['torch'].pm(3)} "
                 f"for torch's inverted dropout, {ratio['slide'].pm(3)} for the slide's ×p at test); their accuracies "
                 f"differ by {rules_agree.pm(pct=1)} (plausibly because inverted dropout trains on activations "
                 "×1/0.8 larger: the same "
                 f"rate is a different step). Reading one p as the other: testing with ×0.2 instead of ×0.8 raises the "
                 f"test loss by {mixup.pm(2)} ({acc[ARMS[2]].pm(pct=1)} "
                 "accuracy), and nn.Dropout(0.8) — keep-p given as "
                 f"drop-p — trains a network that drops 80% of its units ({acc[ARMS[4]].pm(pct=1)}) ({ctx.n_seeds}).")


def _figure(ctx, loss, ratio):
    fig, axes = panels(1, 2, (14, 4.2), left=0.06, right=0.98, bottom=0.3, top=0.84, wspace=0.25,
                       gridspec_kw={"width_ratios": [2.2, 1]})
    colors = ["tab:blue", "tab:green", "tab:red", "tab:orange", "tab:purple"]
    labels = ["torch\nDropout(0.2)", "slide: keep 0.8\ntest ×0.8", "slide, test ×0.2\n(p mixed up)",
              "slide, test\nwithout scaling", "Dropout(0.8)\n(keep-p as drop-p)"]
    bars(axes[0], labels, dict(zip(labels, loss.values())), colors=colors, digits=2)
    axes[0].set(ylabel="test cross-entropy", title="test loss (mean ± s.d.; dots: seeds); accuracies in the text")
    bars(axes[1], ["torch", "slide"], {"torch": ratio["torch"], "slide": ratio["slide"]}, colors=colors[:2], digits=3)
    axes[1].axhline(1, color="k", ls=":", lw=1)
    axes[1].set(ylim=(0, 1.3), ylabel="mean training activation / test activation",
                title="is the test-time scaling right?")
    fig.suptitle(f"Dropout with keep probability {KEEP}: the slide's rule "
                 f"and torch's, and the p mix-ups ({ctx.n_seeds})")
    ctx.figure(fig, "scaling.png", "Left: test loss with each rule applied correctly and with the mix-ups of the "
               "slide's keep-probability p and torch's drop-probability p. Right: the mean training-mode activation "
               "over 200 passes divided by the test-mode activation (1: the scaling is right).")
