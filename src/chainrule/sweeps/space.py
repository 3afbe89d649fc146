"""The points of a search space: every combination (grid) or ``n`` random draws (random search).

A point is a dict ``{option: value}``; a trial is a point with a seed. Draws come from a NumPy
generator seeded by the sweep's ``seed``, so the same spec gives the same points (and a resumed random
sweep the same trials).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

__all__ = ["grid_points", "random_points", "sample", "trial_key"]


def trial_key(point, seed):
    """The trial's name within its sweep (and its run folder's name): ``p003-s1``."""
    return f"p{point:03d}-s{seed}"


def grid_points(space):
    """Every combination of the choices, the first option varying slowest."""
    names = list(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*(space[n].values for n in names))]


def sample(dim, rng):
    """One draw from a ``Dimension``: a choice, uniform, log-uniform, integer or log-integer value."""
    if dim.kind == "choice":
        return dim.values[int(rng.integers(len(dim.values)))]
    if dim.kind == "uniform":
        return float(rng.uniform(dim.low, dim.high))
    if dim.kind == "log_uniform":
        return float(math.exp(rng.uniform(math.log(dim.low), math.log(dim.high))))
    if dim.kind == "int":
        return int(rng.integers(dim.low, dim.high + 1))
    if dim.kind == "log_int":  # uniform in log space over [low, high + 1), floored: each octave alike
        v = math.exp(rng.uniform(math.log(dim.low), math.log(dim.high + 1)))
        return int(min(max(math.floor(v), dim.low), dim.high))
    raise ValueError(f"unknown dimension kind {dim.kind!r}")


def random_points(space, n, seed):
    """``n`` points drawn independently (options in the space's order, so the draws are reproducible)."""
    rng = np.random.default_rng(seed)
    return [{name: sample(dim, rng) for name, dim in space.items()} for _ in range(n)]
