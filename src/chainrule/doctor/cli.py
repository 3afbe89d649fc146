"""``chainrule doctor --run DIR`` (a run saved by ``chainrule train``) and ``chainrule doctor --demo CASE``
(the planted problems of the lectures, to see what each looks like). ``add_parser(subparsers)`` registers it.
"""

from __future__ import annotations

import argparse
import json
import os

DEMOS = {
    "healthy": "64-64-64-10 ReLU MLP, PyTorch's default init, SGD lr = 0.1",
    "zero-init": "every weight and bias 0 (tanh): the symmetry problem",
    "lr10": "a healthy ReLU MLP with SGD at lr = 10: the loss explodes",
    "saturation": "sigmoid MLP with weights ~ N(0, 10²): saturated units",
    "dead-relu": "ReLU MLP with hidden biases of -5: dead units",
    "zero-output": "the healthy ReLU MLP with its output layer initialised to 0: harmless, information only",
    "input-scale": "the healthy ReLU MLP under Adam, with input feature 5 multiplied by 1000",
    "eval-mode": "an MLP with batch norm and dropout, left in eval mode while it trains",
    "overshoot": "ReLU MLP on 4 classes, output layer ×10, SGD lr = 0.5: the loss jumps, then falls back",
}


def planted(case: str, seed: int = 0):
    """(model, loss_fn, (x, y), optimizer) of a demo case on 256 training digits (pixels in [0, 1])."""
    import chainrule as cr
    from chainrule import nn, optim
    from chainrule.data.datasets import digits_split
    from chainrule.nn.mlp import build_mlp

    if case not in DEMOS:
        raise ValueError(f"unknown doctor demo {case!r}; choose one of: {', '.join(DEMOS)}")
    cr.manual_seed(seed)
    train, _, _ = digits_split()
    X, y = train.X[:256], train.y[:256]
    act = {"zero-init": "tanh", "saturation": "sigmoid"}.get(case, "relu")
    model = build_mlp([64, 64, 64, 4 if case == "overshoot" else 10], act)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    lr = {"lr10": 10.0, "overshoot": 0.5}.get(case, 0.1)
    if case == "zero-init":
        for p in model.parameters():
            nn.init.zeros_(p)
    elif case == "saturation":
        for m in linears:
            nn.init.normal_(m.weight, 0.0, 10.0)
    elif case == "dead-relu":
        for m in linears[:-1]:
            nn.init.constant_(m.bias, -5.0)
    elif case == "zero-output":
        nn.init.zeros_(linears[-1].weight)
        nn.init.zeros_(linears[-1].bias)
    elif case == "overshoot":
        y = y % 4
        with cr.no_grad():
            linears[-1].weight.mul_(10.0)
    elif case == "input-scale":
        X = X.copy()
        X[:, 5] *= 1000.0
    elif case == "eval-mode":
        model = build_mlp([64, 64, 10], "relu", batchnorm=True, dropout=0.3)
        model.eval()  # e.g. after a validation pass, with no model.train() before training goes on
    if case == "input-scale":
        opt = optim.Adam(model.parameters(), lr=1e-3)
    else:
        opt = optim.SGD(model.parameters(), lr=lr)
    return model, nn.CrossEntropyLoss(), (X, y), opt


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "doctor", help="check a network's training health (saturation, dead ReLUs, symmetry, gradients...)",
        description="Run a few forward/backward passes and report per-layer statistics and findings, each with a "
        "suggested fix. Use --run DIR for a run saved by `chainrule train`, or --demo CASE for a planted problem.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--run", metavar="DIR", help="a run folder written by `chainrule train`")
    src.add_argument("--demo", choices=list(DEMOS), help="a planted problem: " + "; ".join(
        f"{k}: {v}" for k, v in DEMOS.items()))
    p.add_argument("--batch-size", type=int, default=256, help="samples in the diagnostic batch (default: 256)")
    p.add_argument("--lr-range", action="store_true", help="also run a learning-rate range test and plot it")
    p.add_argument("--out", metavar="DIR", help="where to write doctor.json (and lr_range.png); default: the run "
                   "folder with --run, nothing with --demo unless given")
    p.add_argument("--seed", type=int, default=0, help="seed for --demo and the range test (default: 0)")
    p.set_defaults(func=run)
    return p


def _load(args):
    from chainrule.train import load_run

    try:
        r = load_run(args.run)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"chainrule doctor: {e}") from None
    X, y = (t.numpy() for t in r.data.train.tensors[:2])
    r.model.train()  # diagnose training as it happens: dropout on, batch norm on batch statistics
    for g in r.optimizer.param_groups:
        # a finished schedule may have annealed the rate to ~0; probe with the rate training started from
        if "initial_lr" in g and g["lr"] != g["initial_lr"]:
            print(f"(probing with the schedule's initial learning rate {g['initial_lr']:g}; the run ended at "
                  f"{g['lr']:g})")
            g["lr"] = g["initial_lr"]
    return r.model, r.loss_fn, (X, y), r.optimizer


def run(args) -> int:
    from chainrule import doctor

    if args.batch_size < 2:  # batch statistics (and batch norm) need at least two samples
        raise SystemExit(f"chainrule doctor: --batch-size must be at least 2, got {args.batch_size}")
    if args.run:
        model, loss_fn, (X, y), optimizer = _load(args)
        out_dir = args.out or args.run
    else:
        model, loss_fn, (X, y), optimizer = planted(args.demo, args.seed)
        out_dir = args.out
        print(f"demo '{args.demo}': {DEMOS[args.demo]}\n")
    batch = (X[:args.batch_size], y[:args.batch_size])
    report = doctor.diagnose(model, loss_fn, batch, optimizer,
                             lr_range=(X, y) if args.lr_range else None)
    print(report)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "doctor.json"), "w") as f:
            json.dump(report.to_dict(), f, indent=1, default=float)
        written = ["doctor.json"]
        if report.lr_range and report.lr_range["lrs"]:
            from chainrule import plotting

            with plotting.style(plotting.LAB_STYLE):
                fig, ax = plotting.subplots(figsize=(5.5, 3.6), layout="constrained")
                doctor.plot_lr_range(report.lr_range, ax=ax)
                plotting.save(fig, os.path.join(out_dir, "lr_range.png"), dpi=90)
            written.append("lr_range.png")
        print(f"\nwrote {', '.join(written)} to {out_dir}")
    return 1 if any(f.severity == "error" for f in report.findings) else 0
