"""Reading a run folder back: ``load_run(dir)`` → ``Run`` (used by ``chainrule evaluate``/``predict``, the
backprop explainer and the doctor)."""

from __future__ import annotations

import json
import os

import numpy as np

from .config import ConfigError, resolve

__all__ = ["Run", "load_run"]


class Run:
    """A trained run, loaded from its folder. See ``load_run``."""

    def __init__(self, run_dir, config, model, loss_fn, optimizer, scheduler, history, summary, preprocess, epoch):
        self.dir, self.config, self.model, self.loss_fn = run_dir, config, model, loss_fn
        self.optimizer, self.scheduler, self.history, self.summary = optimizer, scheduler, history, summary
        self.epoch = epoch
        self.task = preprocess["task"]
        self.feature_names = list(preprocess["feature_names"])
        self.class_names = list(preprocess["class_names"])
        self.features = preprocess.get("features")
        self.scaler = None
        if preprocess.get("mean") is not None:
            from ..data import Standardize

            self.scaler = Standardize(np.asarray(preprocess["mean"]), np.asarray(preprocess["std"]))
        self._data = None

    @property
    def data(self):
        """The ``DataSplit`` rebuilt from the config (same data, same seeded split; loaded on first use)."""
        if self._data is None:
            from .run import load_split

            self._data = load_split(self.config)
        return self._data

    def preprocess(self, X):
        """Raw inputs (n, n_raw) → the model's inputs: feature maps (2-D sets), then standardisation; float32
        (the model's dtype). For a 2-D set with ``features``, ``X`` holds the raw points (x1, x2)."""
        from ..data.datasets import feature_map

        X = np.asarray(X, dtype=np.float64)
        if self.features:
            X = feature_map(X, self.features)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValueError(f"expected inputs with {len(self.feature_names)} columns "
                             f"({', '.join(self.feature_names[:6])}{', ...' if len(self.feature_names) > 6 else ''}), "
                             f"got shape {X.shape}")
        if self.scaler is not None:
            X = self.scaler.transform(X)
        dtype = next(iter(self.model.parameters())).detach().numpy().dtype
        return np.ascontiguousarray(X, dtype=dtype)

    def predict(self, X, raw=True):
        """Model outputs for inputs ``X`` (raw, as in the dataset, if ``raw``; else already preprocessed)."""
        from ..engine import from_numpy
        from .loop import predict

        inputs = self.preprocess(X) if raw else np.asarray(X)
        return predict(self.model, from_numpy(inputs))

    def __repr__(self):
        return f"Run({self.dir!r}, {self.config['dataset']}, {self.epoch} epochs)"


def load_run(run_dir):
    """Load a run folder written by ``chainrule train`` (or ``chainrule.train.run.train_run``).

    Returns a ``Run`` with:

    - ``.model``: the trained ``nn.Sequential``, weights loaded, in **eval mode**;
    - ``.config``: the resolved config dict (``config.json``; every field present);
    - ``.data``: the ``DataSplit`` (``.train``/``.val``/``.test`` TensorDatasets, ``.task``, ``.n_classes``,
      ``.scaler``, ...) rebuilt from the config — loaded lazily on first access, so a run whose CSV file is
      gone can still ``predict``;
    - ``.loss_fn``: the loss module the run trained with (e.g. ``nn.CrossEntropyLoss()``);
    - ``.optimizer``/``.scheduler``: rebuilt on the model's parameters with their saved state;
    - ``.history`` (``History``), ``.summary`` (``summary.json`` as a dict, or {}), ``.epoch`` (last epoch);
    - ``.task``, ``.feature_names``, ``.class_names``, ``.scaler`` (the training ``Standardize``);
    - ``.preprocess(X_raw)`` → model inputs and ``.predict(X_raw)`` → output Tensor.

    Raises ``FileNotFoundError`` / ``ValueError`` naming the folder and the missing or broken file.
    """
    from .checkpoint import load_checkpoint
    from .history import History
    from .run import build_loss, build_model, build_optimizer, build_scheduler

    run_dir = os.fspath(run_dir)
    if not os.path.isdir(run_dir):
        raise FileNotFoundError(f"run folder not found: {run_dir} (chainrule train writes one; see its --out)")
    cfg_path, ckpt_path = os.path.join(run_dir, "config.json"), os.path.join(run_dir, "model.ckpt")
    for p in (cfg_path, ckpt_path):
        if not os.path.exists(p):
            raise FileNotFoundError(f"{run_dir} is not a complete run folder: {os.path.basename(p)} is missing "
                                    f"(did the training finish?)")
    try:
        with open(cfg_path) as f:
            raw = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{cfg_path}: broken JSON ({e})") from None
    try:
        cfg = resolve(raw, source=cfg_path) if not raw.get("dataset", "").startswith("csv:") else _resolve_csv(raw)
    except ConfigError as e:
        raise ValueError(f"{cfg_path}: {e}") from None
    from .. import load

    ckpt = load(ckpt_path)
    pre = (ckpt.get("extra") or {}).get("preprocess") if isinstance(ckpt, dict) else None
    if pre is None:
        raise ValueError(f"{ckpt_path} has no preprocessing record; it was not written by chainrule train")
    task = pre["task"]
    n_out = _n_out(ckpt["model"])
    targets = pre.get("targets")  # regression: (mean, std) of the training targets
    from ..engine.rng import default_generator

    rng_state = default_generator.get_state()
    try:  # the initial weights drawn here are overwritten at once: keep the caller's random stream as it was
        model = build_model(cfg, int(pre["n_features"]), n_out, targets)
    finally:
        default_generator.set_state(rng_state)
    optimizer = build_optimizer(cfg, model.parameters())
    scheduler = build_scheduler(cfg, optimizer)
    loaded = load_checkpoint(ckpt_path, model, optimizer, scheduler)
    model.eval()
    history = History()
    history.load_state_dict(loaded["history"])
    summary = {}
    if os.path.exists(os.path.join(run_dir, "summary.json")):
        with open(os.path.join(run_dir, "summary.json")) as f:
            summary = json.load(f)
    return Run(run_dir, cfg, model, build_loss(cfg, task, targets), optimizer, scheduler, history, summary, pre,
               int(loaded["epoch"]))


def _resolve_csv(raw):
    """A CSV run's config, resolved without requiring the CSV file to exist any more."""
    from . import config as C

    cfg = dict(C.DEFAULTS)
    for k, v in raw.items():
        if k not in C.DEFAULTS:
            raise ConfigError(f"unknown key {k!r}")
        cfg[k] = v
    return cfg


def _n_out(state):
    """Width of the last Linear layer: the highest-numbered ``*.weight`` of 2 dimensions."""
    keys = [k for k, v in state.items() if k.endswith(".weight") and len(np.shape(v)) == 2]
    last = max(keys, key=lambda k: int(k.split(".")[0]))
    return int(np.shape(state[last])[0])
