"""Training-loop benchmark: epochs/s of ``chainrule.train.fit`` on digits vs a bare chainrule loop vs the same
loop in PyTorch and scikit-learn's MLPClassifier, in one process.

The network is ``chainrule train``'s default: 64 → 256 ReLU → Dropout(0.2) → 10, Adam (lr 1e-3),
cross-entropy, batch 32, on the 1257 training images of digits (40 batches per epoch), float32.

    bare        the hand-written chainrule loop: for x, y in loader: forward, loss, zero_grad, backward, step
    fit         chainrule.train.fit as users call it (loss bookkeeping, NaN guard, no validation; replay="auto",
                the default: each batch shape's step captured once and replayed, train/replay.py)
    fit-eager   the same fit with replay=False: every step through the autograd graph
    fit+val     fit with the accuracy metric and a validation pass over 270 images after every epoch
    torch       the bare loop in PyTorch eager, batches cut by index from a shuffled permutation
                (what chainrule's DataLoader fast path does)
    torch+DL    the bare loop in PyTorch with torch.utils.data.DataLoader(TensorDataset) (per-sample
                indexing and collation: the idiomatic, slower way)
    sklearn     scikit-learn's MLPClassifier, the same network without dropout (it has none), Adam lr 1e-3,
                batch 32, alpha 0: one partial_fit per epoch

Every round trains every variant from a fresh model (seed 0) for ``--epochs`` epochs, one whole training run
as the main job does it (``chainrule train`` is one fit call), so one-off costs -- a capture, a warm-up step --
count as often as a user pays them. The test accuracy of each variant's last run is recorded, so that the
speeds compare networks that learned the same thing.

The machine is shared and noisy, so the variants are interleaved round by round and the median round is
reported; only ratios within one run mean anything. Targets (issue 15): fit ≥ 2× torch and ≥ 2× sklearn;
fit ≥ 90% of bare. Results: benchmarks/results/train.json.

    python benchmarks/train.py [--rounds 5] [--epochs 10] [--threads 1]
"""

from __future__ import annotations

import statistics

from common import arguments, environment, interleaved, report


def main():
    args = arguments(__doc__, "train.json", "--epochs", 10, "epochs of one training run (a round)")  # threads set

    import numpy as np
    import torch

    import chainrule as cr
    from chainrule import nn, optim
    from chainrule.data import DataLoader, datasets
    from chainrule.train import fit

    torch.set_num_threads(args.threads)
    split = datasets.load("digits")
    Xtr, ytr = (t.numpy() for t in split.train.tensors)

    Xte, yte = (t.numpy() for t in split.test.tensors)
    accuracy = {}  # variant -> a function giving the test accuracy of its last run

    def cr_model():
        cr.manual_seed(0)
        m = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
        return m, optim.Adam(m.parameters(), lr=1e-3), DataLoader(split.train, batch_size=32, shuffle=True)

    def make_bare():
        def run(epochs):
            model, opt, loader = cr_model()
            loss_fn = nn.CrossEntropyLoss()
            accuracy["bare"] = lambda: cr_accuracy(model)
            model.train()
            for _ in range(epochs):
                for x, y in loader:
                    out = model(x)
                    loss = loss_fn(out, y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return run


    def cr_accuracy(model):
        model.eval()
        with cr.no_grad():
            return float((model(cr.from_numpy(Xte)).argmax(1).numpy() == yte).mean())

    def make_fit(val, replay="auto", name="fit"):
        kw = {"val_data": split.val, "metrics": ["accuracy"]} if val else {}

        def run(epochs):
            model, opt, loader = cr_model()
            accuracy[name] = lambda: cr_accuracy(model)
            fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, verbose=False, replay=replay, **kw)
        return run

    def make_sklearn():
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        classes = np.arange(10)

        def run(epochs):
            clf = MLPClassifier(hidden_layer_sizes=(256,), solver="adam", learning_rate_init=1e-3, batch_size=32,
                                alpha=0.0, random_state=0, shuffle=True)
            accuracy["sklearn"] = lambda: float(clf.score(Xte, yte))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for _ in range(epochs):
                    clf.partial_fit(Xtr, ytr, classes=classes)
        return run

    def make_torch(dataloader):
        X, Y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
        if dataloader:
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=32, shuffle=True)
        else:
            class Loader:
                def __iter__(self):
                    perm = torch.randperm(len(Y))
                    for i in range(0, len(Y), 32):
                        idx = perm[i:i + 32]
                        yield X[idx], Y[idx]
            loader = Loader()

        def run(epochs):
            torch.manual_seed(0)
            m = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                    torch.nn.Linear(256, 10))
            opt = torch.optim.Adam(m.parameters(), lr=1e-3)
            loss_fn = torch.nn.CrossEntropyLoss()
            accuracy["torch+DL" if dataloader else "torch"] = lambda: float(
                (m.eval()(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
            m.train()
            for _ in range(epochs):
                for x, y in loader:
                    out = m(x)
                    loss = loss_fn(out, y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return run

    variants = {"bare": make_bare(), "fit": make_fit(False), "fit-eager": make_fit(False, False, "fit-eager"),
                "fit+val": make_fit(True, name="fit+val"), "torch": make_torch(False), "torch+DL": make_torch(True),
                "sklearn": make_sklearn()}
    for run in variants.values():
        run(1)  # warm-up: imports and first-call costs
    rates = interleaved(variants, args.rounds, args.epochs)
    med = {k: statistics.median(v) for k, v in rates.items()}
    with torch.no_grad():
        test_accuracy = {k: round(f(), 4) for k, f in accuracy.items()}
    result = {
        "benchmark": "epochs/s training an MLP 64-256-10 (ReLU, dropout 0.2, Adam, batch 32) on digits (1257 images)",
        "median_epochs_per_s": {k: round(v, 2) for k, v in med.items()},
        "ratios": {"fit / bare": round(med["fit"] / med["bare"], 3),
                   "fit+val / bare": round(med["fit+val"] / med["bare"], 3),
                   "fit / torch": round(med["fit"] / med["torch"], 3),
                   "fit-eager / torch": round(med["fit-eager"] / med["torch"], 3),
                   "fit / sklearn": round(med["fit"] / med["sklearn"], 3),
                   "fit-eager / sklearn": round(med["fit-eager"] / med["sklearn"], 3),
                   "fit / torch+DL": round(med["fit"] / med["torch+DL"], 3)},
        "test_accuracy_of_the_last_run": test_accuracy,
        "target": "fit / bare >= 0.90; fit >= 2x torch and >= 2x sklearn (issue #15)",
        "rounds": args.rounds, "epochs_per_run": args.epochs, "threads": args.threads,
        "all_rounds_epochs_per_s": {k: [round(x, 2) for x in v] for k, v in rates.items()},
        **environment(np, torch),
    }
    report(result, args.out, med, "epochs/s", result["ratios"])


if __name__ == "__main__":
    main()
