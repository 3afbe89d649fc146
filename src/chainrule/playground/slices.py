"""How a session spends the time slices its worker gives it (``run``), and when it wants one.

In a slice: the commands waiting (those that must wait for the end of the epoch in progress stay queued
until it ends), then a frame if the page has drawn the last one, then training, one batch at a time, until
the slice's deadline. At a finite ``speed`` (epochs per 1/60 s tick, TF Playground's pace at 1) epochs are
paced by a credit that fills with time; a session that falls behind makes up at most ``CATCH_UP`` seconds.

A session that cannot keep its pace (a busy machine, or ``speed`` 0: as fast as possible) spends at most
``FRAME_SHARE`` of its CPU time on frames, and still sends one at least every ``MAX_FRAME_GAP`` seconds:
the run keeps its pace as far as it can, and the picture follows less often.
"""

from __future__ import annotations

import time
import traceback

from .protocol import CONFIG_SPEC, ProtocolError

TICK = 1 / 60
FRAME_INTERVAL = 1 / 60  # at most this many frames per second, and only once the page drew the last one
CATCH_UP = 0.25
FRAME_SHARE = 0.25
MAX_FRAME_GAP = 0.5
IMMEDIATE = {"ack", "focus", "play", "pause", "step"}  # never wait for the epoch to end
ABANDONS = {"reset", "load_csv"}  # new weights: the epoch in progress is thrown away


class Slices:
    """Mixin for Session (which provides the state and ``handle``)."""

    def has_work(self, now: float) -> bool:
        """Whether ``run`` would do something now (a command, a frame or training)."""
        if self.closed:
            return False
        if self.inbox and not (self.epoch_running and self._waits(self.inbox[0])):
            return True
        return self._frame_due(now) or self._wants_training(now)

    def wake_time(self, now: float):
        """When this session will next have work without a new command (None: not until one arrives)."""
        times = []
        if self.built and self._dirty and self._acked:
            times.append(self._last_frame + FRAME_INTERVAL)
        if self.playing and self.cfg["speed"] and not self.epoch_running:
            self._refill(now)
            times.append(now + max(0.0, 1.0 - self._credit) * TICK / self.cfg["speed"])
        return min(times) if times else None

    def run(self, deadline: float):
        """Do this session's work until ``deadline`` (a ``time.perf_counter`` time) or until none is left now:
        commands first, then a frame if the page is ready for one, then training, batch by batch."""
        clock = time.perf_counter
        while not self.closed:
            did = False
            while self.inbox and not (self.epoch_running and self._waits(self.inbox[0])):
                self._guarded(self._command, self.inbox.popleft())
                did = True
                if clock() >= deadline:
                    return
            if self._frame_due(clock()):
                self._guarded(self._framed)
                did = True
            elif self._wants_training(clock()):
                self._guarded(self._train_until, deadline)
                did = True
            if not did or clock() >= deadline:
                return

    def _guarded(self, fn, *args):
        try:
            fn(*args)
        except ProtocolError as e:
            self.error(str(e), e.field)
        except Exception as e:  # never let one bad command or a bug kill the tab's session
            traceback.print_exc()
            self.playing, self._dirty, self.pending_steps = False, False, 0
            self.abandon_epoch()
            self.error(f"internal error: {type(e).__name__}: {e}")
            self._status()

    def _effects(self, patch) -> set:
        return {CONFIG_SPEC[k][2] for k, v in patch.items() if self.cfg.get(k) != v}

    def _waits(self, msg) -> bool:
        """Whether a command must wait for the end of the epoch in progress."""
        kind = msg["type"]
        if kind in IMMEDIATE or kind in ABANDONS:
            return False
        if kind == "config":
            what = self._effects(msg["config"])
            return "train" in what and not what & {"data", "net"} and not msg.get("fresh")
        return True

    def _command(self, msg):
        kind = msg["type"]
        if kind == "step":  # trained by run(), a batch at a time, like play
            if not self.built:
                self.rebuild(data=True)
            self.playing = False
            self.pending_steps += 1
            self._status()
            return
        rebuilds = kind == "config" and (msg.get("fresh") or self._effects(msg["config"]) & {"data", "net"})
        if kind in ABANDONS or rebuilds:
            self.abandon_epoch()
        self.handle(msg)

    def _frame_due(self, now) -> bool:
        if not (self.built and self._dirty and self._acked and now >= self._last_frame + FRAME_INTERVAL):
            return False
        return self._frame_budget > 0 or not self._behind(now) or now >= self._last_frame + MAX_FRAME_GAP

    def _owed(self, now) -> float:
        """Epochs this session may train now at its pace (infinite when flat out, 0 when not playing)."""
        if not self.playing:
            return 0.0
        if not self.cfg["speed"]:
            return float("inf")
        self._refill(now)
        return self._credit

    def _behind(self, now) -> bool:
        """Training could use more time than it gets: flat out, or two epochs owed."""
        return self._owed(now) >= 2.0

    def _framed(self):
        cpu = time.thread_time()
        self._send_frame()
        self._frame_budget = max(self._frame_budget - (time.thread_time() - cpu), -0.05)

    def _refill(self, now):
        n = self.cfg["speed"]
        if self.playing and n:
            self._credit = min(self._credit + (now - self._credit_t) * n / TICK, max(1.0, CATCH_UP * n / TICK))
        self._credit_t = now

    def _wants_training(self, now) -> bool:
        if not self.built or self.diverged or not len(self.train_y):
            return False
        if self.epoch_running:  # finish it if anything is waiting for its end
            return self.playing or self.pending_steps > 0 or self._pause_at_end or bool(self.inbox)
        return self.pending_steps > 0 or self._owed(now) >= 1.0

    def _train_until(self, deadline):
        clock, cpu = time.perf_counter, time.thread_time()
        try:
            self._train_batches(deadline, clock)
        finally:  # training earns frames their share of the time
            earned = (time.thread_time() - cpu) * FRAME_SHARE / (1 - FRAME_SHARE)
            self._frame_budget = min(self._frame_budget + earned, 0.02)

    def _train_batches(self, deadline, clock):
        if not self.epoch_running and self.playing and self.cfg["speed"] and not self.pending_steps:
            self._credit -= 1.0
        while True:
            if not self.step_batch():  # the epoch ended (or could not start)
                break
            if clock() >= deadline or self._frame_due(clock()):
                return
        if self.pending_steps:
            self.pending_steps -= 1
        if self._pause_at_end:
            self._pause_at_end, self.playing = False, False
            self._status()
