"""CNN training benchmark: steps/s of chainrule beside PyTorch eager, in one process, written the way a user
writes it (nn.Conv2d, ReLU, MaxPool2d, Linear, CrossEntropyLoss, an optimizer; forward, loss, zero_grad,
backward, step).

    lenet    PyTorch's LeNet-5 tutorial net on 1×28×28 images (MNIST-sized; random pixels and labels, the
             data do not change the cost): conv 5×5 (6) → pool → conv 5×5 (16) → pool → 256 → 120 → 84 → 10,
             batch 64, SGD with momentum 0.9
    digits   ``chainrule train --model cnn``'s network (nn/cnn.py ``build_cnn``) on the 1257 training
             images of the 8×8 digits: [conv 3×3 (32) → BN → ReLU] ×2 → pool → conv 3×3 (64) → BN → ReLU →
             pool → dropout 0.25 → 256 → 10, batch 32, Adam

Both libraries get the same initial weights (torch's, copied through state_dict) and the same batches.
The machine is shared and noisy, so the two run interleaved, round by round (each round runs ``--steps``
steps of every variant, the first one alternating), and the median round is reported; only the ratios
within one run mean anything. Target: chainrule ≥ 0.5× torch's steps/s. Results: benchmarks/results/cnn.json.

    python benchmarks/cnn.py [--rounds 9] [--steps 30] [--threads 1]
"""

from __future__ import annotations

import statistics

from common import arguments, environment, interleaved, report


def main():
    args = arguments(__doc__, "cnn.json", "--steps", 30, "training steps per variant per round")  # threads set

    import numpy as np
    import torch

    import chainrule as cr
    from chainrule import nn, optim
    from chainrule.data import datasets
    from chainrule.nn.cnn import build_cnn

    torch.set_num_threads(args.threads)

    def lenet(m):
        return m.Sequential(m.Conv2d(1, 6, 5), m.ReLU(), m.MaxPool2d(2), m.Conv2d(6, 16, 5), m.ReLU(), m.MaxPool2d(2),
                            m.Flatten(), m.Linear(16 * 4 * 4, 120), m.ReLU(), m.Linear(120, 84), m.ReLU(),
                            m.Linear(84, 10))

    def digits_cnn(m):  # build_cnn((1, 8, 8), 10) written out, for torch.nn
        return m.Sequential(
            m.Unflatten(1, (1, 8, 8)),
            m.Conv2d(1, 32, 3, padding=1, bias=False), m.BatchNorm2d(32), m.ReLU(),
            m.Conv2d(32, 32, 3, padding=1, bias=False), m.BatchNorm2d(32), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(32, 64, 3, padding=1, bias=False), m.BatchNorm2d(64), m.ReLU(), m.MaxPool2d(2),
            m.Flatten(), m.Dropout(0.25), m.Linear(64 * 2 * 2, 10))

    rng = np.random.default_rng(0)
    lenet_batches = [(rng.standard_normal((64, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 64))
                     for _ in range(8)]
    split = datasets.load("digits")
    X, Y = (t.numpy() for t in split.train.tensors)
    order = rng.permutation(len(Y))
    digit_batches = [(X[order[i:i + 32]], Y[order[i:i + 32]]) for i in range(0, len(Y) - 31, 32)]
    assert repr(build_cnn((1, 8, 8), 10)) == repr(digits_cnn(nn)), "benchmark's twin differs from build_cnn"

    def make(lib, build, opt, batches):
        """A closure running n training steps the user's way, cycling through the batches."""
        torch.manual_seed(0)
        tmodel = build(torch.nn)
        if lib == "torch":
            model, make_opt, wrap, loss_fn = tmodel, getattr(torch.optim, opt[0]), torch.from_numpy, \
                torch.nn.CrossEntropyLoss()
        else:
            model, make_opt, wrap, loss_fn = build(nn), getattr(optim, opt[0]), cr.from_numpy, nn.CrossEntropyLoss()
            model.load_state_dict({k: v.detach().numpy() for k, v in tmodel.state_dict().items()})
        optimizer = make_opt(model.parameters(), **opt[1])
        data = [(wrap(np.ascontiguousarray(x)), wrap(np.asarray(y, dtype=np.int64))) for x, y in batches]
        model.train()
        state = {"i": 0}

        def run(n):
            for _ in range(n):
                x, y = data[state["i"] % len(data)]
                state["i"] += 1
                loss = loss_fn(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return run

    sgd, adam = ("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adam", {"lr": 1e-3})
    variants = {
        "lenet chainrule": make("chainrule", lenet, sgd, lenet_batches),
        "lenet torch": make("torch", lenet, sgd, lenet_batches),
        "digits chainrule": make("chainrule", digits_cnn, adam, digit_batches),
        "digits torch": make("torch", digits_cnn, adam, digit_batches),
    }
    for run in variants.values():
        run(5)  # warm-up: first-call costs, lazy optimizer state
    rates = interleaved(variants, args.rounds, args.steps)
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratios = {w: round(med[f"{w} chainrule"] / med[f"{w} torch"], 3) for w in ("lenet", "digits")}
    result = {
        "benchmark": "training steps/s of a CNN, chainrule vs PyTorch eager (CPU), same weights and batches",
        "workloads": {"lenet": "LeNet-5 on 1x28x28, batch 64, SGD momentum 0.9",
                      "digits": "chainrule train --model cnn's net (build_cnn) on 8x8 digits, batch 32, Adam"},
        "median_steps_per_s": {k: round(v, 1) for k, v in med.items()},
        "ratios chainrule / torch": ratios,
        "target": "chainrule / torch >= 0.5",
        "rounds": args.rounds, "steps_per_round": args.steps, "threads": args.threads,
        "all_rounds_steps_per_s": {k: [round(x, 1) for x in v] for k, v in rates.items()},
        **environment(np, torch),
    }
    report(result, args.out, med, "steps/s", {f'{k} chainrule / torch': v for k, v in ratios.items()})


if __name__ == "__main__":
    main()
