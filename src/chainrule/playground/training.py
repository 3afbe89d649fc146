"""The session's training: TF Playground's epoch (see model.py for the exact rule), resumable batch by batch.

``step_batch`` trains one batch of the epoch in progress and returns False once the epoch has ended, so a
host can stop after any batch and carry on later; ``train_epoch`` runs (the rest of) one epoch at once.
Everything an epoch depends on (learning rate, batch boundaries, the order of the points) is fixed when it
starts: commands that change them wait for its end (session.py).

Each batch's step (zero_grad, forward, loss, backward, optimizer step) is captured once and replayed
(``chainrule.train.replay.ReplayedStep``, fit's): the same numbers bit for bit, without the per-operation
bookkeeping. What happens between steps stays as it was: the regularisation step changes the weights in
place, the dropout masks come from the session's stream at every replay, a new learning rate (a schedule, a
changed setting) captures the optimizer step again, and a batch of another size (the first one, with last
epoch's leftover points) runs eagerly. A new network, loss, optimizer, batch size or number of points gets a
new replayer. The frames' forward passes (taps, heatmap) are eager and separate from the step.
"""

from __future__ import annotations

import time

import numpy as np

import chainrule as cr
from chainrule.train.replay import ReplayedStep

from . import frames as F
from . import model as M
from .protocol import ProtocolError

CHEAP_TO_FINISH = 0.1  # seconds: a pause waits for the end of the epoch if the rest costs less than this
REPLAY = True  # replay each batch's captured step; False: every step eager (tests and benchmarks compare both)


class Training:
    """Mixin for Session: its data arrays, random streams and the epoch in progress."""

    def init_training(self):
        self._epoch_iter = None
        self._pause_at_end = False
        self._batches_left = 0
        self._batch_cost = 0.0  # seconds per batch, a running average
        self.carry = None
        self.stepper, self._stepper_key = None, None

    @property
    def epoch_running(self) -> bool:
        return self._epoch_iter is not None

    def prepare_arrays(self):
        names = M.feature_names(self.cfg)
        tr = np.array(self.train_pts, dtype=np.float64).reshape(-1, 3)
        te = np.array(self.test_pts, dtype=np.float64).reshape(-1, 3)
        self.train_x, self.train_y = M.features(tr[:, :2], names), M.targets(tr[:, 2], self.cfg)
        self.test_x, self.test_y = M.features(te[:, :2], names), M.targets(te[:, 2], self.cfg)
        self.grid_x = cr.from_numpy(M.features(F.grid_points(), names))
        self.carry = None

    def reset_streams(self):
        """The reshuffling and dropout streams start again from the seed and the number of resets."""
        self.shuffle_rng = np.random.default_rng([self.cfg["seed"], self.resets, 1])
        self.dropout_state = M.dropout_generator(self.cfg["seed"], self.resets).get_state()

    def abandon_epoch(self):
        if self._epoch_iter is not None:
            self._epoch_iter.close()
        self._epoch_iter, self._pause_at_end = None, False

    def cheap_to_finish(self) -> bool:
        return self._batches_left * self._batch_cost < CHEAP_TO_FINISH

    def step_batch(self) -> bool:
        """Train one batch, starting an epoch if none is in progress; False when the epoch has ended (its last
        batch trained, the losses evaluated) or could not start."""
        if self._epoch_iter is None:
            self._epoch_iter = self._epoch_steps()
        t0 = time.perf_counter()
        try:
            next(self._epoch_iter)
        except StopIteration:
            self._epoch_iter = None
            return False
        except BaseException:
            self._epoch_iter = None
            raise
        self._batch_cost = 0.9 * self._batch_cost + 0.1 * (time.perf_counter() - t0) if self._batch_cost \
            else time.perf_counter() - t0
        return True

    def train_epoch(self):
        """Train (the rest of) one epoch now."""
        while self.step_batch():
            pass

    def _epoch_steps(self):
        """One pass over the training points in batches, yielding between batches."""
        n = len(self.train_y)
        if n == 0 or self.diverged:
            self.playing = False
            return
        cfg = self.cfg
        if any(cfg["batchNorm"][:len(cfg["networkShape"])]) and (cfg["batchSize"] < 2 or n < 2):
            self.playing, self.pending_steps = False, 0
            self._status()
            raise ProtocolError("batch norm needs at least 2 points per batch (it divides by the batch's spread): "
                                "raise the batch size or turn batch norm off", "batchSize")
        lr = M.scheduled_lr(cfg, self.epoch)
        M.update_hyperparameters(self.opt, cfg, lr)
        X, Y = self.train_x, self.train_y
        if cfg["shuffle"]:
            perm = self.shuffle_rng.permutation(n)
            X, Y = X[perm], Y[perm]
        bs, reg, rate = cfg["batchSize"], cfg["regularization"], cfg["regularizationRate"]
        regularising = (reg != "none" and rate > 0) or any(d.any() for d in self.net.dead)
        m = n // bs
        bounds = [(k * bs, (k + 1) * bs) for k in range(m)] or [(0, n)]  # n < bs: one update of n points
        leftover = (X[m * bs:], Y[m * bs:]) if m and m * bs < n else None
        self._batches_left = len(bounds)
        for k, (i, j) in enumerate(bounds):
            xb, yb = X[i:j], Y[i:j]
            if k == 0 and self.carry is not None:  # last epoch's leftover points join the first batch
                xb, yb = np.concatenate([self.carry[0], xb]), np.concatenate([self.carry[1], yb])
            self._train_batch(xb, yb, regularising, reg, lr, rate)
            self._batches_left -= 1
            if self._batches_left:
                yield
        self.carry = leftover
        self.epoch += 1
        self.lr_now = lr
        self._evaluate()

    def _train_batch(self, xb, yb, regularising, reg, lr, rate):
        net = self.net
        before = [lin.weight.detach().numpy().copy() for lin in net.linears] if regularising else None
        if not net.model.training:  # a frame between two batches switched to eval mode (train() walks every module)
            net.model.train()
        with M.dropout_rng(self):
            self._stepper()(cr.from_numpy(xb), cr.from_numpy(yb))
        if regularising:
            M.regularise(net, before, reg, lr, rate)

    def _stepper(self) -> ReplayedStep:
        """The step's replayer for the network, loss, optimizer, batch size and number of points in use."""
        key = (id(self.net.model), id(self.loss_fn), id(self.opt), self.cfg["batchSize"], len(self.train_y))
        if self.stepper is None or key != self._stepper_key:  # (the old stepper keeps its objects, and ids, alive)
            self.stepper = ReplayedStep(self.net.model, self.loss_fn, self.opt, disabled=not REPLAY)
            self._stepper_key = key
        return self.stepper

    def _measure(self, x, y):
        """Loss and accuracy on a set, from one forward pass."""
        if len(y) == 0:
            return None, None
        out = self.net.model(cr.from_numpy(x))
        loss = float(self.loss_fn(out, cr.from_numpy(y)).item())
        return loss, F.accuracy(out.numpy(), y, self.net.kind, self.cfg["problem"])

    def _evaluate(self):
        """Train and test loss and accuracy with the current weights (eval mode: no dropout, BN running stats)."""
        self.net.model.eval()
        with cr.no_grad():
            self.train_loss, self.train_acc = self._measure(self.train_x, self.train_y)
            self.test_loss, self.test_acc = self._measure(self.test_x, self.test_y)
        self.history.append([self.epoch, F.finite(self.train_loss), F.finite(self.test_loss)])
        if self.train_loss is not None and not np.isfinite(self.train_loss):
            self.diverged, self.playing, self.pending_steps = True, False, 0
            self._status()
        self._dirty = True
