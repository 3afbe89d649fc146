"""One SGD training step on a CUDA GPU (issue #14's three rows): chainrule eager and captured
(``chainrule.cuda.CUDAGraph``) beside PyTorch eager and PyTorch's CUDA graph, and a hand-written CuPy step, in
one process, interleaved round by round; the median round per implementation (steps/s, ms/step) and the ratio
to PyTorch eager. fp32, TF32 off (a fair float32 comparison: CuPy's matmul does not use TF32 by default).

    PYTHONPATH=src python3 benchmarks/gpu.py [--rounds 9] [--quick]      (make bench-gpu)

Needs CuPy and PyTorch with CUDA on the machine; writes benchmarks/results/gpu.json. Cases:
    large    784-4096-4096-4096-10, batch 4096, CrossEntropyLoss   (BLAS-bound)
    medium   784-512-512-10, batch 256, CrossEntropyLoss           (launch- and Python-bound)
    tiny     2-8-8-1, batch 10, MSELoss                            (launch- and Python-bound)
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np
from common import median_round

CASES = {"large": ([784, 4096, 4096, 4096, 10], 4096, "ce", 20), "medium": ([784, 512, 512, 10], 256, "ce", 200),
         "tiny": ([2, 8, 8, 1], 10, "mse", 400)}
LR = 0.01


def data(sizes, batch, loss, rng):
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch) if loss == "ce" else rng.standard_normal((batch, 1)).astype(np.float32)
    return x, y


def init_weights(sizes, rng):
    return [(rng.uniform(-1, 1, (o, i)).astype(np.float32) / np.sqrt(i), np.zeros(o, np.float32))
            for i, o in zip(sizes[:-1], sizes[1:])]


def lib_model(lib, weights):
    nn = lib.nn
    layers = []
    for w, b in weights:
        lin = nn.Linear(w.shape[1], w.shape[0])
        with lib.no_grad():
            lin.weight.copy_(lib.from_numpy(w))
            lin.bias.copy_(lib.from_numpy(b))
        layers += [lin, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def lib_step(lib, sync, weights, x, y, loss, captured):
    """The PyTorch program, run by ``lib`` (torch or chainrule): eager, or captured once and replayed."""
    model = lib_model(lib, weights).to("cuda")
    loss_fn = lib.nn.CrossEntropyLoss() if loss == "ce" else lib.nn.MSELoss()
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    sx, sy = lib.from_numpy(x).to("cuda"), lib.from_numpy(y).to("cuda")

    def step():
        opt.zero_grad(set_to_none=False)
        out = loss_fn(model(sx), sy)
        out.backward()
        opt.step()
        return out

    if not captured:
        return step
    step()  # warm-up: .grad buffers allocated eagerly, as torch's recipe asks
    sync()
    g = lib.cuda.CUDAGraph()
    with lib.cuda.graph(g):
        step()
    return g.replay


def cupy_step(cp, weights, x, y, loss):
    """Forward, backward and the SGD update written out by hand with CuPy (no graph at all)."""
    W = [(cp.asarray(w), cp.asarray(b)) for w, b in weights]
    X, Y = cp.asarray(x), cp.asarray(y)
    n = X.shape[0]

    def step():
        hs, h = [X], X
        for i, (w, b) in enumerate(W):
            h = h @ w.T + b
            if i < len(W) - 1:
                h = cp.maximum(h, 0)
            hs.append(h)
        if loss == "ce":
            z = h - h.max(axis=1, keepdims=True)
            p = cp.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            p[cp.arange(n), Y] -= 1
            g = p / n
        else:
            g = 2 * (h - Y) / h.size
        for i in reversed(range(len(W))):
            w, b = W[i]
            gw, gb = g.T @ hs[i], g.sum(axis=0)
            if i:
                g = (g @ w) * (hs[i] > 0)
            w -= LR * gw
            b -= LR * gb

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="3 rounds, a tenth of the steps (a smoke test)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "gpu.json"))
    args = ap.parse_args(argv)
    import cupy as cp
    import torch

    import chainrule as cr

    if not (cr.cuda.is_available() and torch.cuda.is_available()):
        sys.exit("benchmarks/gpu.py needs a CUDA GPU visible to both CuPy and PyTorch")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    def sync():
        torch.cuda.synchronize()
        cp.cuda.Device().synchronize()

    rounds = 3 if args.quick else args.rounds
    rng = np.random.default_rng(0)
    results = {}
    for case, (sizes, batch, loss, n) in CASES.items():
        n = max(2, n // 10) if args.quick else n
        weights, (x, y) = init_weights(sizes, rng), data(sizes, batch, loss, rng)
        fns = {"pytorch": lib_step(torch, sync, weights, x, y, loss, False),
               "pytorch-cudagraph": lib_step(torch, sync, weights, x, y, loss, True),
               "chainrule": lib_step(cr, sync, weights, x, y, loss, False),
               "cupy": cupy_step(cp, weights, x, y, loss)}
        try:
            fns["chainrule-captured"] = lib_step(cr, sync, weights, x, y, loss, True)
        except Exception as err:  # noqa: BLE001 - recorded: the table says why a row is missing
            results.setdefault("errors", {})[case] = f"chainrule capture: {type(err).__name__}: {err}"
        med = median_round(fns, n, rounds, sync)
        base = med["pytorch"]
        results[case] = {k: {"ms_per_step": round(v * 1e3, 4), "steps_per_s": round(1 / v, 1),
                             "vs_pytorch_eager": round(base / v, 3)} for k, v in med.items()}
        print(case, {k: f"{v * 1e3:.3f} ms ({base / v:.2f}x)" for k, v in med.items()}, flush=True)
    results["machine"] = {"gpu": cr.cuda.get_device_name(0), "python": platform.python_version(),
                          "cupy": cp.__version__, "torch": torch.__version__, "numpy": np.__version__,
                          "rounds": rounds, "tf32": False}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(args.out).with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    tmp.replace(args.out)


if __name__ == "__main__":
    main()
