"""Lab ``exp-cost``: what exp() costs — per element, per activation (forward + backward), per training step.

ReLU is max(0, h): one comparison per element. Sigmoid 1/(1 + e^{−h}), tanh and ELU/softplus need an
exponential, which costs several times more per element. Whether that matters for a network depends on
what else a step does: the matrix products are O(batch · n_in · n_out), the activation O(batch · n_out).
Three timings, each repeated in blocks (the minimum of a block, robust to a busy machine; one block per seed):

* NumPy alone on 256 × 256 float32: ``np.maximum(x, 0)``, ``np.exp(x)``, ``np.tanh(x)``;
* chainrule, forward + backward of each activation module on the same array;
* one SGD step (forward, backward, update) of a 64 → 256 → 256 → 10 MLP on a batch of 256 digits, ReLU vs
  sigmoid vs tanh.

Timings vary from machine to machine and run to run: these numbers are not part of the docs' drift test.
"""

from __future__ import annotations

import time

import numpy as np

import chainrule as cr
from chainrule.nn import activation_registry

from ..data.datasets import digits_split
from ..nn.mlp import build_mlp
from ._common import label
from ._figs import bars, panels
from ._seeds import seeded, trial
from ._stats import Stat, sign_verdict

ACTS = ("relu", "leaky_relu", "elu", "softplus", "tanh", "sigmoid")
LABEL = {a: label(a) for a in ACTS}
STEP_ACTS = ("relu", "tanh", "sigmoid")
REPEAT = 15


def _best(fn, repeat=REPEAT):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e6  # µs


@trial
def timings(config):
    """One block of timings (µs): NumPy ops, chainrule activations forward+backward, one training step."""
    from chainrule import nn, optim

    rng = seeded(config)
    x = rng.standard_normal((256, 256)).astype(np.float32)
    out = {"numpy": {"max(x, 0)": _best(lambda: np.maximum(x, 0)), "exp(x)": _best(lambda: np.exp(x)),
                     "tanh(x)": _best(lambda: np.tanh(x))}, "engine": {}, "step": {}}
    for a in ACTS:
        out["engine"][a] = _best(_fwd_bwd(activation_registry.module(a), x))
    train, _, _ = digits_split()
    xb, yb = cr.from_numpy(train.X[:256]), cr.from_numpy(train.y[:256])
    for a in STEP_ACTS:
        model = build_mlp([64, 256, 256, 10], a)
        out["step"][a] = _best(_sgd_step(model, optim.SGD(model.parameters(), lr=0.01), nn.CrossEntropyLoss(), xb, yb),
                               10)
    return out


def _fwd_bwd(f, x):
    def run():
        t = cr.from_numpy(x).requires_grad_()
        f(t).sum().backward()

    return run


def _sgd_step(model, opt, loss_fn, xb, yb):
    def run():
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return run


def run(ctx):
    res = ctx.map(timings, [{}])[0]
    npy = {k: Stat.of([r["numpy"][k] for r in res]) for k in res[0]["numpy"]}
    eng = {a: Stat.of([r["engine"][a] for r in res]) for a in ACTS}
    step = {a: Stat.of([r["step"][a] for r in res]) for a in STEP_ACTS}
    exp_ratio = Stat.of([r["numpy"]["exp(x)"] / r["numpy"]["max(x, 0)"] for r in res])
    eng_ratio = Stat.of([r["engine"]["sigmoid"] / r["engine"]["relu"] for r in res])
    step_ratio = Stat.of([r["step"]["sigmoid"] / r["step"]["relu"] for r in res])
    ctx.record(numpy_us=npy, engine_fwd_bwd_us={LABEL[a]: eng[a] for a in ACTS},
               training_step_us={LABEL[a]: step[a] for a in STEP_ACTS}, exp_over_max=exp_ratio,
               sigmoid_over_relu_engine=eng_ratio, sigmoid_over_relu_step=step_ratio, seeds=ctx.seeds)
    op = sign_verdict(Stat.of([v - 1 for v in eng_ratio.finite]))
    net = sign_verdict(Stat.of([v - 1.1 for v in step_ratio.finite]))
    verdict = "supported" if op == net == "supported" else "partly supported" if op == "supported" else "unresolved"
    ctx.claim("relu-efficient", textbook="max(0, h) is a comparison per element; e^h costs several times more. In a "
              "network the matrix products usually dominate, so the saving per training step is smaller.",
              measured=f"NumPy, 256×256 float32: exp {npy['exp(x)'].pm(3)} µs vs max(x, 0) {npy['max(x, 0)'].pm(3)} µs "
              f"(×{exp_ratio.pm(2)}). chainrule forward + backward: sigmoid {eng['sigmoid'].pm(3)} µs vs ReLU "
              f"{eng['relu'].pm(3)} µs (×{eng_ratio.pm(2)}). A whole SGD step of a 64-256-256-10 MLP (batch 256): "
              f"sigmoid {step['sigmoid'].pm(3)} µs vs ReLU {step['relu'].pm(3)} µs (×{step_ratio.pm(2)}).",
              verdict=verdict, stats={"exp_over_max": exp_ratio, "sigmoid_over_relu_step": step_ratio}, drift=False)
    _figure(ctx, npy, eng, step)
    ctx.conclude(f"exp() costs ×{exp_ratio.pm(2)} a max(x, 0) in NumPy; through chainrule's forward + backward "
                 f"sigmoid costs ×{eng_ratio.pm(2)} a ReLU; in a whole training step of a 64-256-256-10 MLP the "
                 f"difference shrinks to ×{step_ratio.pm(2)}: cheaper per element, "
                 + ("a small part of a step." if step_ratio.hi < 1.3 else "and still visible in a step.")
                 + f" (Minimum of {REPEAT} repeats per block, {ctx.n_seeds}; timings are this machine's.)")


def _figure(ctx, npy, eng, step):
    fig, axes = panels(1, 3, (15, 3.8), left=0.05, right=0.98, bottom=0.16, top=0.8, wspace=0.35)
    bars(axes[0], list(npy), npy, colors=["tab:red", "tab:purple", "tab:orange"], digits=3)
    axes[0].set(ylabel="µs per call", title="NumPy on 256×256 float32")
    names = [LABEL[a] for a in ACTS]
    bars(axes[1], names, {LABEL[a]: eng[a] for a in ACTS}, digits=3,
         colors=["tab:red", "tab:pink", "tab:green", "tab:olive", "tab:orange", "tab:purple"])
    axes[1].set(ylabel="µs", title="chainrule: activation forward + backward, 256×256")
    axes[1].tick_params(axis="x", labelrotation=20)
    bars(axes[2], [LABEL[a] for a in STEP_ACTS], {LABEL[a]: step[a] for a in STEP_ACTS}, digits=3,
         colors=["tab:red", "tab:orange", "tab:purple"])
    axes[2].set(ylabel="µs", title="one SGD step, 64-256-256-10 MLP, batch 256")
    fig.suptitle(f"The cost of exp(): per element it is several × a max; per training step much less "
                 f"(minimum of {REPEAT} repeats; mean ± s.d. over {len(ctx.seeds)} blocks, one per seed)")
    ctx.figure(fig, "cost.png", "Left: NumPy's exp and tanh against max(x, 0). Middle: forward + backward of each "
               "activation through chainrule. Right: a whole training step with ReLU, tanh or sigmoid — the "
               "matrix products dominate.")
