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

from .. import plotting
from ..nn.mlp import build_mlp
from ._common import draw_boundary, fit_full_batch, fmt, predict


def fold(linears):
    """(W', b') of a stack of ``nn.Linear`` layers applied in order (torch layout: y = x Wᵀ + b)."""
    W = np.eye(linears[0].in_features)
    b = np.zeros(linears[0].in_features)
    for layer in linears:
        Wk = layer.weight.detach().numpy().astype(np.float64)
        bk = layer.bias.detach().numpy().astype(np.float64)
        W, b = Wk @ W, Wk @ b + bk
    return W, b


def _stack(width, depth, activation):
    """``depth`` Linear layers with ``activation`` (a registry name; None: nothing) between them."""
    return build_mlp([2] + [width] * (depth - 1) + [1], activation)


def _linears(model):
    from chainrule import nn

    return [m for m in model if isinstance(m, nn.Linear)]


def run(ctx):
    from chainrule import nn, optim
    from chainrule.data import toy

    rng = ctx.reseed()
    width, depth = 16, 3
    n = ctx.size(quick=200, fast=400, full=1000)
    steps = ctx.size(quick=300, fast=600, full=2000)
    X, y = toy.circle(n, seed=rng)
    X = (X / 5).astype(np.float32)
    y = (y > 0).astype(np.float32)

    out = {}
    models = {}
    for i, (name, act) in enumerate((("linear", None), ("tanh", "tanh"))):  # "linear": no activation module
        ctx.reseed(1 + i)
        model = _stack(width, depth, act)
        models[name] = model
        W0, b0 = fold(_linears(model))
        at_init = predict(model, X)[:, 0].astype(np.float64)
        err_init = np.abs(at_init - (X @ W0.T[:, 0] + b0[0])).max() / np.abs(at_init).max()
        losses = fit_full_batch(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.02),
                                X, y[:, None], steps)
        acc = float(((predict(model, X)[:, 0] > 0) == (y > 0.5)).mean())
        # the comparison on the trained network, where tanh is used in earnest
        W, b = fold(_linears(model))
        outputs = predict(model, X)[:, 0].astype(np.float64)
        folded = X.astype(np.float64) @ W.T[:, 0] + b[0]
        A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
        best = A @ np.linalg.lstsq(A, outputs, rcond=None)[0]
        scale = np.ptp(outputs)
        out[name] = {"max_diff_folded_at_init": float(err_init),
                     "max_diff_folded": float(np.abs(outputs - folded).max() / scale),
                     "max_diff_best_linear_fit": float(np.abs(outputs - best).max() / scale),
                     "train_acc_circle": acc, "final_loss": losses[-1],
                     "folded_W": W[0].tolist(), "folded_b": float(b[0]),
                     "_plot": (outputs, folded, best)}
    lin, tanh = out["linear"], out["tanh"]
    ctx.record(width=width, depth=depth, steps=steps,
               **{k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")} for k, v in out.items()},
               stack_equals_one_linear=bool(lin["max_diff_folded"] < 1e-5 and lin["max_diff_folded_at_init"] < 1e-5),
               nonlinear_differs=bool(tanh["max_diff_best_linear_fit"] > 1e-2))

    fig, axes = plotting.subplots(1, 4, figsize=(14, 3.6), layout="constrained")
    for ax, name in zip(axes[:2], ("linear", "tanh")):
        before, folded, best = out[name]["_plot"]
        lim = np.abs(np.concatenate([before, folded, best])).max() * 1.05
        ax.plot([-lim, lim], [-lim, lim], color="0.8", lw=1)
        ax.scatter(before, folded, s=6, label="W'x + b' (folded)")
        ax.scatter(before, best, s=6, marker="x", label="best linear fit (least squares)")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="trained network's output (logit)",
               ylabel="linear model's output",
               title=f"{depth} layers, {'no nonlinearity' if name == 'linear' else 'tanh between'}\n"
                     f"max |output − folded| / range = {out[name]['max_diff_folded']:.1e}")
        ax.legend(loc="upper left")
    for ax, name in zip(axes[2:], ("linear", "tanh")):
        draw_boundary(ax, lambda G, m=models[name]: predict(m, G)[:, 0], X, y, 1.2,
                      f"trained on circle: {'linear stack' if name == 'linear' else 'with tanh'}\n"
                      f"accuracy {out[name]['train_acc_circle']:.0%}")
    fig.suptitle(f"A stack of {depth} Linear layers (width {width}) is one linear model; with tanh it is not")
    ctx.figure(fig, "linear_stack.png", "Left two: the stack's outputs against the folded W'x + b' and against "
               "the best linear fit — on the diagonal without a nonlinearity, off it with tanh. Right two: "
               "trained on the circle, the linear stack can only draw a line.")

    ctx.conclude(
        f"A {depth}-layer linear stack equals W'x + b' (W' = W3·W2·W1, b' = W3·(W2·b1 + b2) + b3) to a relative "
        f"{fmt(lin['max_diff_folded_at_init'], 2)} at init and {fmt(lin['max_diff_folded'], 2)} after "
        f"training, and on the circle it stays a line ({lin['train_acc_circle']:.0%} accuracy). With tanh "
        f"between the layers the trained network reaches {tanh['train_acc_circle']:.0%}, and neither its folded "
        f"W'x + b' (off by {tanh['max_diff_folded']:.0%} of the output range) nor even the best linear fit "
        f"(off by {tanh['max_diff_best_linear_fit']:.0%}) reproduces it.")
