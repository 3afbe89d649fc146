"""Training-loop benchmark: epochs/s of ``chainrule.train.fit`` on digits vs a bare chainrule loop vs the same
loop in PyTorch, in one process.

The network is ``chainrule train``'s default: 64 → 256 ReLU → Dropout(0.2) → 10, Adam (lr 1e-3),
cross-entropy, batch 32, on the 1257 training images of digits (40 batches per epoch), float32.

    bare        the hand-written chainrule loop: for x, y in loader: forward, loss, zero_grad, backward, step
    fit         chainrule.train.fit on the same loader as users call it (loss bookkeeping, NaN guard, no
                validation; replay="auto", the default: each step captured once and replayed, train/replay.py)
    fit-eager   the same fit with replay=False: every step through the autograd graph
    fit+val     fit with the accuracy metric and a validation pass over 270 images after every epoch
    torch       the bare loop in PyTorch eager, batches cut by index from a shuffled permutation
                (what chainrule's DataLoader fast path does)
    torch+DL    the bare loop in PyTorch with torch.utils.data.DataLoader(TensorDataset) (per-sample
                indexing and collation: the idiomatic, slower way)
    sklearn     scikit-learn's MLPClassifier, the same network without dropout (it has none), Adam lr 1e-3,
                batch 32, alpha 0: one partial_fit per epoch

After the timed rounds each variant's test accuracy is measured (each trained for rounds × epochs + 1
epochs), so that the speeds compare networks that learned the same thing.

The machine is shared and noisy, so the variants are interleaved round by round (each round trains every
variant for ``--epochs`` epochs) and the median round is reported; only ratios within one run mean
anything. Target: fit ≥ 90% of bare. Results: benchmarks/results/train.json.

    python benchmarks/train.py [--rounds 9] [--epochs 3] [--threads 1]
"""

from __future__ import annotations

import statistics

from common import arguments, environment, interleaved, report


def main():
    args = arguments(__doc__, "train.json", "--epochs", 3, "epochs per variant per round")  # threads set

    import numpy as np
    import torch

    import chainrule as cr
    from chainrule import nn, optim
    from chainrule.data import DataLoader, datasets
    from chainrule.train import fit

    torch.set_num_threads(args.threads)
    split = datasets.load("digits")
    Xtr, ytr = (t.numpy() for t in split.train.tensors)

    def cr_model():
        cr.manual_seed(0)
        m = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
        return m, optim.Adam(m.parameters(), lr=1e-3), DataLoader(split.train, batch_size=32, shuffle=True)

    def make_bare():
        model, opt, loader = cr_model()
        loss_fn = nn.CrossEntropyLoss()

        def run(epochs):
            model.train()
            for _ in range(epochs):
                for x, y in loader:
                    out = model(x)
                    loss = loss_fn(out, y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return run

    Xte, yte = (t.numpy() for t in split.test.tensors)
    accuracy = {}  # variant -> a function giving its current test accuracy

    def cr_accuracy(model):
        model.eval()
        with cr.no_grad():
            return float((model(cr.from_numpy(Xte)).argmax(1).numpy() == yte).mean())

    def make_fit(val, replay="auto", name="fit"):
        model, opt, loader = cr_model()
        loss_fn = nn.CrossEntropyLoss()
        kw = {"val_data": split.val, "metrics": ["accuracy"]} if val else {}
        accuracy[name] = lambda: cr_accuracy(model)
        return lambda epochs: fit(model, loss_fn, opt, loader, epochs=epochs, verbose=False, replay=replay, **kw)

    def make_sklearn():
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        clf = MLPClassifier(hidden_layer_sizes=(256,), solver="adam", learning_rate_init=1e-3, batch_size=32,
                            alpha=0.0, random_state=0, shuffle=True)
        classes = np.arange(10)
        accuracy["sklearn"] = lambda: float(clf.score(Xte, yte))

        def run(epochs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for _ in range(epochs):
                    clf.partial_fit(Xtr, ytr, classes=classes)
        return run

    def make_torch(dataloader):
        torch.manual_seed(0)
        m = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                torch.nn.Linear(256, 10))
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
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

        accuracy["torch+DL" if dataloader else "torch"] = lambda: float(
            (m.eval()(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())

        def run(epochs):
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
        run(1)  # warm-up: first-call costs, lazy optimizer state
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
        "test_accuracy_after_the_rounds": test_accuracy,
        "target": "fit / bare >= 0.90; fit >= 2x torch and >= 2x sklearn (issue #15)",
        "rounds": args.rounds, "epochs_per_round": args.epochs, "threads": args.threads,
        "all_rounds_epochs_per_s": {k: [round(x, 2) for x in v] for k, v in rates.items()},
        **environment(np, torch),
    }
    report(result, args.out, med, "epochs/s", result["ratios"])


if __name__ == "__main__":
    main()
