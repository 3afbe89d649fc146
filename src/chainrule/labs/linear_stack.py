"""Lab ``linear-stack``: stacking linear layers without a nonlinearity gives one linear layer.

For layers ``hₖ = Wₖ hₖ₋₁ + bₖ`` (k = 1..L) the composition is again affine:

    h_L = W' x + b',   W' = W_L ⋯ W_2 W_1,   b' = b_L + W_L b_{L−1} + W_L W_{L−1} b_{L−2} + ⋯

computed here by folding from the first layer: (W', b') ← (Wₖ W', Wₖ b' + bₖ). The stack's outputs and
``W' x + b'`` coincide to round-off, so depth without a nonlinearity adds nothing: trained on the
playground's circle, a 3-layer linear stack still draws a straight boundary. Put tanh between the layers
and neither the folded (W', b') nor the best least-squares linear fit reproduces the outputs any more.
"""

from __future__ import annotations

import numpy as np

from ..nn.mlp import build_mlp
from ._common import draw_boundary, fit_full_batch, fmt, predict
from ._figs import panels
from ._seeds import seeded, trial
from ._stats import Stat

WIDTH, DEPTH, N, STEPS = 16, 3, 300, 300


def fold(linears):
    """(W', b') of a stack of ``nn.Linear`` layers applied in order (torch layout: y = x Wᵀ + b)."""
    W = np.eye(linears[0].in_features)
    b = np.zeros(linears[0].in_features)
    for layer in linears:
        Wk = layer.weight.detach().numpy().astype(np.float64)
        bk = layer.bias.detach().numpy().astype(np.float64)
        W, b = Wk @ W, Wk @ b + bk
    return W, b


def _linears(model):
    from chainrule import nn

    return [m for m in model if isinstance(m, nn.Linear)]


@trial
def one_seed(config):
    """A linear stack and a tanh stack on the circle: folded vs actual outputs, before and after training."""
    from chainrule import nn, optim
    from chainrule.data import toy

    rng = seeded(config)
    X, y = toy.circle(N, seed=rng)
    X, y = (X / 5).astype(np.float32), (y > 0).astype(np.float32)
    draw = config["seed"] == config["draw"]
    out = {}
    for name, act in (("linear", None), ("tanh", "tanh")):
        model = build_mlp([2] + [WIDTH] * (DEPTH - 1) + [1], act)
        W0, b0 = fold(_linears(model))
        at_init = predict(model, X)[:, 0].astype(np.float64)
        err_init = np.abs(at_init - (X @ W0.T[:, 0] + b0[0])).max() / np.abs(at_init).max()
        fit_full_batch(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.02), X, y[:, None], STEPS)
        W, b = fold(_linears(model))
        outputs = predict(model, X)[:, 0].astype(np.float64)
        folded = X.astype(np.float64) @ W.T[:, 0] + b[0]
        A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
        best = A @ np.linalg.lstsq(A, outputs, rcond=None)[0]
        scale = np.ptp(outputs)
        out[name] = {"max_diff_folded_at_init": float(err_init),
                     "max_diff_folded": float(np.abs(outputs - folded).max() / scale),
                     "max_diff_best_linear_fit": float(np.abs(outputs - best).max() / scale),
                     "train_acc_circle": float(((outputs > 0) == (y > 0.5)).mean())}
        if draw:
            g = np.linspace(-1.2, 1.2, 61, dtype=np.float32)
            gx, gy = np.meshgrid(g, g)
            out[name]["picture"] = {"outputs": outputs, "folded": folded, "best": best, "X": X, "y": y,
                                    "s": predict(model, np.stack([gx.ravel(), gy.ravel()], 1))[:, 0].reshape(61, 61)}
    return out


def run(ctx):
    res = ctx.map(one_seed, [{"draw": ctx.seeds[0]}])[0]
    st = {f"{a}.{k}": Stat.of([r[a][k] for r in res]) for a in ("linear", "tanh")
          for k in ("max_diff_folded_at_init", "max_diff_folded", "max_diff_best_linear_fit", "train_acc_circle")}
    lin_err = max(max(st["linear.max_diff_folded"].finite), max(st["linear.max_diff_folded_at_init"].finite))
    fit_err = st["tanh.max_diff_best_linear_fit"]
    ok = lin_err < 1e-5 and fit_err.lo > 0.05
    ctx.record(width=WIDTH, depth=DEPTH, steps=STEPS, seeds=ctx.seeds, stats=st,
               stack_equals_one_linear=bool(lin_err < 1e-5), nonlinear_differs=bool(fit_err.lo > 0.05))
    ctx.claim("linear-stack", textbook="A composition of affine maps is affine: W' = W3W2W1, "
              "b' = W3(W2b1 + b2) + b3. Any nonlinearity in between makes the network non-affine.",
              measured=f"{DEPTH} linear layers vs their folded W'x + b': largest difference {fmt(lin_err, 2)} of the "
              f"output range over {ctx.n_seeds}, before and after training (float32 round-off); accuracy on the "
              f"circle {st['linear.train_acc_circle'].pm(pct=1)} (a line). With tanh between: accuracy "
              f"{st['tanh.train_acc_circle'].pm(pct=1)}, and even the best linear fit misses by "
              f"{st['tanh.max_diff_best_linear_fit'].pm(pct=1)} of the output range.",
              verdict="supported" if ok else "partly supported",
              stats={"linear_acc": st["linear.train_acc_circle"], "tanh_acc": st["tanh.train_acc_circle"],
                     "tanh_best_fit_miss": fit_err})
    _figure(ctx, res[0], st)
    ctx.conclude(f"A {DEPTH}-layer linear stack equals W'x + b' to {fmt(lin_err, 2)} of its output range (every seed, "
                 f"at init and after training) and on the circle stays a line "
                 f"({st['linear.train_acc_circle'].pm(pct=1)}). With tanh the network reaches "
                 f"{st['tanh.train_acc_circle'].pm(pct=1)}, and no linear function reproduces it (best linear fit "
                 f"off by {fit_err.pm(pct=1)} of the range).")


def _figure(ctx, first, st):
    fig, axes = panels(1, 4, (14, 3.9), left=0.05, right=0.99, bottom=0.14, top=0.8, wspace=0.35)
    for ax, name in zip(axes[:2], ("linear", "tanh")):
        p = first[name]["picture"]
        outputs, folded, best = (np.asarray(p[k]) for k in ("outputs", "folded", "best"))
        lim = np.abs(np.concatenate([outputs, folded, best])).max() * 1.05
        ax.plot([-lim, lim], [-lim, lim], color="0.8", lw=1)
        ax.scatter(outputs, folded, s=6, label="W'x + b' (folded)")
        ax.scatter(outputs, best, s=6, marker="x", label="best linear fit")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="trained network's output (logit)",
               ylabel="linear model's output",
               title=f"{DEPTH} layers, {'no nonlinearity' if name == 'linear' else 'tanh between'}\n"
                     f"|output − folded| / range ≤ {first[name]['max_diff_folded']:.1e}")
        ax.legend(loc="upper left", fontsize=7)
    for ax, name in zip(axes[2:], ("linear", "tanh")):
        p = first[name]["picture"]
        draw_boundary(ax, p["s"], np.asarray(p["X"]), np.asarray(p["y"]), 1.2,
                      f"circle: {'linear stack' if name == 'linear' else 'with tanh'}\n"
                      f"accuracy {st[name + '.train_acc_circle'].pm(pct=1)}")
    fig.suptitle(f"A stack of {DEPTH} Linear layers (width {WIDTH}) is one linear model; with tanh it is not "
                 "(first seed; accuracy mean ± s.d. over seeds)")
    ctx.figure(fig, "linear_stack.png", "Left two: the stack's outputs against the folded W'x + b' and against "
               "the best linear fit — on the diagonal without a nonlinearity, off it with tanh. Right two: "
               "trained on the circle, the linear stack can only draw a line.")
