"""Lab ``early-stopping``: monitor the validation loss, stop when it stops improving, keep the best model.

With 100 training digits a 64 → 128 → 10 ReLU MLP memorises its training set: the training loss keeps
falling while the validation loss turns back up. ``chainrule.train.fit`` with
``EarlyStopping(monitor="val_loss", patience=10, restore_best=True)`` stops 10 epochs after the best
validation epoch and puts that epoch's weights back. Measured per seed, from the same weights and batches:
the test accuracy and loss of the model early stopping keeps, of the model after all epochs, and — as an
upper bound nobody can use — of the epoch that was best on the test set itself.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, paired, sign_verdict

N_TRAIN, EPOCHS, PATIENCE, LR = 100, 100, 10, 0.1


def _fit(config, early):
    from chainrule import nn, optim
    from chainrule.train import EarlyStopping, fit
    from chainrule.train import evaluate as train_evaluate
    from chainrule.train.callbacks import Callback

    train, val, test = digits_split()
    seeded(config)  # the same weights and batches with and without early stopping
    model = build_mlp([64, 128, 10], "relu")
    test_curve = []

    class TestMonitor(Callback):  # for the figure only: the test set plays no part in any decision
        def on_epoch_end(self, epoch, logs):
            test_curve.append(train_evaluate(model, nn.CrossEntropyLoss(), (test.X, test.y), ["accuracy"]))

    stopper = EarlyStopping("val_loss", patience=PATIENCE, restore_best=True)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=LR, momentum=0.9),
                  (train.X[:N_TRAIN], train.y[:N_TRAIN]), (val.X, val.y), epochs=EPOCHS,
                  callbacks=[stopper] if early else [TestMonitor()], batch_size=32, verbose=False)
    final = train_evaluate(model, nn.CrossEntropyLoss(), (test.X, test.y), ["accuracy"])
    return history, final, test_curve, stopper


@trial
def one_seed(config):
    hist_full, final_full, test_curve, _ = _fit(config, early=False)
    hist_es, final_es, _, stopper = _fit(config, early=True)
    test_acc = [t["accuracy"] for t in test_curve]
    return {"train_loss": list(hist_full["loss"]), "val_loss": list(hist_full["val_loss"]),
            "test_acc_curve": test_acc, "test_loss_curve": [t["loss"] for t in test_curve],
            "best_epoch": stopper.best_epoch, "stopped_epoch": stopper.stopped_epoch or len(hist_es["loss"]),
            "es_test_acc": final_es["accuracy"], "es_test_loss": final_es["loss"],
            "full_test_acc": final_full["accuracy"], "full_test_loss": final_full["loss"],
            "oracle_test_acc": max(test_acc)}


def run(ctx):
    res = ctx.map(one_seed, [{}])[0]
    st = {k: Stat.of([r[k] for r in res]) for k in ("es_test_acc", "es_test_loss", "full_test_acc", "full_test_loss",
                                                    "oracle_test_acc", "best_epoch", "stopped_epoch")}
    d_loss = paired([r["full_test_loss"] for r in res], [r["es_test_loss"] for r in res])
    d_acc = paired([r["es_test_acc"] for r in res], [r["full_test_acc"] for r in res])
    turn = Stat.of([int(np.argmin(r["val_loss"])) + 1 for r in res])
    ctx.record(n_train=N_TRAIN, epochs=EPOCHS, patience=PATIENCE, seeds=ctx.seeds, stats=st,
               full_minus_early_test_loss=d_loss, early_minus_full_test_acc=d_acc, val_loss_minimum_epoch=turn)
    ctx.claim("monitor", textbook="Once the model starts fitting the noise of its training set the validation loss "
              "rises although the training loss still falls; stopping at the best validation epoch (and restoring "
              "it) keeps the model that generalises best by that measure — on held-out data it usually helps the "
              "loss more than the accuracy.",
              measured=f"{N_TRAIN} training digits, up to {EPOCHS} epochs: the validation loss is lowest at epoch "
              f"{turn.pm(2)}; early stopping (patience {PATIENCE}) stops "
              f"at {st['stopped_epoch'].pm(2)} and keeps epoch "
              f"{st['best_epoch'].pm(2)}. Test loss: kept model {st['es_test_loss'].pm(3)}, after all epochs "
              f"{st['full_test_loss'].pm(3)} (difference {d_loss.pm(2)}); test accuracy "
              f"{st['es_test_acc'].pm(pct=1)} vs "
              f"{st['full_test_acc'].pm(pct=1)} (difference {d_acc.pm(pct=1)}); best epoch on the test set itself "
              f"{st['oracle_test_acc'].pm(pct=1)} ({ctx.n_seeds}).",
              verdict="supported" if sign_verdict(d_loss) == "supported" and sign_verdict(d_acc) != "contradicted"
              else "partly supported" if sign_verdict(d_loss) == "supported" else sign_verdict(d_loss),
              stats={"full_minus_early_test_loss": d_loss, "early_minus_full_test_acc": d_acc,
                     "best_epoch": st["best_epoch"]})
    _figure(ctx, res, st)
    ctx.conclude(f"The validation loss turns up after epoch {turn.pm(2)} while the training loss keeps falling. Early "
                 f"stopping keeps epoch {st['best_epoch'].pm(2)}: its test "
                 f"loss is lower by {d_loss.pm(2)} than after all "
                 f"{EPOCHS} epochs; test accuracy changes by {d_acc.pm(pct=1)}"
                 + (" (the spread covers zero)" if d_acc.covers(0) else "") + f" ({ctx.n_seeds}).")


def _figure(ctx, res, st):
    fig, axes = panels(1, 3, (15, 3.9), left=0.05, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    ep = np.arange(1, EPOCHS + 1)
    for k, r in enumerate(res):
        axes[0].plot(ep, r["train_loss"], color="tab:blue", lw=1, label="training" if k == 0 else None)
        axes[0].plot(ep, r["val_loss"], color="tab:red", lw=1, label="validation" if k == 0 else None)
        axes[0].axvline(r["best_epoch"], color="tab:red", ls=":", lw=0.8)
        axes[1].plot(ep, np.array(r["test_acc_curve"]) * 100, color="tab:green", lw=1,
                     label="test accuracy (never used to decide)" if k == 0 else None)
        axes[1].axvline(r["best_epoch"], color="tab:red", ls=":", lw=0.8)
    axes[0].set(yscale="log", xlabel="epoch", ylabel="cross-entropy", title="monitoring: every seed "
                                                                            "(dotted: epoch kept)")
    axes[0].legend(fontsize=7)
    axes[1].set(xlabel="epoch", ylabel="%", title="test accuracy along training")
    axes[1].legend(fontsize=7)
    names = ("early stopping", "all epochs")
    bars(axes[2], list(names), {"early stopping": st["es_test_loss"], "all epochs": st["full_test_loss"]},
         colors=["tab:red", "tab:gray"], digits=3)
    axes[2].set(ylabel="test loss", title="the model kept (mean ± s.d.; dots: seeds)")
    fig.suptitle(f"Early stopping on {N_TRAIN} training digits (64-128-10 ReLU, patience {PATIENCE}; {ctx.n_seeds})")
    ctx.figure(fig, "early_stopping.png", "Left: training and validation loss of every seed, and the epoch early "
               "stopping keeps. Middle: test accuracy along training. Right: test loss of the kept model and of the "
               "model after all epochs.")
