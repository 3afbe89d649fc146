"""A training run as ``chainrule train`` does it: build data, model, loss, optimizer and schedule from a
resolved config (``config.py``), train with ``fit``, write the run folder — and read it back (``load_run``).

A run folder holds:

    config.json            the resolved config (every field, defaults filled in)
    history.csv            one row per epoch: loss, metrics, val_*, lr, time
    model.ckpt             the final model, optimizer and scheduler state (a training checkpoint, see
                           checkpoint.py) plus the preprocessing (standardisation statistics, feature and
                           class names) under "extra"
    model.safetensors      the final weights alone (the model's state_dict, torch's keys), for PyTorch & co.
    tensorboard/           with --tensorboard: TensorBoard logs (train/ and val/ runs, see train/tensorboard.py)
    checkpoints/           last.ckpt (resume from it) and best.ckpt (lowest val_loss)
    summary.json           dataset sizes, epochs run, why it stopped, train/val/test loss and metrics
    *.png                  learning curves, confusion matrix, decision boundary (when matplotlib is there)
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from .config import IMAGES, OPTIMIZERS, ConfigError

__all__ = ["load_split", "build_model", "build_loss", "build_optimizer", "build_scheduler", "train_run",
           "metrics_for"]


def _loss_name(cfg, task):
    if cfg["loss"] != "auto":
        return cfg["loss"]
    return "cross_entropy" if task == "classification" else "mse"


class _AugmentDigits:
    """The lecture's "augment your data" for the 8×8 digits: half of the training images (drawn afresh
    every batch) are shifted by up to one pixel, and all get a little pixel noise (std 0.5 on the 0…16
    scale), in raw pixel units (undo the standardisation, augment, redo it).

    Measured on the default run: it does not beat plain dropout here, because scikit-learn's digits are
    centred and the test set is too: an MLP has no translation invariance to gain. Try it and compare.
    """

    def __init__(self, scaler):
        from ..data import GaussianNoise, RandomShift

        self.scaler = scaler
        self.shift, self.noise = RandomShift(1), GaussianNoise(0.5, clip=(0.0, 16.0))

    def __call__(self, x):
        from ..engine import from_numpy
        from ..engine.rng import default_generator

        raw = self.scaler.inverse_transform(x.cpu().numpy())  # (on the host: NumPy's random shifts)
        pick = default_generator.rng.random(len(raw)) < 0.5
        raw[pick] = self.shift(raw[pick])
        out = self.scaler.transform(self.noise(raw))
        return from_numpy(np.ascontiguousarray(out, dtype=x.dtype.np)).to(x.device)


def load_split(cfg):
    """The ``DataSplit`` for a resolved config; targets shaped for its loss (float (n, 1) for bce)."""
    from ..data import TensorDataset, datasets

    kw = {k: cfg[k] for k in ("noise", "n_samples", "n_classes", "features") if cfg.get(k) is not None}
    if cfg["dataset"].startswith("csv:"):
        kw.update(target=cfg.get("target"), task=cfg.get("task"))
    try:
        split = datasets.load(cfg["dataset"], seed=cfg["data_seed"], **kw)
    except (ValueError, FileNotFoundError) as e:
        raise ConfigError(f"--dataset {cfg['dataset']}: {e}") from None
    loss = _loss_name(cfg, split.task)
    if split.task == "classification" and loss in ("mse", "l1", "huber"):
        raise ConfigError(f"--loss {loss} is a regression loss, but {cfg['dataset']} is a classification task "
                          f"({split.n_classes} classes); use cross_entropy")
    if split.task == "regression" and loss in ("cross_entropy", "bce"):
        raise ConfigError(f"--loss {loss} is a classification loss, but {cfg['dataset']} is a regression task; "
                          f"use mse, l1 or huber")
    if loss == "bce":
        if split.n_classes != 2:
            raise ConfigError(f"--loss bce needs two classes; {cfg['dataset']} has {split.n_classes}: use "
                              f"cross_entropy")
        for part in ("train", "val", "test"):
            X, y = getattr(split, part).tensors
            setattr(split, part, TensorDataset(X, y.float().reshape(-1, 1)))
    if cfg.get("augment"):
        split.train.transform = _AugmentDigits(split.scaler)
    return split


def metrics_for(task):
    return ["accuracy"] if task == "classification" else ["rmse", "r2"]


def n_outputs(cfg, split):
    if split.task == "classification":
        return 1 if _loss_name(cfg, split.task) == "bce" else split.n_classes
    return split.train.tensors[1].shape[1]


def _target_modules():
    from .. import nn

    class Unstandardize(nn.Module):
        """Output layer of a regression run: ŷ = z·std + mean, with the training targets' mean and std
        (fixed buffers, not learned), so the network itself works on a unit scale but outputs real units."""

        def __init__(self, mean, std):
            super().__init__()
            self.register_buffer("mean", np.asarray(mean, dtype=np.float32).reshape(-1))
            self.register_buffer("std", np.asarray(std, dtype=np.float32).reshape(-1))

        def forward(self, z):
            return z * self.std + self.mean

    class StandardizedLoss(nn.Module):
        """``base((ŷ − mean)/std, (y − mean)/std)``: the loss on standardised targets, so its size (and the
        gradients' scale) does not depend on the units of y; e.g. MSE here = MSE in real units / std²."""

        def __init__(self, base, mean, std):
            super().__init__()
            self.base = base
            self.register_buffer("mean", np.asarray(mean, dtype=np.float32).reshape(-1))
            self.register_buffer("std", np.asarray(std, dtype=np.float32).reshape(-1))

        def forward(self, output, target):
            return self.base((output - self.mean) / self.std, (target - self.mean) / self.std)

    return Unstandardize, StandardizedLoss


def target_stats(split):
    """(mean, std) per target column of the training part of a regression split (std 0 → 1)."""
    y = split.train.tensors[1].numpy().astype(np.float64).reshape(len(split.train), -1)
    std = y.std(axis=0)
    return y.mean(axis=0), np.where(std > 0, std, 1.0)


def build_model(cfg, n_in, n_out, targets=None):
    """``Sequential`` MLP (``nn.mlp.build_mlp``): [Linear → (BatchNorm1d) → activation → (Dropout)] per hidden
    width, then Linear; for regression (``targets=(mean, std)``) an ``Unstandardize`` output layer after it.
    ``model = "cnn"``: nn/cnn.py's ``build_cnn`` for the data set's image shape (its flat rows reshaped in the
    first layer)."""
    from ..nn import activation_registry
    from ..nn.mlp import build_mlp, init_linear

    if cfg.get("model", "mlp") == "cnn":
        from ..nn import Conv2d, Linear
        from ..nn.cnn import build_cnn

        act = activation_registry.get(cfg["activation"])
        model = build_cnn(IMAGES[cfg["dataset"]], n_out, activation=act.module, dropout=cfg["dropout"])
        if cfg["init"] != "default":
            for m in model:
                if isinstance(m, (Conv2d, Linear)):
                    init_linear(m, cfg["init"], act.gain)
        return model
    model = build_mlp([n_in, *cfg["hidden"], n_out], cfg["activation"], batchnorm=cfg["batchnorm"],
                      dropout=cfg["dropout"], init=cfg["init"])
    if targets is not None:
        model.append(_target_modules()[0](*targets))
    return model


def build_loss(cfg, task, targets=None):
    """The loss module; for regression with ``targets=(mean, std)`` it is computed on standardised targets."""
    from .. import nn

    base = {"cross_entropy": nn.CrossEntropyLoss, "bce": nn.BCEWithLogitsLoss, "mse": nn.MSELoss,
            "l1": nn.L1Loss, "huber": nn.HuberLoss}[_loss_name(cfg, task)]()
    return base if targets is None else _target_modules()[1](base, *targets)


def build_optimizer(cfg, params):
    from .. import optim

    name, kw = cfg["optimizer"], {"lr": cfg["lr"], "weight_decay": cfg["weight_decay"]}
    if name == "sgd":
        kw.update(momentum=cfg["momentum"], nesterov=cfg["nesterov"])
    elif name == "rmsprop":
        kw.update(momentum=cfg["momentum"])
    elif name in ("adam", "adamw"):
        kw.update(betas=tuple(cfg["betas"]))
    return getattr(optim, OPTIMIZERS[name])(params, **kw)


def build_scheduler(cfg, optimizer):
    from ..optim import lr_scheduler as S

    s = cfg["schedule"]
    if s == "step":
        return S.StepLR(optimizer, step_size=cfg["step_size"], gamma=cfg["gamma"])
    if s == "exponential":
        return S.ExponentialLR(optimizer, gamma=cfg["gamma"])
    if s == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=max(cfg["epochs"], 1))
    if s == "plateau":
        return S.ReduceLROnPlateau(optimizer, factor=cfg["gamma"], patience=5)
    return None


def default_out(cfg):
    name = cfg["dataset"]
    if name.startswith("csv:"):
        name = os.path.splitext(os.path.basename(name[4:]))[0] or "csv"
    base = os.path.join("runs", f"{name}-{time.strftime('%Y%m%d-%H%M%S')}")
    path, i = base, 2
    while os.path.exists(path):
        path, i = f"{base}-{i}", i + 1
    return path


def _preprocess_state(cfg, split, targets):
    return {"task": split.task, "targets": None if targets is None else [np.asarray(t) for t in targets],
            "feature_names": list(split.feature_names), "class_names": list(split.class_names),
            "features": cfg.get("features"), "n_features": split.n_features,
            "mean": None if split.scaler is None else np.asarray(split.scaler.mean),
            "std": None if split.scaler is None else np.asarray(split.scaler.std)}


def _describe(cfg, split, model):
    n_params = sum(p.numel() for p in model.parameters())
    widths = " → ".join(str(w) for w in [split.n_features, *cfg["hidden"], n_outputs(cfg, split)])
    cnn = cfg.get("model", "mlp") == "cnn"
    if cnn:
        image = "×".join(map(str, IMAGES[cfg["dataset"]]))
        convs = "-".join(str(m.out_channels) for m in model if hasattr(m, "out_channels"))
        widths = f"{image} → conv {convs} → {n_outputs(cfg, split)}"
    what = f"{split.n_classes} classes" if split.task == "classification" else "regression"
    extras = "".join([", batchnorm" if cfg["batchnorm"] or cnn else "",
                      f", dropout {cfg['dropout']:g}" if cfg["dropout"] else "",
                      f", init {cfg['init']}" if cfg["init"] != "default" else ""])
    return [f"data:  {cfg['dataset']} ({len(split.train)} train / {len(split.val)} val / {len(split.test)} test, "
            f"{split.n_features} features, {what})",
            f"model: {'CNN' if cnn else 'MLP'} {widths} ({cfg['activation']}{extras}), {n_params:,} parameters",
            f"train: {cfg['optimizer']} lr {cfg['lr']:g}"
            + (f", schedule {cfg['schedule']}" if cfg["schedule"] != "none" else "")
            + f", loss {_loss_name(cfg, split.task)}, batch {cfg['batch_size']}, {cfg['epochs']} epochs, "
              f"seed {cfg['seed']}"]


def _fmt(logs, n):
    parts = []
    for k, v in logs.items():
        parts.append(f"{k} {v * 100:.2f}% ({round(v * n)}/{n})" if k == "accuracy" else f"{k} {v:.4f}")
    return ", ".join(parts)


def train_run(cfg, stream=None, resume=False, callbacks=(), plots=True):
    """Train as ``chainrule train`` does; write the run folder ``cfg["out"]`` (chosen if None).

    Returns ``(summary, run_dir)``; raises ``DivergenceError`` (after writing what it has) if the loss
    became NaN/Inf. ``resume=True`` continues from ``out/checkpoints/last.ckpt``. ``callbacks`` run after
    the run's own (e.g. the run store's recorder); ``plots=False`` skips the PNGs (a sweep's trials).
    """
    from .. import manual_seed
    from ..data import DataLoader
    from .callbacks import CSVLogger, EarlyStopping, ModelCheckpoint, ProgressBar
    from .checkpoint import save_checkpoint
    from .history import atomic_write_text
    from .loop import Trainer, evaluate, fit
    from .plots import have_matplotlib

    out = stream or sys.stdout
    cfg = dict(cfg)
    split = load_split(cfg)  # data errors surface before the run folder is created
    cfg["out"] = cfg["out"] or default_out(cfg)
    run_dir = cfg["out"]
    os.makedirs(run_dir, exist_ok=True)
    atomic_write_text(os.path.join(run_dir, "config.json"), json.dumps(cfg, indent=2) + "\n")
    manual_seed(cfg["seed"])
    targets = target_stats(split) if split.task == "regression" else None
    model = build_model(cfg, split.n_features, n_outputs(cfg, split), targets)
    data = split  # what training reads: on the device asked for (model and data move once; batches are cut there)
    if cfg.get("device", "cpu") != "cpu":
        model.to(cfg["device"])
        data = split.to(cfg["device"])
    loss_fn, optimizer = build_loss(cfg, split.task, targets), build_optimizer(cfg, model.parameters())
    scheduler = build_scheduler(cfg, optimizer)
    for line in _describe(cfg, split, model):
        print(line, file=out)
    ckpt_dir = os.path.join(run_dir, "checkpoints")
    callbacks = [ProgressBar(out), CSVLogger(os.path.join(run_dir, "history.csv")), ModelCheckpoint(ckpt_dir),
                 *callbacks]
    if cfg["early_stopping"]:
        callbacks.append(EarlyStopping("val_loss", patience=cfg["early_stopping"], restore_best=True))
    if cfg.get("tensorboard"):
        from .tensorboard import TensorBoard

        callbacks.append(TensorBoard(os.path.join(run_dir, "tensorboard"), hparams=_hparams(cfg)))
    loader = DataLoader(data.train, batch_size=cfg["batch_size"], shuffle=True)
    metrics = metrics_for(split.task)
    t0 = time.perf_counter()
    resume_path = os.path.join(ckpt_dir, "last.ckpt") if resume else None
    history = fit(model, loss_fn, optimizer, loader, data.val, epochs=cfg["epochs"], metrics=metrics,
                  callbacks=callbacks, scheduler=scheduler, verbose=False, resume=resume_path)
    seconds = time.perf_counter() - t0
    results = {part: evaluate(model, loss_fn, getattr(data, part), metrics) for part in ("train", "val", "test")}
    final = Trainer(model, loss_fn, optimizer, scheduler, loader, cfg["epochs"], [], [])
    final.history, final.epoch = history, history.epoch[-1] if history.epoch else 0
    save_checkpoint(os.path.join(run_dir, "model.ckpt"), final,
                    extra={"preprocess": _preprocess_state(cfg, split, targets)})
    from .. import save

    save(model.state_dict(), os.path.join(run_dir, "model.safetensors"))  # the weights alone, for torch & co.
    files = ["config.json", "history.csv", "model.ckpt", "model.safetensors", "checkpoints/", "summary.json"]
    if cfg.get("tensorboard"):
        files.append("tensorboard/")
    if plots and have_matplotlib():
        model.cpu()  # the figures are drawn on the host
        files += _plots(run_dir, cfg, split, model, history)
    summary = {
        "dataset": cfg["dataset"], "task": split.task, "n_train": len(split.train), "n_val": len(split.val),
        "n_test": len(split.test), "n_parameters": int(sum(p.numel() for p in model.parameters())),
        "epochs_run": len(history), "stop_reason": history.stop_reason, "train_seconds": round(seconds, 3),
        **{part: results[part] for part in ("train", "val", "test")}, "files": files,
    }
    if len(history) and "val_loss" in history:
        summary["best_epoch"] = history.best("val_loss")[0]
    atomic_write_text(os.path.join(run_dir, "summary.json"), json.dumps(summary, indent=2) + "\n")
    if history.stop_reason:
        print(history.stop_reason, file=out)
    print(f"test: {_fmt(results['test'], len(split.test))}", file=out)
    print(f"run saved in {run_dir}/ ({', '.join(files)})", file=out)
    if cfg.get("tensorboard"):
        print(f"TensorBoard: tensorboard --logdir {os.path.join(run_dir, 'tensorboard')}", file=out)
    return summary, run_dir


def _hparams(cfg):
    """The settings that shape a run, for TensorBoard's HParams dashboard."""
    keys = ("dataset", "model", "hidden", "activation", "init", "batchnorm", "dropout", "loss", "optimizer", "lr",
            "weight_decay", "schedule", "batch_size", "epochs", "seed")
    return {k: cfg[k] for k in keys}


def _plots(run_dir, cfg, split, model, history):
    from ..data.datasets import feature_map
    from .loop import predict
    from .metrics import confusion_matrix
    from .plots import confusion_matrix_plot, decision_boundary, learning_curves

    made = []
    if len(history):
        learning_curves(history, os.path.join(run_dir, "learning_curves.png"), title=cfg["dataset"])
        made.append("learning_curves.png")
    if split.task == "classification":
        X, y = split.test.tensors
        cm = confusion_matrix(y.numpy(), predict(model, X), num_classes=split.n_classes)
        confusion_matrix_plot(cm, split.class_names, os.path.join(run_dir, "confusion_matrix.png"),
                              title=f"{cfg['dataset']}: test set (rows: true class)")
        made.append("confusion_matrix.png")
    names = cfg.get("features") or (["x1", "x2"] if split.feature_names == ["x1", "x2"] else None)
    if names and "x1" in names and "x2" in names and not cfg["dataset"].startswith("csv:"):
        X = np.concatenate([split.train.tensors[0].numpy(), split.test.tensors[0].numpy()])
        y = np.concatenate([split.train.tensors[1].numpy().reshape(len(split.train), -1)[:, 0],
                            split.test.tensors[1].numpy().reshape(len(split.test), -1)[:, 0]])
        raw = split.scaler.inverse_transform(X) if split.scaler is not None else X
        pts = raw[:, [names.index("x1"), names.index("x2")]]

        def to_inputs(grid):
            f = feature_map(grid, names)
            return split.scaler.transform(f) if split.scaler is not None else f

        decision_boundary(model, pts, y, os.path.join(run_dir, "decision_boundary.png"), transform=to_inputs,
                          task=split.task, title=f"{cfg['dataset']}: train and test points")
        made.append("decision_boundary.png")
    return made
