"""Engine benchmark: chainrule vs PyTorch eager vs hand-written NumPy, side by side in one process.

(a) per-op overhead: forward + backward of one elementwise multiply on 10 elements (µs);
(b) one SGD step of a 2-8-8-1 tanh MLP, batch 10, MSE, built from tensor ops (steps/s);
(c) one SGD step of a 784-512-512-10 ReLU MLP, batch 256, softmax cross-entropy, float32 (steps/s).

The machine is shared and noisy, so implementations are interleaved round by round and the median
round is reported; only ratios within one run mean anything. Results: benchmarks/results/engine.json.

    python benchmarks/engine.py [--rounds 15] [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

import chainrule as cr

torch.set_num_threads(2)


def timeit(fn, n):
    fn()  # warm-up
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


# ---------------------------------------------------------------------------------------------- (a)
def case_a():
    x0 = np.random.default_rng(0).standard_normal(10).astype(np.float32)
    g0 = np.ones(10, np.float32)
    cx = cr.tensor(x0, requires_grad=True)
    cg = cr.tensor(g0)
    tx = torch.tensor(x0, requires_grad=True)
    tg = torch.tensor(g0)

    def chainrule():
        y = cx * 1.5
        y.backward(cg)
        cx.grad = None

    def pytorch():
        y = tx * 1.5
        y.backward(tg)
        tx.grad = None

    def numpy():
        y = x0 * 1.5  # noqa: F841
        gx = g0 * 1.5  # noqa: F841

    return {"chainrule": chainrule, "pytorch": pytorch, "numpy": numpy}, 2000


# ---------------------------------------------------------------------------------------------- (b)
def _mlp_params(sizes, rng, dtype):
    ps = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(i)
        ps.append(rng.uniform(-bound, bound, (i, o)).astype(dtype))
        ps.append(rng.uniform(-bound, bound, (o,)).astype(dtype))
    return ps


def case_b():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 2)).astype(np.float32)
    y = rng.standard_normal((10, 1)).astype(np.float32)
    init = _mlp_params([2, 8, 8, 1], rng, np.float32)
    lr = 0.01

    cp = [cr.tensor(p, requires_grad=True) for p in init]
    cx, cy = cr.tensor(x), cr.tensor(y)

    def chainrule():
        W1, b1, W2, b2, W3, b3 = cp
        h = (cx @ W1 + b1).tanh()
        h = (h @ W2 + b2).tanh()
        loss = ((h @ W3 + b3 - cy) ** 2).mean()
        for p in cp:
            p.grad = None
        loss.backward()
        for p in cp:
            p.data -= lr * p.grad.data

    tp = [torch.tensor(p, requires_grad=True) for p in init]
    tx, ty = torch.tensor(x), torch.tensor(y)

    def pytorch():
        W1, b1, W2, b2, W3, b3 = tp
        h = (tx @ W1 + b1).tanh()
        h = (h @ W2 + b2).tanh()
        loss = ((h @ W3 + b3 - ty) ** 2).mean()
        for p in tp:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in tp:
                p -= lr * p.grad

    npp = [p.copy() for p in init]

    def numpy():
        W1, b1, W2, b2, W3, b3 = npp
        h1 = np.tanh(x @ W1 + b1)
        h2 = np.tanh(h1 @ W2 + b2)
        out = h2 @ W3 + b3
        d = out - y
        g = 2 * d / d.size
        gW3, gb3 = h2.T @ g, g.sum(0)
        g = (g @ W3.T) * (1 - h2 * h2)
        gW2, gb2 = h1.T @ g, g.sum(0)
        g = (g @ W2.T) * (1 - h1 * h1)
        gW1, gb1 = x.T @ g, g.sum(0)
        for p, gp in zip(npp, (gW1, gb1, gW2, gb2, gW3, gb3)):
            p -= lr * gp

    return {"chainrule": chainrule, "pytorch": pytorch, "numpy": numpy}, 300


# ---------------------------------------------------------------------------------------------- (c)
def case_c():
    rng = np.random.default_rng(0)
    n, sizes = 256, [784, 512, 512, 10]
    x = rng.standard_normal((n, 784)).astype(np.float32)
    labels = rng.integers(0, 10, n)
    init = _mlp_params(sizes, rng, np.float32)
    lr = 0.01
    onehot = np.eye(10, dtype=np.float32)[labels]

    cp = [cr.tensor(p, requires_grad=True) for p in init]
    cx, conehot = cr.tensor(x), cr.tensor(onehot)

    def chainrule():
        W1, b1, W2, b2, W3, b3 = cp
        h = (cx @ W1 + b1).relu()
        h = (h @ W2 + b2).relu()
        logp = (h @ W3 + b3).log_softmax(dim=1)
        loss = -(logp * conehot).sum() * (1.0 / n)
        for p in cp:
            p.grad = None
        loss.backward()
        for p in cp:
            p.data -= lr * p.grad.data

    tp = [torch.tensor(p, requires_grad=True) for p in init]
    tx, tl = torch.tensor(x), torch.tensor(labels)

    def pytorch():
        W1, b1, W2, b2, W3, b3 = tp
        h = (tx @ W1 + b1).relu()
        h = (h @ W2 + b2).relu()
        loss = torch.nn.functional.cross_entropy(h @ W3 + b3, tl)
        for p in tp:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in tp:
                p -= lr * p.grad

    npp = [p.copy() for p in init]

    def numpy():
        W1, b1, W2, b2, W3, b3 = npp
        z1 = x @ W1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2 + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ W3 + b3
        z3 = z3 - z3.max(1, keepdims=True)
        e = np.exp(z3)
        p = e / e.sum(1, keepdims=True)
        g = (p - onehot) / n
        gW3, gb3 = h2.T @ g, g.sum(0)
        g = (g @ W3.T) * (z2 > 0)
        gW2, gb2 = h1.T @ g, g.sum(0)
        g = (g @ W2.T) * (z1 > 0)
        gW1, gb1 = x.T @ g, g.sum(0)
        for q, gq in zip(npp, (gW1, gb1, gW2, gb2, gW3, gb3)):
            q -= lr * gq

    return {"chainrule": chainrule, "pytorch": pytorch, "numpy": numpy}, 5


def run_case(make, rounds):
    impls, n = make()
    per = {k: [] for k in impls}
    for _ in range(rounds):
        for name, fn in impls.items():
            per[name].append(timeit(fn, n))
    return {k: statistics.median(v) for k, v in per.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--quick", action="store_true", help="3 rounds, no results file")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "engine.json"))
    args = ap.parse_args(argv)
    rounds = 3 if args.quick else args.rounds

    a = run_case(case_a, rounds)
    b = run_case(case_b, rounds)
    c = run_case(case_c, rounds)
    res = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "numpy": np.__version__, "torch": torch.__version__, "chainrule": cr.__version__},
        "rounds": rounds,
        "a_per_op_us": {k: v * 1e6 for k, v in a.items()},
        "b_tiny_mlp_steps_per_s": {k: 1 / v for k, v in b.items()},
        "c_mnist_mlp_steps_per_s": {k: 1 / v for k, v in c.items()},
    }
    res["ratios"] = {
        "a_chainrule_us_over_pytorch_us": a["chainrule"] / a["pytorch"],
        "b_chainrule_over_pytorch": b["pytorch"] / b["chainrule"],
        "b_chainrule_over_numpy": b["numpy"] / b["chainrule"],
        "c_chainrule_over_pytorch": c["pytorch"] / c["chainrule"],
        "c_chainrule_over_numpy": c["numpy"] / c["chainrule"],
    }
    res["targets"] = {"b_chainrule_over_pytorch": ">= 3.0", "c_chainrule_over_pytorch": ">= 1.1",
                      "c_chainrule_over_numpy": ">= 0.9"}

    print(f"{'case':44s} {'chainrule':>12s} {'pytorch':>12s} {'numpy':>12s}")
    rows = [("(a) elementwise op fwd+bwd, 10 elems (µs)", a, 1e6, ".2f"),
            ("(b) 2-8-8-1 tanh MLP SGD step (steps/s)", b, None, ".0f"),
            ("(c) 784-512-512-10 MLP SGD step (steps/s)", c, None, ".1f")]
    for label, case, scale, fmt in rows:
        vals = [case[k] * scale if scale else 1 / case[k] for k in ("chainrule", "pytorch", "numpy")]
        print(f"{label:44s} " + " ".join(f"{v:12{fmt}}" for v in vals))
    for k, v in res["ratios"].items():
        print(f"  {k}: {v:.2f}")
    if not args.quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(res, indent=2) + "\n")
        print(f"wrote {args.out}")
    return res


if __name__ == "__main__":
    main()
