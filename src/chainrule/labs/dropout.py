"""Lab ``dropout``: regularisation on a small training set, and dropout's ensemble view checked.

With only 200 training digits, a 64 → 128 → 128 → 10 ReLU network fits the training set and the
validation loss is what tells the arms apart. Four arms, same initial weights and batches at a seed: no
regulariser, dropout p = 0.5 after each hidden layer, L2 (weight decay λ = 0.01 in SGD: the gradient of
(λ/2)‖w‖² added to every step) and both.

The ensemble view: a dropout network trains 2^n thinned sub-networks that share weights; at test time one
pass with the weights scaled by the keep probability stands in for their average (PyTorch's inverted
dropout scales at training time instead, by 1/(1 − p), so eval mode is a plain pass — the same thing). The
lab checks it on every seed's dropout network: the average of K stochastic training-mode passes against
the one eval-mode pass. The two are not identical (the network is nonlinear: E[f(x)] ≠ f(E[x])), but close.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import evaluate, replayed_step, train_epoch
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

ARMS = {"none": (0.0, 0.0), "dropout 0.5": (0.5, 0.0), "L2 0.01": (0.0, 0.01), "dropout + L2": (0.5, 0.01)}
N_TRAIN, EPOCHS, KS = 200, 40, (1, 2, 5, 10, 20, 50, 100)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ensemble(model, X):
    """Eval-mode probabilities; for each K the mean of K training-mode passes' probabilities and their
    normalised geometric mean (softmax of the mean log-probability)."""
    model.eval()
    with cr.no_grad():
        p_eval = _softmax(model(cr.from_numpy(X)).numpy().astype(np.float64))
        model.train()
        total, logs, arith, geo = np.zeros_like(p_eval), np.zeros_like(p_eval), {}, {}
        for k in range(1, max(KS) + 1):
            z = model(cr.from_numpy(X)).numpy().astype(np.float64)
            total += _softmax(z)
            logs += np.log(_softmax(z) + 1e-300)
            if k in KS:
                arith[k], geo[k] = total / k, _softmax(logs / k)
    return p_eval, arith, geo


@trial
def one_run(config):
    from chainrule import nn, optim

    train, val, _ = digits_split()
    X, y = train.X[:N_TRAIN], train.y[:N_TRAIN]
    rng = seeded(config)  # the same weights and batches for every arm
    p, wd = ARMS[config["arm"]]
    model = build_mlp([64, 128, 128, 10], "relu", dropout=p)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=wd)
    tr_l, va_l, loss_fn = [], [], nn.CrossEntropyLoss()
    step = replayed_step(model, loss_fn, opt)  # one capture for every epoch
    for _ in range(EPOCHS):
        train_epoch(model, loss_fn, opt, X, y, 32, rng, step=step)
        tr_l.append(evaluate(model, nn.CrossEntropyLoss(), X, y)[0])
        va_l.append(evaluate(model, nn.CrossEntropyLoss(), val.X, val.y)[0])
    (trl, tra), (vl, vacc) = (evaluate(model, nn.CrossEntropyLoss(), X, y),
                              evaluate(model, nn.CrossEntropyLoss(), val.X, val.y))
    out = {"train_curve": tr_l, "val_curve": va_l, "train_loss": trl, "train_acc": tra, "val_loss": vl,
           "val_acc": vacc, "gap": vl - trl}
    if p > 0 and wd == 0:
        cr.manual_seed(config["seed"] * 1000 + 99)
        p_eval, arith, geo = _ensemble(model, val.X)
        out["ensemble"] = {"tv": {str(k): float(np.abs(v - p_eval).sum(1).mean() / 2) for k, v in arith.items()},
                           "tv_geo": {str(k): float(np.abs(v - p_eval).sum(1).mean() / 2) for k, v in geo.items()},
                           "agree": float((arith[max(KS)].argmax(1) == p_eval.argmax(1)).mean()),
                           "acc_mc": float((arith[max(KS)].argmax(1) == val.y).mean()),
                           "acc_eval": float((p_eval.argmax(1) == val.y).mean()),
                           "acc_one": float((arith[1].argmax(1) == val.y).mean())}
    return out


def run(ctx):
    res = dict(zip(ARMS, ctx.map(one_run, [{"arm": a, "draw": ctx.seeds[0]} for a in ARMS])))
    gap = {a: Stat.of([r["gap"] for r in res[a]]) for a in ARMS}
    acc = {a: Stat.of([r["val_acc"] for r in res[a]]) for a in ARMS}
    tr_acc = {a: Stat.of([r["train_acc"] for r in res[a]]) for a in ARMS}
    narrows = {a: paired(gap["none"].values, gap[a].values) for a in list(ARMS)[1:]}
    acc_gain = {a: paired(acc[a].values, acc["none"].values) for a in list(ARMS)[1:]}
    ens = [r["ensemble"] for r in res["dropout 0.5"]]
    K = str(max(KS))
    agree = Stat.of([x["agree"] for x in ens])
    tv = {k: Stat.of([x["tv"][k] for x in ens]) for k in ens[0]["tv"]}
    tv_geo = {k: Stat.of([x["tv_geo"][k] for x in ens]) for k in ens[0]["tv_geo"]}
    acc_e = {k: Stat.of([x[k] for x in ens]) for k in ("acc_mc", "acc_eval", "acc_one")}
    ctx.record(n_train=N_TRAIN, epochs=EPOCHS, seeds=ctx.seeds, loss_gap=gap, val_acc=acc, train_acc=tr_acc,
               gap_none_minus=narrows, val_acc_minus_none=acc_gain, ensemble_agreement=agree, ensemble_tv=tv,
               ensemble_tv_geometric=tv_geo, ensemble_acc=acc_e)
    d = "dropout 0.5"
    ctx.claim("dropout-gap", textbook="Dropout trains an ensemble of thinned networks that cannot co-adapt; on small "
              "data it usually lowers the validation loss and narrows the train/validation gap, as L2 does — by how "
              "much depends on the data, the network and the rate.",
              measured=f"{N_TRAIN} training digits, {EPOCHS} epochs: validation "
                       f"− training loss none {gap['none'].pm(3)}, "
              + ", ".join(f"{a} {gap[a].pm(3)}" for a in list(ARMS)[1:]) + "; narrowed by " + ", ".join(
                  f"{a} {narrows[a].pm(2)}" for a in narrows) + ". Validation accuracy: " + ", ".join(
                  f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + f"; dropout − none {acc_gain[d].pm(pct=1)} "
                                                             f"({ctx.n_seeds}).",
              verdict=sign_verdict(narrows[d]),
              stats={f"gap_none_minus_{a}": v for a, v in narrows.items()} | {"acc_dropout_minus_none": acc_gain[d]})
    ctx.claim("dropout-ensemble", textbook="One eval-mode pass approximates the average of the thinned networks; for a "
              "single softmax layer the weight-scaling rule is exactly their normalised geometric mean; with hidden "
              "layers it is an approximation.",
              measured=f"The mean of {K} training-mode passes agrees with the eval-mode prediction on "
              f"{agree.pm(pct=1)} of validation digits; mean total-variation distance {tv[K].pm(2)} (one pass "
              f"{tv['1'].pm(2)}; normalised geometric mean {tv_geo[K].pm(2)}); accuracy {acc_e['acc_mc'].pm(pct=1)} "
              f"(average) vs {acc_e['acc_eval'].pm(pct=1)} (eval mode) vs "
              f"{acc_e['acc_one'].pm(pct=1)} (one dropout pass) ({ctx.n_seeds}).",
              verdict="supported" if agree.lo > 0.9 and tv[K].hi < tv["1"].lo else "partly supported",
              stats={"agreement": agree, "tv_K": tv[K], "tv_geometric_K": tv_geo[K]})
    _figures(ctx, res, gap, acc, tv, tv_geo)
    ctx.conclude(f"{N_TRAIN} training digits, {ctx.n_seeds}: every arm fits the training set (train accuracy "
                 f"{min(v.mean for v in tr_acc.values()):.0%}+). Dropout narrows the validation − training loss gap by "
                 f"{narrows[d].pm(2)}" + (" — a spread that covers zero" if narrows[d].covers(0) else "")
                 + f", L2 by {narrows['L2 0.01'].pm(2)}, both by {narrows['dropout + L2'].pm(2)}; validation accuracy "
                 + ", ".join(f"{a} {acc[a].pm(pct=1)}" for a in ARMS) + f" (dropout − none {acc_gain[d].pm(pct=1)}"
                 + (": a narrower gap is not a better score here" if acc_gain[d].hi < 0 else
                    ": the spread covers zero" if acc_gain[d].covers(0) else "") + f"). The mean of {K} dropout "
                                                                                   "passes agrees with the eval-mode "
                 f"pass on {agree.pm(pct=1)} of validation digits.")


def _figures(ctx, res, gap, acc, tv, tv_geo):
    colors = dict(zip(ARMS, ("tab:gray", "tab:blue", "tab:orange", "tab:green")))
    fig, axes = panels(1, 3, (16, 4.0), left=0.05, right=0.98, bottom=0.17, top=0.8, wspace=0.3)
    ep = np.arange(1, EPOCHS + 1)
    for a in ARMS:
        axes[0].plot(ep, np.mean([r["train_curve"] for r in res[a]], 0), ls="--", color=colors[a])
        axes[0].plot(ep, np.mean([r["val_curve"] for r in res[a]], 0), color=colors[a], label=a)
    axes[0].set(yscale="log", xlabel="epoch", ylabel="cross-entropy", title="training (dashed) and validation (solid)")
    axes[0].legend(fontsize=7)
    bars(axes[1], list(ARMS), gap, colors=list(colors.values()), digits=3)
    axes[1].set(ylabel="validation − training loss", title="the gap at the end (mean ± s.d.; dots: seeds)")
    axes[1].tick_params(axis="x", labelrotation=12)
    K = [int(k) for k in tv]
    axes[2].errorbar(K, [v.mean for v in tv.values()], yerr=[v.sd for v in tv.values()], marker="o", capsize=2,
                     label="arithmetic mean of probabilities")
    axes[2].errorbar(K, [v.mean for v in tv_geo.values()], yerr=[v.sd for v in tv_geo.values()], marker="s",
                     capsize=2, label="normalised geometric mean")
    axes[2].set(xscale="log", xlabel="K (dropout passes averaged)", ylabel="mean total-variation distance",
                title="K dropout passes vs one eval-mode pass", ylim=(0, None))
    axes[2].legend(fontsize=7)
    fig.suptitle(f"Regularisation on {N_TRAIN} training digits (64-128-128-10 ReLU, SGD + momentum; {ctx.n_seeds})")
    ctx.figure(fig, "dropout.png", "Left: training and validation loss (mean over "
                                   "seeds). Middle: the final gap per arm "
               "(mean ± s.d.; dots: seeds). Right: the distance between the average of K dropout passes and the "
               "eval-mode output shrinks with K to a floor (the network is nonlinear); the geometric mean is closer.")
