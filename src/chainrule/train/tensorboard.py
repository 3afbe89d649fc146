"""The ``TensorBoard`` callback: ``fit(..., callbacks=[TensorBoard("runs/exp1")])``, then
``tensorboard --logdir runs``.

It writes (with ``chainrule.utils.tensorboard.SummaryWriter``) two runs, as Keras does, so that training
and validation curves share a chart:

    log_dir/train/   loss and every metric per epoch (tags "loss", "accuracy", ...), "lr", "epoch_time";
                     with update_freq=n also "batch_loss" every n batches; histograms of the weights
                     ("weights/0.weight") and of their gradients on the epoch's last batch
                     ("gradients/0.weight") every histogram_freq epochs; the model's graph and its repr
    log_dir/val/     the val_* values under the same tags ("loss", "accuracy", ...)
    log_dir/         the hyperparameters and the final values ("hparam/loss", "hparam/val_accuracy", ...)
                     for the HParams dashboard, when hparams={...}

Steps are epochs (batches for batch_loss), so a resumed run continues its curves.
"""

from __future__ import annotations

import os

from .callbacks import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Log training to TensorBoard. ``histogram_freq``: weight and gradient histograms every n epochs (0:
    none). ``write_graph``: the model's graph, when the training data is a dataset of tensors (its first
    row is the example input). ``update_freq``: ``"epoch"``, or n to also log the loss every n batches.
    ``hparams``: a dict of hyperparameters to log with the final metrics."""

    def __init__(self, log_dir, histogram_freq=1, write_graph=True, update_freq="epoch", hparams=None):
        from chainrule.utils.tensorboard import _tb

        _tb()  # a missing tensorboard package is reported when the callback is made, not after an epoch
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(update_freq, int)
                                       or update_freq < 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch' or a positive int, got {update_freq!r}")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be an int >= 0, got {histogram_freq!r}")
        self.log_dir, self.histogram_freq, self.write_graph = os.fspath(log_dir), histogram_freq, write_graph
        self.update_freq, self.hparams = update_freq, hparams
        self._writers, self._grads, self._step, self._last = {}, None, 0, {}

    def writer(self, run):
        """The ``SummaryWriter`` of ``log_dir/<run>`` (``"train"``, ``"val"``, or ``""`` for log_dir)."""
        if run not in self._writers:
            from chainrule.utils.tensorboard import SummaryWriter

            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run) if run else self.log_dir)
        return self._writers[run]

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self._step = trainer.epoch * (trainer.num_batches or 0)  # a resumed run starts where it stopped
        w = self.writer("train")
        if trainer.epoch == 0:
            w.add_text("model", "```\n" + repr(trainer.model) + "\n```", 0)
            example = self._example(trainer)
            if self.write_graph and example is not None:
                w.add_graph(trainer.model, example)

    @staticmethod
    def _example(trainer):
        tensors = getattr(getattr(trainer.train_loader, "dataset", None), "tensors", None)
        return tensors[0][:1] if tensors else None  # read without a transform: the random stream is untouched

    def _histograms_due(self, epoch):
        return self.histogram_freq and epoch % self.histogram_freq == 0

    def on_after_backward(self, batch, loss):
        t = self.trainer
        if self._histograms_due(t.epoch) and t.num_batches and batch == t.num_batches - 1:
            self._grads = {k: p.grad.detach().numpy().copy() for k, p in t.model.named_parameters()
                           if p.grad is not None}

    def on_batch_end(self, batch, loss):
        self._step += 1
        if self.update_freq != "epoch" and self._step % self.update_freq == 0:
            self.writer("train").add_scalar("batch_loss", loss, self._step)

    def on_epoch_end(self, epoch, logs):
        train = self.writer("train")
        for k, v in logs.items():
            if not isinstance(v, (int, float)):
                continue
            if k.startswith("val_"):
                self.writer("val").add_scalar(k[4:], v, epoch)
            else:
                train.add_scalar("epoch_time" if k == "time" else k, v, epoch)
        if self._histograms_due(epoch):
            for k, p in self.trainer.model.named_parameters():
                train.add_histogram(f"weights/{k}", p, epoch)
            for k, g in (self._grads or {}).items():
                train.add_histogram(f"gradients/{k}", g, epoch)
            self._grads = None
        self._last = dict(logs)
        for w in self._writers.values():
            w.flush()

    def on_train_end(self, logs):
        if self.hparams is not None:  # the final values, as "hparam/<key>", beside the hyperparameters
            final = {f"hparam/{k}": v for k, v in self._last.items() if k != "time" and isinstance(v, (int, float))}
            self.writer("").add_hparams(self.hparams, final, run_name=".", global_step=self.trainer.epoch)
        for w in self._writers.values():
            w.close()
        self._writers = {}
