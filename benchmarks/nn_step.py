"""One training step the way users write it: ``nn.Sequential`` + a loss module + ``torch.optim``-style optimizer,
``zero_grad(); loss.backward(); step()`` -- chainrule beside PyTorch eager and hand-written NumPy, in one process.

Cases (float32; each step takes the next of 16 fixed batches):
    tiny     2-8-8-1 tanh MLP, batch 10, MSELoss                 (the playground's and the labs' workload)
    medium   784-512-512-10 ReLU MLP, batch 256, CrossEntropyLoss (BLAS-bound: ≈ 1.03 GFLOP per step)
each with SGD, SGD + momentum 0.9, and Adam. Implementations:
    chainrule          eager, exactly the PyTorch program with ``import chainrule as torch``
    chainrule-replay   the same step captured once (``chainrule.graph``) and replayed, each batch copied into the
                       captured step's input tensors first (``copy_``), as fit does
    pytorch            PyTorch eager (CPU, the same thread count)
    numpy              forward, backward and update written out by hand with NumPy (no graph at all)

Implementations are interleaved round by round and the median round reported; only ratios within one run
mean anything (a shared, noisy machine). Results: benchmarks/results/nn_step.json.

    python benchmarks/nn_step.py [--rounds 11] [--threads 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch
from common import median_round

import chainrule as cr

CASES = {"tiny": ([2, 8, 8, 1], 10, "tanh", "mse", 400), "medium": ([784, 512, 512, 10], 256, "relu", "ce", 6)}
OPTIMIZERS = {"sgd": dict(lr=0.01), "momentum": dict(lr=0.01, momentum=0.9), "adam": dict(lr=1e-3)}


BATCHES = 16  # each step takes the next of these batches, as a training loop does (one batch over and over
# would train the network until its gradients underflow to subnormal floats, which every library computes slowly)


def data(sizes, batch, loss, rng):
    """BATCHES (inputs, targets) pairs."""
    x = rng.standard_normal((BATCHES, batch, sizes[0])).astype(np.float32)
    if loss == "mse":
        return x, rng.standard_normal((BATCHES, batch, sizes[-1])).astype(np.float32)
    return x, rng.integers(0, sizes[-1], (BATCHES, batch)).astype(np.int64)


def weights(sizes, rng):
    ws = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(i)
        ws += [rng.uniform(-bound, bound, (o, i)).astype(np.float32), rng.uniform(-bound, bound, o).astype(np.float32)]
    return ws


def build(lib, sizes, act, init):
    nn = lib.nn
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(nn.Tanh() if act == "tanh" else nn.ReLU())
    model = nn.Sequential(*layers)
    with lib.no_grad():
        for p, w in zip(model.parameters(), init):
            p.copy_(lib.tensor(w))
    return model


def lib_step(lib, sizes, act, loss, opt, init, x, y, replay=False):
    model = build(lib, sizes, act, init)
    loss_fn = lib.nn.MSELoss() if loss == "mse" else lib.nn.CrossEntropyLoss()
    cls = lib.optim.Adam if opt == "adam" else lib.optim.SGD
    optimizer = cls(model.parameters(), **OPTIMIZERS[opt])
    batches = [(lib.tensor(a), lib.tensor(b)) for a, b in zip(x, y)]
    turn = iter(range(10**12))

    def step(xt=None, yt=None):
        if xt is None:
            xt, yt = batches[next(turn) % BATCHES]
        optimizer.zero_grad()
        out = loss_fn(model(xt), yt)
        out.backward()
        optimizer.step()
        return out

    if not replay:
        return step
    step()  # the warm-up step creates the optimizer's state eagerly (torch.cuda.graphs' rule)
    static_x, static_y = batches[0][0].clone(), batches[0][1].clone()
    graph = cr.Graph()
    with cr.graph(graph):
        step(static_x, static_y)

    def replayed():  # the next batch into the captured step's inputs, then the step
        xt, yt = batches[next(turn) % BATCHES]
        static_x.copy_(xt)
        static_y.copy_(yt)
        graph.replay()

    return replayed


def numpy_step(sizes, act, loss, opt, init, xs, ys):
    """The same step written by hand: forward, backward, the update rule (in place where NumPy allows)."""
    ps = [w.copy() for w in init]
    state = [dict(m=np.zeros_like(p), v=np.zeros_like(p), t=0) for p in ps]
    hp = OPTIMIZERS[opt]
    n_layers = len(sizes) - 1
    onehots = None if loss == "mse" else np.eye(sizes[-1], dtype=np.float32)[ys]
    turn = iter(range(10**12))

    def step():
        i = next(turn) % BATCHES
        x, y = xs[i], ys[i]
        onehot = None if onehots is None else onehots[i]
        hs = [x]
        for k in range(n_layers):
            z = hs[-1] @ ps[2 * k].T + ps[2 * k + 1]
            hs.append(z if k == n_layers - 1 else (np.tanh(z) if act == "tanh" else np.maximum(z, 0)))
        out = hs[-1]
        if loss == "mse":
            g = (out - y) * (2.0 / out.size)
        else:
            e = np.exp(out - out.max(1, keepdims=True))
            g = (e / e.sum(1, keepdims=True) - onehot) * (1.0 / len(x))
        grads = [None] * len(ps)
        for k in reversed(range(n_layers)):
            grads[2 * k], grads[2 * k + 1] = g.T @ hs[k], g.sum(0)
            if k:
                g = g @ ps[2 * k]
                g *= (1 - hs[k] * hs[k]) if act == "tanh" else (hs[k] > 0)
        for p, gp, st in zip(ps, grads, state):
            if opt == "sgd":
                gp *= hp["lr"]
                p -= gp
            elif opt == "momentum":
                st["m"] *= hp["momentum"]
                st["m"] += gp
                p -= hp["lr"] * st["m"]
            else:
                st["t"] += 1
                st["m"] *= 0.9
                st["m"] += 0.1 * gp
                st["v"] *= 0.999
                st["v"] += 0.001 * gp * gp
                denom = np.sqrt(st["v"]) / np.sqrt(1 - 0.999 ** st["t"]) + 1e-8
                p -= (hp["lr"] / (1 - 0.9 ** st["t"])) * st["m"] / denom

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="3 rounds, fewer steps (a smoke run)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "nn_step.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    rounds = 3 if args.quick else args.rounds
    replay = hasattr(cr, "graph")
    results = {}
    for case, (sizes, batch, act, loss, n) in CASES.items():
        n = max(1, n // 10) if args.quick else n
        rng = np.random.default_rng(0)
        x, y = data(sizes, batch, loss, rng)
        init = weights(sizes, rng)
        for opt in OPTIMIZERS:
            fns = {"chainrule": lib_step(cr, sizes, act, loss, opt, init, x, y),
                   "pytorch": lib_step(torch, sizes, act, loss, opt, init, x, y),
                   "numpy": numpy_step(sizes, act, loss, opt, init, x, y)}
            if replay:
                fns["chainrule-replay"] = lib_step(cr, sizes, act, loss, opt, init, x, y, replay=True)
            med = median_round(fns, n, rounds)
            row = {k: {"steps_per_s": 1 / t} for k, t in med.items()}
            for k in row:
                row[k]["vs_pytorch"] = med["pytorch"] / med[k]
                row[k]["vs_numpy"] = med["numpy"] / med[k]
            results[f"{case}/{opt}"] = row
            print(f"{case:>6}/{opt:<8} " + "  ".join(
                f"{k} {v['steps_per_s']:9.0f}/s ({v['vs_pytorch']:.2f}× torch, {v['vs_numpy']:.2f}× numpy)"
                for k, v in row.items() if k != "pytorch"), flush=True)
    meta = {"python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__,
            "machine": platform.machine(), "threads": args.threads, "rounds": rounds}
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
