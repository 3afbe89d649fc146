"""What a sweep prints while it runs: one line per finished trial, and the best point so far.

On a terminal the last line is a live status line (a bar, the count, the best so far) redrawn under the
trial lines; in a log file or a pipe the best-so-far line is printed whenever the best point changes.
"""

from __future__ import annotations

import math
import sys
import time

from ..runstore.compare import mean_sd
from ..runstore.records import format_params

__all__ = ["Progress"]


class Progress:
    def __init__(self, spec, total, stream=None, width=20):
        self.spec, self.total, self.width = spec, total, width
        self.out = stream or sys.stdout
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.done = self.failed = 0
        self.values = {}  # point -> (params, [metric values of its finished seeds], trials back)
        self.best = None  # (mean, sd, n, params)
        self.t0 = time.perf_counter()

    def _write(self, line):
        clear = "\r\x1b[K" if self.tty else ""
        self.out.write(clear + line + "\n")
        if self.tty:
            self.out.write(self._status())
        self.out.flush()

    def _status(self):
        frac = self.done / self.total if self.total else 1.0
        bar = "█" * int(self.width * frac) + "·" * (self.width - int(self.width * frac))
        return f"{bar} {self.done}/{self.total}  {self._best_text() or ''}"

    def _best_text(self, final=False):
        if self.best is None:
            return None
        mean, sd, n, params = self.best
        spread = f" ± {sd:.4f}" if n > 1 else ""
        head = "best" if final else "best so far"
        return f"{head}: {self.spec.metric} {mean:.4f}{spread} ({n} seed{'s' * (n != 1)}) at {format_params(params)}"

    def note(self, line):
        self._write(line)

    def restore(self, trial, value):
        """A trial finished before a resume: counted, and in the best-so-far, without a line."""
        self.done += 1
        self._add(trial, value)

    def _add(self, trial, value):
        """Count a trial's value in its point; the best point is the best mean among the points whose
        seeds are all back (before any is: among all), so one lucky seed does not lead."""
        params, vals, n = self.values.get(trial["point"], (trial["params"], [], 0))
        if value is not None and math.isfinite(value):
            vals = [*vals, value]
        self.values[trial["point"]] = (params, vals, n + 1)
        complete = [(p, v) for p, v, n in self.values.values() if v and n == len(self.spec.seeds)]
        candidates = complete or [(p, v) for p, v, _ in self.values.values() if v]
        sign = 1 if self.spec.direction == "max" else -1
        best = None
        for params, vals in candidates:
            mean, sd = mean_sd(vals)
            if best is None or sign * mean > sign * best[0]:
                best = (mean, sd, len(vals), params)
        changed = best is not None and (self.best is None or best[3] != self.best[3] or best[2] != self.best[2])
        self.best = best
        return changed

    def trial(self, trial, status, value, seconds, where, error=None):
        self.done += 1
        self.failed += status != "finished"
        changed = self._add(trial, value)
        w = len(str(self.total))
        head = f"[{self.done:>{w}}/{self.total}] {format_params(trial['params'])} seed={trial['seed']}"
        what = f"{self.spec.metric} {value:.4f}" if value is not None else f"FAILED: {error}"
        self._write(f"{head}  {what}  ({seconds:.1f} s{', ' + where if where else ''})")
        if changed and not self.tty:
            self._write("    " + self._best_text())

    def finish(self):
        if self.tty:
            self.out.write("\r\x1b[K")
        secs = time.perf_counter() - self.t0
        failed = f", {self.failed} failed" if self.failed else ""
        self.out.write(f"{self.done}/{self.total} trials done{failed} in {secs:.1f} s\n")
        if self.best is not None:
            self.out.write(self._best_text(final=True) + "\n")
        self.out.flush()
