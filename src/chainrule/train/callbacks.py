"""Callbacks: code that ``fit`` runs at fixed points of training.

A callback subclasses ``Callback`` and overrides any of the hooks below; ``fit`` only calls the per-batch
hooks of callbacks that override them, so an unused hook costs nothing in the inner loop.

    on_train_begin(trainer)        trainer: model, optimizer, scheduler, history, epochs, stop_training, ...
    on_epoch_begin(epoch)          epochs are numbered from 1
    on_after_backward(batch, loss) gradients are ready, the optimizer has not stepped yet (loss: a float)
    on_batch_end(batch, loss)      after the optimizer step
    on_epoch_end(epoch, logs)      logs: this epoch's loss, metrics, val_*, lr, time
    on_train_end(logs)

Set ``trainer.stop_training = True`` (and ``trainer.stop_reason``) to end training after this epoch.
``state_dict``/``load_state_dict`` let ``ModelCheckpoint`` save a callback's counters so that a resumed
run continues exactly.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

from .history import metric_mode

__all__ = ["Callback", "ProgressBar", "EarlyStopping", "ModelCheckpoint", "CSVLogger", "NaNGuard",
           "DivergenceError"]


class Callback:
    """Base class: every hook does nothing."""

    trainer = None

    def on_train_begin(self, trainer) -> None:
        self.trainer = trainer

    def on_epoch_begin(self, epoch) -> None:
        pass

    def on_after_backward(self, batch, loss) -> None:
        pass

    def on_batch_end(self, batch, loss) -> None:
        pass

    def on_epoch_end(self, epoch, logs) -> None:
        pass

    def on_train_end(self, logs) -> None:
        pass

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state) -> None:
        pass


def overrides(cb, hook):
    """Does ``cb``'s class define its own ``hook``? (``fit`` skips the ones that don't.)"""
    return getattr(type(cb), hook) is not getattr(Callback, hook)


def format_logs(logs, skip=("time",)):
    parts = []
    for k, v in logs.items():
        if k in skip:
            continue
        if k == "lr":
            parts.append(f"lr {v:.3g}")
        elif isinstance(v, float) and not math.isnan(v):
            parts.append(f"{k} {v:.4f}")
    return "  ".join(parts)


# ---------------------------------------------------------------------------------------- progress
class ProgressBar(Callback):
    """Shows training progress: a progress bar while an epoch runs, one summary line per epoch on ``stream``
    (default: standard output, looked up at run time), e.g. ``epoch 3/30  loss 0.1234  accuracy 0.9650  ...``.

    The bar is tqdm's (``pip install 'chainrule[notebook]'``) where tqdm is installed and someone watches: in
    Jupyter (``tqdm.auto``: a widget, or text where ipywidgets is missing) or with standard error on a
    terminal. It runs over the whole training (rate in batches/s, time left until the last epoch, the epoch
    and its running loss) and, as tqdm's convention, draws on standard error. Without tqdm, a terminal gets
    chainrule's own in-place bar on ``stream``; a log file, a pipe or CI get just the summary lines.
    ``bar``: None decides as above, False never draws a bar, True always draws tqdm's. ``every``: print the
    summary of every n-th epoch only (the first and last are always printed). ``fit(verbose=0)`` adds none.
    """

    def __init__(self, stream=None, every=1, refresh=10.0, width=24, bar=None) -> None:
        self.stream, self.every, self.min_interval, self.width = stream, max(1, int(every)), 1.0 / refresh, width
        self.bar = bar

    def on_train_begin(self, trainer) -> None:
        super().on_train_begin(trainer)
        out = self.stream or sys.stdout
        self._out = out
        self._tty = bool(getattr(out, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._tqdm_class = _tqdm_class(self.bar)
        self._tqdm = None

    def on_epoch_begin(self, epoch) -> None:
        self._epoch = epoch
        self._loss_sum, self._n = 0.0, 0
        self._nb = self.trainer.num_batches
        if self._tqdm_class is not None and self._tqdm is None:
            t = self.trainer
            total = (t.epochs - epoch + 1) * self._nb if self._nb else None
            self._tqdm = self._tqdm_class(total=total, desc="training", unit="batch", leave=False,
                                          file=sys.stderr, dynamic_ncols=True, mininterval=self.min_interval)

    def on_batch_end(self, batch, loss) -> None:
        if self._tqdm is None and not self._tty:
            return
        self._loss_sum += loss
        self._n += 1
        if self._tqdm is not None:
            self._tqdm.update(1)
        now = time.perf_counter()
        if now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        if self._tqdm is not None:  # tqdm redraws by itself; the postfix only changes with the next draw
            self._tqdm.set_postfix_str(f"epoch {self._epoch}/{self.trainer.epochs}, "
                                       f"loss {self._loss_sum / self._n:.4f}", refresh=False)
            return
        done = batch + 1
        frac = done / self._nb if self._nb else 0.0
        fill = int(self.width * frac)
        bar = "█" * fill + "·" * (self.width - fill)
        t = self.trainer
        self._out.write(f"\repoch {self._epoch}/{t.epochs} {bar} {done}/{self._nb}  "
                        f"loss {self._loss_sum / self._n:.4f}\x1b[K")
        self._out.flush()

    def on_epoch_end(self, epoch, logs) -> None:
        t = self.trainer
        if epoch % self.every and epoch not in (1, t.epochs) and not t.stop_training:
            if self._tty and self._tqdm is None:
                self._out.write("\r\x1b[K")
            return
        width = len(str(t.epochs))
        line = f"epoch {epoch:>{width}}/{t.epochs}  {format_logs(logs)}  ({logs.get('time', 0.0):.2f} s)"
        if self._tqdm is not None:
            self._tqdm.clear()
            self._out.write(line + "\n")
            self._out.flush()
            self._tqdm.refresh()
            return
        self._out.write(("\r\x1b[K" if self._tty else "") + line + "\n")
        self._out.flush()

    def on_train_end(self, logs) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None


def _in_notebook():
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell is not None and hasattr(shell, "get_ipython") else None
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def _tqdm_class(bar):
    """tqdm's bar class for ``ProgressBar(bar=...)``, or None for no tqdm bar."""
    if bar is False:
        return None
    notebook = _in_notebook()
    if bar is None and not (notebook or getattr(sys.stderr, "isatty", lambda: False)()):
        return None
    try:
        if notebook:
            import warnings

            with warnings.catch_warnings():  # tqdm.auto without ipywidgets falls back to text, with a warning
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm
            return tqdm
        from tqdm import tqdm
    except ImportError:
        if bar:
            from .. import _optional

            raise _optional.missing("tqdm", "ProgressBar(bar=True)") from None
        return None
    return tqdm


# ----------------------------------------------------------------------------------- NaN guard
class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss. ``epoch``/``batch`` say where; ``history`` holds the
    epochs completed before it."""

    def __init__(self, message, epoch=None, batch=None, history=None) -> None:
        super().__init__(message)
        self.epoch, self.batch, self.history = epoch, batch, history


class NaNGuard(Callback):
    """Stops training at the first NaN or infinite loss, before the optimizer step spreads it into the
    weights, with a ``DivergenceError`` that names the epoch and batch and suggests a smaller learning
    rate. ``fit`` adds one unless ``nan_guard=False``."""

    def on_after_backward(self, batch, loss) -> None:
        if math.isfinite(loss):
            return
        t = self.trainer
        lr = t.optimizer.param_groups[0].get("lr") if t.optimizer is not None else None
        hint = f" (lr is {lr:g}; try {lr / 10:g})" if isinstance(lr, (int, float)) and lr > 0 else ""
        raise DivergenceError(
            f"training diverged: the loss became {loss} at epoch {t.epoch}, batch {batch + 1} of {t.num_batches}. "
            f"The weights are left as they were before this batch. Try a smaller learning rate{hint}; "
            f"also check the inputs for NaN/Inf and that they are standardised.",
            epoch=t.epoch, batch=batch + 1, history=t.history)


# ------------------------------------------------------------------------------- early stopping
def _improved(value, best, mode, min_delta):
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _copy_state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when ``monitor`` (default ``val_loss``) has not improved by more than ``min_delta`` for
    ``patience`` epochs in a row. ``restore_best=True`` puts the weights of the best epoch back into the
    model at the end (the lecture's "early stopping: keep the model with the best validation score").
    ``mode``: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy/r2, min for losses and errors)."""

    def __init__(self, monitor="val_loss", patience=5, restore_best=True, min_delta=0.0, mode="auto") -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        self.monitor, self.patience, self.restore_best = monitor, patience, restore_best
        self.min_delta = abs(float(min_delta))
        self.mode = metric_mode(monitor) if mode == "auto" else mode
        self.best, self.best_epoch, self.wait, self.best_state, self.stopped_epoch = None, 0, 0, None, 0

    def on_train_begin(self, trainer) -> None:
        super().on_train_begin(trainer)
        trainer.require_key(self.monitor, "EarlyStopping")
        self.best, self.best_epoch, self.wait, self.best_state, self.stopped_epoch = None, 0, 0, None, 0

    def on_epoch_end(self, epoch, logs) -> None:
        value = logs[self.monitor]
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = _copy_state(self.trainer.model)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            self.trainer.stop_reason = (f"early stopping at epoch {epoch}: {self.monitor} has not improved for "
                                        f"{self.patience} epochs (best {self.best:.4g} at epoch {self.best_epoch})")

    def on_train_end(self, logs) -> None:
        if self.restore_best and self.best_state is not None and self.best_epoch != self.trainer.epoch:
            self.trainer.model.load_state_dict(self.best_state)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_state": self.best_state}

    def load_state_dict(self, state) -> None:
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]
        self.stopped_epoch, self.best_state = state["stopped_epoch"], state["best_state"]


# ------------------------------------------------------------------------------------ checkpoints
class ModelCheckpoint(Callback):
    """Save checkpoints to the folder ``dirpath`` at the end of every epoch, atomically (write a temporary
    file, then rename, so a crash never leaves half a checkpoint):

    - ``last.ckpt`` (``save_last``): the state after the latest epoch — resume from it with
      ``fit(..., resume="DIR/last.ckpt")``;
    - ``best.ckpt`` (``save_best``): the state at the best ``monitor`` value so far (``val_loss`` by
      default; ``loss`` when there is no validation data).

    A checkpoint (``chainrule.save``, no pickle) holds the model's, the optimizer's and the scheduler's
    state dicts, the epoch, the history, the state of every random generator training draws from and the
    other callbacks' counters: everything needed to continue bit for bit. See ``checkpoint.py``.
    """

    order = 100  # after every other callback, so the checkpoint holds their state after this epoch

    def __init__(self, dirpath, monitor="val_loss", save_best=True, save_last=True, mode="auto") -> None:
        self.dirpath, self.monitor, self.save_best, self.save_last = os.fspath(dirpath), monitor, save_best, save_last
        self.mode = mode
        self.best = None

    @property
    def last_path(self):
        return os.path.join(self.dirpath, "last.ckpt")

    @property
    def best_path(self):
        return os.path.join(self.dirpath, "best.ckpt")

    def on_train_begin(self, trainer) -> None:
        super().on_train_begin(trainer)
        self.best = None
        if self.save_best and self.monitor not in trainer.log_keys and self.monitor == "val_loss":
            self.monitor = "loss"  # no validation data: the best training loss is the next best thing
        if self.save_best:
            trainer.require_key(self.monitor, "ModelCheckpoint")
        self._mode = metric_mode(self.monitor) if self.mode == "auto" else self.mode
        os.makedirs(self.dirpath, exist_ok=True)

    def on_epoch_end(self, epoch, logs) -> None:
        from .checkpoint import save_checkpoint

        if self.save_best and _improved(logs[self.monitor], self.best, self._mode, 0.0):
            self.best = logs[self.monitor]
            save_checkpoint(self.best_path, self.trainer)
        if self.save_last:
            save_checkpoint(self.last_path, self.trainer)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "monitor": self.monitor}

    def load_state_dict(self, state) -> None:
        self.best, self.monitor = state["best"], state["monitor"]


class CSVLogger(Callback):
    """Write the whole history to ``path`` as CSV after every epoch (atomically, so the file is always
    complete; a resumed run rewrites it with the earlier epochs included)."""

    def __init__(self, path) -> None:
        self.path = os.fspath(path)

    def on_epoch_end(self, epoch, logs) -> None:
        self.trainer.history.to_csv(self.path)
