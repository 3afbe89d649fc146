"""``fit``, ``evaluate`` and ``predict``: the training loop every chainrule course writes by hand, once.

One epoch of ``fit`` is exactly the loop you would write yourself::

    model.train()
    for x, y in train_loader:
        out = model(x)
        loss = loss_fn(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

plus bookkeeping that stays out of the way: the batch losses and metrics are accumulated from the
arrays the step already computed (no second forward pass), then the validation data is evaluated once in
eval mode without a graph. Callback hooks are called only for callbacks that override them.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..engine import Tensor
from .callbacks import NaNGuard, ProgressBar, overrides
from .checkpoint import restore_checkpoint
from .history import History
from .metrics import Metric, get_metric
from .replay import ReplayedStep, replayable

__all__ = ["fit", "evaluate", "predict", "Trainer", "as_loader"]


class Trainer:
    """The state of one ``fit`` call, as the callbacks see it (``callback.trainer``)."""

    def __init__(self, model, loss_fn, optimizer, scheduler, train_loader, epochs, callbacks, log_keys) -> None:
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.train_loader, self.epochs, self.callbacks, self.log_keys = train_loader, epochs, callbacks, log_keys
        self.history = History()
        self.epoch = 0
        self.num_batches = len(train_loader) if hasattr(train_loader, "__len__") else None
        self.stop_training = False
        self.stop_reason = None

    def require_key(self, key, who) -> None:
        if key not in self.log_keys:
            hint = " (val_* keys need val_data)" if key.startswith("val_") else ""
            raise ValueError(f"{who}: monitor={key!r} is not logged by this fit{hint}; "
                             f"it logs: {', '.join(self.log_keys)}")


def _is_array(x):
    return isinstance(x, (Tensor, np.ndarray))


def as_loader(data, batch_size, shuffle, what="data") -> Any:
    """Something ``fit`` can iterate once per epoch, yielding ``(inputs, targets)`` batches.

    Accepts a ``DataLoader`` (used as it is), a ``Dataset`` such as ``split.train`` (batched with
    ``batch_size``, shuffled if ``shuffle``), a pair ``(X, y)`` of arrays or Tensors (wrapped in a
    ``TensorDataset``), or any re-iterable collection of batches (e.g. a list of ``(x, y)`` tuples).
    """
    from ..data import DataLoader, TensorDataset

    if isinstance(data, DataLoader):
        return data
    if isinstance(data, tuple) and len(data) == 2 and all(_is_array(a) for a in data):
        data = TensorDataset(*data)
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(data, (list, tuple)):
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle)
    if not hasattr(data, "__iter__"):
        raise TypeError(f"{what} must be a DataLoader, a Dataset, a pair (X, y) of arrays/Tensors or a list of "
                        f"(x, y) batches; got {type(data).__name__}")
    if iter(data) is data:
        raise TypeError(f"{what} is an iterator, which would be used up after one epoch; pass a DataLoader, a "
                        f"Dataset or a list of batches")
    return data


def _metric_list(metrics):
    if metrics is None:
        return []
    if isinstance(metrics, (str, Metric)) or callable(metrics) and not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    out = [get_metric(m) for m in metrics]
    names = [m.name for m in out]
    if len(set(names)) != len(names) or "loss" in names:
        raise ValueError(f"metric names must be distinct and not 'loss', got {names}")
    return out


def _is_plateau(scheduler):
    return type(scheduler).__name__ == "ReduceLROnPlateau"


def fit(model, loss_fn, optimizer, train_data, val_data=None, epochs=10, metrics=None, callbacks=None,
        scheduler=None, *, batch_size=32, shuffle=True, verbose=True, resume=None, nan_guard=True,
        scheduler_interval="epoch", scheduler_monitor=None, replay="auto") -> History:
    """Train ``model`` for ``epochs`` epochs; returns the ``History`` (one row of logs per epoch).

    - ``train_data``/``val_data``: a DataLoader, a Dataset (then ``batch_size``/``shuffle`` apply), a pair
      ``(X, y)`` or a list of batches; see ``as_loader``. Validation runs after every epoch in eval mode.
    - ``metrics``: names (``"accuracy"``, ``"rmse"``, ``"mae"``, ``"r2"``), ``Metric`` objects or functions
      ``fn(output, target) -> float`` on NumPy arrays; logged for training (``accuracy``) and validation
      (``val_accuracy``) next to ``loss``/``val_loss``, ``lr`` and ``time``.
    - ``callbacks``: ``Callback`` objects. ``verbose=True`` adds a ``ProgressBar`` and ``nan_guard=True``
      a ``NaNGuard`` unless the list has one.
    - ``scheduler``: stepped once per epoch after validation (``scheduler_interval="step"``: after every
      optimizer step); ``ReduceLROnPlateau`` is given ``scheduler_monitor`` (default ``val_loss``, or
      ``loss`` without validation data).
    - ``resume``: path of a checkpoint written by ``ModelCheckpoint``: model, optimizer, scheduler,
      history, random state and callback counters are restored and training continues with the epoch after
      it, up to ``epochs`` in total — exactly as if it had never stopped.

    - ``replay``: capture the training step once (``chainrule.graph``) and replay it for every batch of the
      same shape: the same numbers bit for bit, without the per-operation bookkeeping (train/replay.py);
      fit falls back to eager steps by itself where a step cannot be replayed. ``"auto"`` (the default)
      replays models and losses built from chainrule's own layers without hooks, with chainrule's own
      optimizers (a custom forward or update rule may have Python side effects that a replay would skip);
      ``True`` replays any; ``False`` never.

    The model is left in training mode; ``evaluate`` and ``predict`` switch to eval mode themselves.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}")
    train_loader = as_loader(train_data, batch_size, shuffle, "train_data")
    val_loader = None if val_data is None else as_loader(val_data, max(batch_size, 1024), False, "val_data")
    train_metrics = _metric_list(metrics)
    val_metrics = [copy.deepcopy(m) for m in train_metrics]
    callbacks = list(callbacks or ())
    if nan_guard and not any(isinstance(cb, NaNGuard) for cb in callbacks):
        callbacks.insert(0, NaNGuard())
    if verbose and not any(isinstance(cb, ProgressBar) for cb in callbacks):
        callbacks.append(ProgressBar())
    # checkpoints last, so that they record the other callbacks' state after this epoch
    callbacks.sort(key=lambda cb: getattr(cb, "order", 0))
    names = ["loss"] + [m.name for m in train_metrics]
    log_keys = names + ([f"val_{k}" for k in names] if val_loader is not None else []) + ["lr", "time"]
    t = Trainer(model, loss_fn, optimizer, scheduler, train_loader, int(epochs), callbacks, log_keys)
    plateau_key = scheduler_monitor or ("val_loss" if val_loader is not None else "loss")
    if scheduler is not None and _is_plateau(scheduler):
        t.require_key(plateau_key, "ReduceLROnPlateau")
    step_scheduler = scheduler if scheduler is not None and scheduler_interval == "step" else None
    for cb in callbacks:
        cb.on_train_begin(t)
    start = restore_checkpoint(resume, t) if resume is not None else 0
    begin_cbs = [cb for cb in callbacks if overrides(cb, "on_epoch_begin")]
    backward_cbs = [cb for cb in callbacks if overrides(cb, "on_after_backward")]
    batch_cbs = [cb for cb in callbacks if overrides(cb, "on_batch_end")]
    logs = t.history.last()
    stepper = ReplayedStep(model, loss_fn, optimizer)
    # a per-step scheduler changes lr every step; "auto" replays only models, losses and optimizers that are
    # chainrule's own, whose steps have no Python side effects that a replay would skip
    stepper.disabled = step_scheduler is not None or not (replay is True or replay == "auto" and
                                                          replayable(model, loss_fn, optimizer))
    for epoch in range(start + 1, t.epochs + 1):
        t.epoch = epoch
        t0 = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        for cb in begin_cbs:
            cb.on_epoch_begin(epoch)
        for m in train_metrics:
            m.reset()
        total, count = 0.0, 0
        model.train()
        for batch, (x, y) in enumerate(train_loader):
            out, loss = stepper.forward_backward(x, y)
            value = loss.item()
            for cb in backward_cbs:
                cb.on_after_backward(batch, value)
            stepper.step()
            if step_scheduler is not None:
                step_scheduler.step()
            n = out.shape[0]
            total += value * n
            count += n
            for m in train_metrics:
                m.update(out, y)
            for cb in batch_cbs:
                cb.on_batch_end(batch, value)
        if count == 0:
            raise ValueError("fit: train_data gave no batches (is the dataset empty, or drop_last with too few "
                             "samples?)")
        logs = {"loss": total / count}
        for m in train_metrics:
            logs[m.name] = m.compute()
        if val_loader is not None:
            for k, v in _evaluate(model, loss_fn, val_loader, val_metrics).items():
                logs[f"val_{k}"] = v
        logs["lr"] = float(lr)
        logs["time"] = time.perf_counter() - t0
        t.history.append(epoch, logs)
        if scheduler is not None and step_scheduler is None:
            scheduler.step(logs[plateau_key]) if _is_plateau(scheduler) else scheduler.step()
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if t.stop_training:
            break
    t.history.stop_reason = t.stop_reason
    for cb in callbacks:
        cb.on_train_end(logs)
    return t.history


def _evaluate(model, loss_fn, loader, metrics):
    was_training = model.training
    model.eval()
    for m in metrics:
        m.reset()
    total, count = 0.0, 0
    try:
        with no_grad():
            for x, y in loader:
                out = model(x)
                n = out.shape[0]
                if loss_fn is not None:
                    total += loss_fn(out, y).item() * n
                count += n
                for m in metrics:
                    m.update(out, y)
    finally:
        model.train(was_training)
    logs = {"loss": total / count if count else float("nan")} if loss_fn is not None else {}
    for m in metrics:
        logs[m.name] = m.compute()
    return logs


def evaluate(model, loss_fn, data, metrics=None, *, batch_size=1024) -> dict[str, float]:
    """Mean loss and metrics of ``model`` on ``data`` (eval mode, no graph): ``{"loss": ..., "accuracy":
    ...}``. ``data`` as for ``fit``; ``loss_fn=None`` skips the loss. The model's mode is restored."""
    return _evaluate(model, loss_fn, as_loader(data, batch_size, False, "data"), _metric_list(metrics))


def predict(model, data, *, batch_size=1024) -> Tensor:
    """The model's outputs for ``data`` as one Tensor (eval mode, no graph; the mode is restored after).

    ``data``: inputs X (a Tensor, a NumPy array or a nested list), a Dataset/DataLoader of ``(x, y)``
    samples (the targets are ignored), or a list of input batches.
    """
    from ..engine import as_tensor, from_numpy

    if isinstance(data, np.ndarray):
        data = from_numpy(data)
    elif isinstance(data, list) and data and not isinstance(data[0], (tuple, Tensor)):
        data = as_tensor(data)  # nested lists of numbers: one input per row, in the default dtype
    if isinstance(data, Tensor):
        batches = (data[i:i + batch_size] for i in range(0, data.shape[0], batch_size))
    else:
        loader = as_loader(data, batch_size, False, "data")
        batches = (b[0] if isinstance(b, (tuple, list)) else b for b in loader)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    outs = []
    try:
        with no_grad():
            for x in batches:
                outs.append(model(x).cpu().numpy())
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    if not outs:
        raise ValueError("predict: data is empty")
    return from_numpy(np.concatenate(outs) if len(outs) > 1 else outs[0])
