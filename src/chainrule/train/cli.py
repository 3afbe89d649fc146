"""``chainrule train``, ``chainrule evaluate`` and ``chainrule predict``.

    chainrule train                                   # an MLP on digits with sensible defaults
    chainrule train --dataset spiral --noise 0 --hidden 16,16 --activation tanh --epochs 200
    chainrule train --config lab3.toml --lr 0.01      # a TOML file; flags override it
    chainrule train --dataset csv:houses.csv --target price
    chainrule train --resume runs/digits-20250101-120000 --epochs 60   # continue a run
    chainrule evaluate --run runs/digits-...          # loss, metrics, confusion matrix
    chainrule predict --run runs/digits-... --input new.csv [--output predictions.csv]

Every flag is validated (with the TOML file) before any data is loaded or any training starts.
"""

from __future__ import annotations

import argparse
import json
import sys

from .config import CHOICES, DEFAULTS

S = argparse.SUPPRESS  # a flag that is not given leaves no attribute: the file or the default decides

_EPILOG = """examples:
  chainrule train
  chainrule train --dataset spiral --noise 0 --hidden 16,16 --activation tanh --lr 0.03 --epochs 300
  chainrule train --config lab.toml --lr 0.01      (keys as the flags: batch_size = 64, hidden = [64, 64])
  chainrule train --dataset csv:data.csv --target price --loss huber
  chainrule train --model cnn --epochs 20          (a small CNN on the 8×8 digits)
  chainrule train --tensorboard                    (then: tensorboard --logdir runs)
"""


def _one_of(key):
    return "one of: " + ", ".join(CHOICES[key])


def add_parser(subparsers):
    t = subparsers.add_parser(
        "train", help="train an MLP on a dataset (default: digits) and save the run",
        description="Train a multilayer perceptron; write config.json, history.csv, model.ckpt, "
                    "model.safetensors, summary.json and plots to a run folder.", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--config", metavar="FILE.toml", help="read settings from a TOML file (flags override it)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its last checkpoint "
                   "(optionally with more --epochs)")
    d = t.add_argument_group("data")
    d.add_argument("--dataset", default=S, help="digits (default), iris, wine, breast_cancer, diabetes, circle, "
                   "xor, gaussian, spiral, plane, multi_gaussian, moons, spiral_k, blobs, or csv:PATH")
    d.add_argument("--target", default=S, metavar="COLUMN", help="csv: the target column (default: the last)")
    d.add_argument("--task", default=S, help="csv: classification or regression (default: guessed)")
    d.add_argument("--noise", type=float, default=S, help="2-D sets: noise in [0, 1] (TF Playground's slider/100)")
    d.add_argument("--n-samples", type=int, default=S, help="2-D sets: number of points")
    d.add_argument("--n-classes", type=int, default=S, help="spiral_k, blobs: number of classes")
    d.add_argument("--features", default=S, help="2-D sets: input features, e.g. x1,x2,x1*x2 "
                   "(x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2))")
    d.add_argument("--data-seed", type=int, default=S, help="seed of the data and its split (default 0)")
    d.add_argument("--augment", action=argparse.BooleanOptionalAction, default=S,
                   help="digits: random 1-pixel shifts (half the images) and pixel noise on training batches")
    m = t.add_argument_group("model")
    m.add_argument("--model", default=S, help="mlp (default) or cnn: [conv 3×3 → BatchNorm2d → activation] ×2 → "
                   "max-pool → conv → BatchNorm2d → activation → max-pool → dropout → linear, for digits")
    m.add_argument("--hidden", default=S, metavar="W1,W2,...", help="hidden layer widths (default 256; "
                   "'none' for no hidden layer)")
    m.add_argument("--activation", default=S, help=_one_of("activation") + " (default relu)")
    m.add_argument("--init", default=S, help=_one_of("init") + " (default: PyTorch's)")
    m.add_argument("--batchnorm", action=argparse.BooleanOptionalAction, default=S,
                   help="BatchNorm1d after each hidden Linear")
    m.add_argument("--dropout", type=float, default=S, help="dropout probability after each hidden layer (default 0.2)")
    o = t.add_argument_group("training")
    o.add_argument("--loss", default=S, help=_one_of("loss") + " (default auto)")
    o.add_argument("--optimizer", default=S, help=_one_of("optimizer") + " (default adam)")
    o.add_argument("--lr", type=float, default=S, help="learning rate (default: the optimizer's usual one)")
    o.add_argument("--momentum", type=float, default=S, help="sgd, rmsprop: momentum (default 0)")
    o.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=S, help="sgd: Nesterov momentum")
    o.add_argument("--betas", default=S, metavar="B1,B2", help="adam, adamw: betas (default 0.9,0.999)")
    o.add_argument("--weight-decay", type=float, default=S, help="L2 penalty (adamw: decoupled; default 0, "
                   "adamw 0.01)")
    o.add_argument("--schedule", default=S, help=_one_of("schedule") + " (default cosine)")
    o.add_argument("--step-size", type=int, default=S, help="schedule step: epochs between decays (default 10)")
    o.add_argument("--gamma", type=float, default=S, help="schedule step/exponential/plateau: decay factor")
    o.add_argument("--early-stopping", type=int, default=S, metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a better val_loss, keep the best weights (0 = off)")
    o.add_argument("--batch-size", type=int, default=S, help="default 32")
    o.add_argument("--epochs", type=int, default=S, help=f"default {DEFAULTS['epochs']}")
    o.add_argument("--device", default=S, help="cpu (default) or cuda / cuda:N: train on that GPU (chainrule[cuda])")
    o.add_argument("--seed", type=int, default=S, help="seed of the weights, shuffling and dropout (default 0)")
    t.add_argument("--out", default=S, metavar="DIR", help="run folder (default runs/<dataset>-<timestamp>)")
    t.add_argument("--tensorboard", action=argparse.BooleanOptionalAction, default=S,
                   help="write TensorBoard logs (losses, metrics, lr, weight and gradient histograms, the graph) "
                        "to RUN_DIR/tensorboard; view them with: tensorboard --logdir RUN_DIR")
    t.add_argument("--store", metavar="FILE.db", help="record the run in this run store (default: $CHAINRULE_STORE "
                   "or runs/runs.db; 'off' to skip); see chainrule runs")
    t.set_defaults(func=run_train)

    e = subparsers.add_parser("evaluate", help="loss, metrics and confusion matrix of a saved run",
                              description="Evaluate a run saved by chainrule train on its data split.")
    e.add_argument("--run", required=True, metavar="RUN_DIR", help="the run folder")
    e.add_argument("--split", default="test", choices=["train", "val", "test", "all"], help="default test")
    e.add_argument("--json", action="store_true", help="print JSON instead of text")
    e.set_defaults(func=run_evaluate)

    p = subparsers.add_parser("predict", help="predict with a saved run on the rows of a CSV file",
                              description="Predict with a run saved by chainrule train. The CSV needs a header "
                                          "with the run's feature columns (other columns are ignored).")
    p.add_argument("--run", required=True, metavar="RUN_DIR", help="the run folder")
    p.add_argument("--input", required=True, metavar="FILE.csv", help="rows to predict")
    p.add_argument("--output", metavar="FILE.csv", help="write the predictions here (default: standard output)")
    p.set_defaults(func=run_predict)
    return t


def _error(cmd, msg, code=2):
    print(f"chainrule {cmd}: error: {msg}", file=sys.stderr)
    return code


def run_train(args) -> int:
    import os

    from .callbacks import DivergenceError
    from .config import ConfigError, read_toml, resolve

    flags = {k: v for k, v in vars(args).items() if k in DEFAULTS}
    try:
        if args.resume:
            if args.config:
                raise ConfigError("--resume continues a run with its own config.json; drop --config")
            changed = sorted(set(flags) - {"epochs", "tensorboard"})
            if changed:
                raise ConfigError(f"--resume continues a run with its own config; only --epochs may change "
                                  f"(got {', '.join('--' + k.replace('_', '-') for k in changed)})")
            cfg_path = os.path.join(args.resume, "config.json")
            if not os.path.exists(os.path.join(args.resume, "checkpoints", "last.ckpt")):
                raise ConfigError(f"--resume: {args.resume} has no checkpoints/last.ckpt to continue from")
            with open(cfg_path) as f:
                file_values = json.load(f)
            file_values["out"] = args.resume
            cfg = resolve(file_values, flags, source=cfg_path)
            if cfg["schedule"] == "cosine" and cfg["epochs"] != file_values.get("epochs"):
                raise ConfigError(f"--epochs: the run's cosine schedule was laid out for {file_values.get('epochs')} "
                                  f"epochs (its lr falls to 0 at the end); resume with the same --epochs, or start "
                                  f"a new run")
        else:
            file_values = read_toml(args.config) if args.config else {}
            cfg = resolve(file_values, flags, source=args.config or "the config file")
        from ..runstore.recorder import recorded_train_run

        recorded_train_run(cfg, store=args.store, resume=bool(args.resume))
    except ConfigError as e:
        return _error("train", e)
    except DivergenceError as e:
        print(f"\n{e}", file=sys.stderr)
        return 1
    return 0


def _load(cmd, run_dir):
    from .saved import load_run

    try:
        return load_run(run_dir)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"chainrule {cmd}: error: {e}") from None


def run_evaluate(args) -> int:
    import numpy as np

    from .loop import evaluate, predict
    from .metrics import confusion_matrix
    from .run import metrics_for

    run = _load("evaluate", args.run)
    split = run.data
    parts = ["train", "val", "test"] if args.split == "all" else [args.split]
    report = {}
    for part in parts:
        ds = getattr(split, part)
        res = evaluate(run.model, run.loss_fn, ds, metrics_for(run.task))
        if run.task == "classification":
            X, y = ds.tensors
            cm = confusion_matrix(y.numpy(), predict(run.model, X), num_classes=max(split.n_classes, 2))
            res["confusion_matrix"] = cm.tolist()
            res["correct"], res["n"] = int(np.trace(cm)), int(cm.sum())
        report[part] = res
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"run {run.dir}: {run.config['dataset']}, {run.epoch} epochs")
    for part, res in report.items():
        line = "  ".join(f"{k} {v * 100:.2f}%" if k == "accuracy" else f"{k} {v:.4f}" for k, v in res.items()
                         if isinstance(v, float))
        if "correct" in res:
            line += f" ({res['correct']}/{res['n']})"
        print(f"{part}: {line}")
        if "confusion_matrix" in res and len(res["confusion_matrix"]) <= 12:
            print(_matrix_text(res["confusion_matrix"], run.class_names))
    return 0


def _matrix_text(cm, names):
    k = len(cm)
    names = (list(names) + [str(i) for i in range(len(names), k)])[:k]
    w = max(4, max(len(n) for n in names), max(len(str(v)) for row in cm for v in row)) + 1
    lines = ["  confusion matrix (rows: true, columns: predicted)",
             "  " + " " * w + "".join(f"{n:>{w}}" for n in names)]
    lines += ["  " + f"{names[i]:>{w}}" + "".join(f"{v:>{w}}" for v in row) for i, row in enumerate(cm)]
    return "\n".join(lines)


def run_predict(args) -> int:
    import csv
    import io

    import numpy as np

    from ..data.tabular import read_csv_columns

    run = _load("predict", args.run)
    columns = ["x1", "x2"] if run.features else run.feature_names
    try:
        _, X, _ = read_csv_columns(args.input, columns)
    except (ValueError, FileNotFoundError) as e:
        return _error("predict", f"{e} (the run expects the columns: {', '.join(columns)})")
    out = run.predict(X).numpy().astype(np.float64)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if run.task == "classification":
        if out.shape[1] == 1:  # one logit: P(class 1) = σ(z)
            p1 = 1.0 / (1.0 + np.exp(-out[:, 0]))
            probs = np.stack([1 - p1, p1], axis=1)
        else:  # softmax, shifted by the row max so exp cannot overflow
            e = np.exp(out - out.max(axis=1, keepdims=True))
            probs = e / e.sum(axis=1, keepdims=True)
        names = run.class_names or [str(i) for i in range(probs.shape[1])]
        w.writerow(["prediction", *(f"p_{n}" for n in names)])
        for row in probs:
            w.writerow([names[int(row.argmax())], *(f"{v:.6g}" for v in row)])
    else:
        w.writerow(["prediction"] if out.shape[1] == 1 else [f"prediction_{i}" for i in range(out.shape[1])])
        for row in out:
            w.writerow([f"{v:.6g}" for v in row])
    if args.output:
        from .history import atomic_write_text

        atomic_write_text(args.output, buf.getvalue())
        print(f"wrote {len(out)} predictions to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0
