"""Numbers over seeds: a ``Stat`` (the per-seed values, their mean and spread) and the verdict rule.

Every comparative number a lab quotes is measured once per seed and reported as mean ± spread, where the
*spread* is the sample standard deviation over the seeds (ddof = 1) — the same bar the figures draw. The
verdict of a claim reads only that interval:

* ``supported``     the claim predicts a sign and mean − spread … mean + spread lies entirely on that side;
* ``contradicted``  the whole interval lies on the other side;
* ``unresolved``    the interval covers zero: these seeds cannot tell (the text says so).

A claim about a size ("×6 faster", "n·Var = 1/3") compares the interval with the predicted value the same
way (``compare``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

VERDICTS = ("supported", "partly supported", "contradicted", "unresolved", "exact")


@dataclass(frozen=True)
class Stat:
    """Per-seed values of one quantity, in seed order. A seed where the quantity is undefined (None, NaN:
    a run that never reached its target, say) keeps its place in ``values`` and is left out of the mean."""

    values: tuple

    @classmethod
    def of(cls, values) -> Stat:
        out = []
        for v in values:
            v = None if v is None else float(v)
            out.append(v if v is not None and math.isfinite(v) else None)
        return cls(tuple(out))

    @property
    def finite(self) -> list:
        return [v for v in self.values if v is not None]

    @property
    def n(self) -> int:
        return len(self.finite)

    @property
    def mean(self) -> float:
        return float(np.mean(self.finite)) if self.n else float("nan")

    @property
    def sd(self) -> float:
        """The spread: the sample standard deviation over seeds (0 for a single seed)."""
        return float(np.std(self.finite, ddof=1)) if self.n > 1 else 0.0

    @property
    def lo(self) -> float:
        return self.mean - self.sd

    @property
    def hi(self) -> float:
        return self.mean + self.sd

    def covers(self, value: float) -> bool:
        return self.lo <= value <= self.hi

    def pm(self, digits: int = 2, pct: bool = False, times: bool = False) -> str:
        """'0.93 ± 0.05', '82.5% ± 1.2%' (``pct``), or '×0.19 ± 0.04' (``times``); 'n/a' without values."""
        if not self.n:
            return "n/a"
        if pct:
            return f"{100 * self.mean:.1f}% ± {100 * self.sd:.1f}%"
        text = f"{_g(self.mean, digits)} ± {_g(self.sd, digits)}"
        return "×" + text if times else text

    def to_json(self) -> dict:
        return {"mean": self.mean if self.n else None, "sd": self.sd, "n": self.n, "values": list(self.values)}


def _g(x: float, digits: int) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits and abs(x) < 1e6:
        return f"{x:.0f}"
    if abs(x) >= 10 ** digits or abs(x) < 1e-3:
        return f"{x:.{digits}g}"
    # as many decimals as the leading digits need, so 0.931 ± 0.052 keep the same precision
    return f"{x:.{max(0, digits - 1 - math.floor(math.log10(abs(x))))}f}"


def paired(a, b) -> Stat:
    """Per-seed differences a − b of two arms run on the same seeds (same weights, same batches)."""
    return Stat.of([None if x is None or y is None else x - y for x, y in zip(a, b)])


def sign_verdict(stat: Stat, expect: int = 1) -> str:
    """'supported' if mean ± spread lies entirely on the side ``expect`` (+1: > 0, −1: < 0) predicts,
    'contradicted' if entirely on the other, 'unresolved' if it covers zero."""
    if stat.n == 0:
        return "unresolved"
    lo, hi = stat.lo * expect, stat.hi * expect
    if lo > 0:
        return "supported"
    if hi < 0:
        return "contradicted"
    return "unresolved"


def covers_zero_note(stat: Stat, what: str) -> str:
    """A sentence for a difference whose spread covers zero (empty otherwise)."""
    if stat.n and stat.covers(0.0):
        return f" The spread of {what} covers zero: with {stat.n} seeds this difference is not resolved."
    return ""


def compare(stat: Stat, predicted: float, rel: float = 0.0) -> str:
    """'supported' if the interval (widened by ``rel``·|predicted|) contains ``predicted``, else
    'contradicted' — for claims about a value."""
    margin = rel * abs(predicted)
    return "supported" if stat.lo - margin <= predicted <= stat.hi + margin else "contradicted"


def stats_json(stats: dict) -> dict:
    """{name: Stat} → {name: {mean, sd, n, values}} for numbers.json."""
    return {k: v.to_json() for k, v in stats.items()}


def combine(verdicts) -> str:
    """One verdict for a claim tested several ways: all supported → 'supported'; some → 'partly supported';
    none supported and some contradicted → 'contradicted'; otherwise 'unresolved'."""
    verdicts = list(verdicts)
    if verdicts and all(v == "supported" for v in verdicts):
        return "supported"
    if any(v in ("supported", "partly supported") for v in verdicts):
        return "partly supported"
    if any(v == "contradicted" for v in verdicts):
        return "contradicted"
    return "unresolved"
