"""Fair comparisons: every arm at every learning rate of a grid, each reported at its own best rate.

    runs = run_grid(ctx, one_run, ARMS, LRS)            # {(arm, lr): [result per seed]}; config {"arm", "lr"}
    best = best_rates(runs, ARMS, LRS, "final_loss")    # {arm: the lr with the lowest mean over seeds}

A rate at which a seed diverged (its metric None) counts as +∞ for that seed, so it is never "best" unless every
rate diverged. ``rates`` is one tuple for every arm or a dict {arm: tuple} (a grid per arm).
"""

from __future__ import annotations

import numpy as np


def _rates(rates, arm):
    return rates[arm] if isinstance(rates, dict) else rates


def run_grid(ctx, fn, arms, rates, key: str = "arm") -> dict:
    """Run the trial ``fn`` for every arm at every rate, over the context's seeds."""
    configs = [{key: a, "lr": lr} for a in arms for lr in _rates(rates, a)]
    return dict(zip(((c[key], c["lr"]) for c in configs), ctx.map(fn, configs)))


def mean_score(runs, metric: str) -> float:
    """Mean of ``metric`` over the seeds of one (arm, rate); a diverged seed (None) makes it +∞."""
    return float(np.mean([np.inf if r[metric] is None else r[metric] for r in runs]))


def best_rates(runs: dict, arms, rates, metric: str) -> dict:
    """{arm: the rate whose mean ``metric`` over seeds is lowest}."""
    return {a: min(_rates(rates, a), key=lambda lr: mean_score(runs[a, lr], metric)) for a in arms}


def at_edge(best: dict, rates) -> list:
    """The arms whose best rate is the smallest or the largest of their grid (the grid may be too narrow)."""
    return [a for a, lr in best.items() if lr in (_rates(rates, a)[0], _rates(rates, a)[-1])]
