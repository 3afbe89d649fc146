"""What to try next: the grid and random searches plan every trial up front; Optuna's samplers ask for
a new point when a worker is free and learn from each point's result (the mean over its seeds).

A search hands out trials (dicts: key, point, seed, params) with ``next_trial()`` and hears back with
``report(trial, value)``. ``restore(trials)`` gives it what a stopped sweep already did, so a resumed
sweep neither repeats a finished trial nor loses one that was in flight.
"""

from __future__ import annotations

import json
import math
from collections import deque

from .space import grid_points, random_points, trial_key

__all__ = ["make_search", "PlannedSearch", "OptunaSearch"]


def _trials(point, params, seeds):
    return [{"key": trial_key(point, s), "point": point, "seed": s, "params": params} for s in seeds]


class PlannedSearch:
    """Grid or random search: all trials known at the start; ``todo`` is what is not done yet."""

    adaptive = False

    def __init__(self, spec):
        points = (grid_points(spec.space) if spec.method == "grid"
                  else random_points(spec.space, spec.trials, spec.sampler_seed))
        self.planned = [t for i, p in enumerate(points) for t in _trials(i, p, spec.seeds)]
        self.todo = deque(self.planned)

    def restore(self, done, planned=()):
        """``done``: ``{key: (point, params, value)}`` of the trials a stopped sweep finished (skipped)."""
        self.todo = deque(t for t in self.planned if t["key"] not in done)

    def next_trial(self):
        return self.todo.popleft() if self.todo else None

    def report(self, trial, value):
        pass


class OptunaSearch(PlannedSearch):
    """An Optuna study asks for points (``spec.sampler``: tpe, random, qmc, cmaes, gp); each point runs
    once per seed and the study is told the mean of its metric (a point whose seeds all failed: FAIL)."""

    adaptive = True

    def __init__(self, spec):
        try:
            import optuna
        except ImportError:
            raise ImportError("method = \"optuna\" needs optuna: pip install 'chainrule[sweep]' (or: pip install "
                              "optuna)") from None
        self.optuna, self.spec = optuna, spec
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.study = optuna.create_study(direction="maximize" if spec.direction == "max" else "minimize",
                                         sampler=self._sampler(spec.sampler, spec.sampler_seed))
        d = optuna.distributions
        self.dists = {}
        for name, dim in spec.space.items():
            if dim.kind == "choice":  # lists (hidden = [64, 64]) are not Optuna choices: their JSON text is
                self.dists[name] = d.CategoricalDistribution([json.dumps(v) for v in dim.values])
            elif dim.kind in ("uniform", "log_uniform"):
                self.dists[name] = d.FloatDistribution(dim.low, dim.high, log=dim.kind == "log_uniform")
            else:
                self.dists[name] = d.IntDistribution(int(dim.low), int(dim.high), log=dim.kind == "log_int")
        self.planned, self.todo, self.next_point = [], deque(), 0
        self.points = {}  # point -> {"trial": optuna trial, "params", "values": {seed: value}, "left": n}

    def _sampler(self, name, seed):
        s = self.optuna.samplers
        try:
            return {"tpe": lambda: s.TPESampler(seed=seed), "random": lambda: s.RandomSampler(seed=seed),
                    "qmc": lambda: s.QMCSampler(seed=seed), "cmaes": lambda: s.CmaEsSampler(seed=seed),
                    "gp": lambda: s.GPSampler(seed=seed)}[name]()
        except ImportError as e:
            raise ImportError(f"optuna's {name} sampler needs another package: {e}") from None

    def _decode(self, params):
        return {k: json.loads(v) if self.spec.space[k].kind == "choice" else v for k, v in params.items()}

    def _encode(self, params):
        return {k: json.dumps(v) if self.spec.space[k].kind == "choice" else v for k, v in params.items()}

    def restore(self, done, planned=()):
        """``done``: ``{key: (point, params, value or None)}`` of finished trials; ``planned``: every trial
        already in the store (points asked before the stop: their missing seeds run again)."""
        by_point = {}
        for t in planned:
            by_point.setdefault(t["point"], {"params": t["params"], "seeds": {}})["seeds"][t["seed"]] = (
                done[t["key"]][2] if t["key"] in done else "todo")
        for point in sorted(by_point):
            info = by_point[point]
            values = [v for v in info["seeds"].values() if v != "todo"]
            if len(values) == len(self.spec.seeds):  # a finished point: the study learns it, nothing to run
                finite = [v for v in values if v is not None]
                state = self.optuna.trial.TrialState.COMPLETE if finite else self.optuna.trial.TrialState.FAIL
                self.study.add_trial(self.optuna.trial.create_trial(
                    params=self._encode(info["params"]), distributions=self.dists, state=state,
                    value=sum(finite) / len(finite) if finite else None))
            else:
                self.study.enqueue_trial(self._encode(info["params"]))
                self._ask(point, {s: v for s, v in info["seeds"].items() if v != "todo"})
        self.next_point = max(by_point, default=-1) + 1

    def _ask(self, point, values=None):
        trial = self.study.ask(self.dists)
        params = self._decode(trial.params)
        values = values or {}
        new = [t for t in _trials(point, params, self.spec.seeds) if t["seed"] not in values]
        self.points[point] = {"trial": trial, "values": dict(values), "left": len(new)}
        self.planned += new
        self.todo.extend(new)
        return new

    def next_trial(self):
        if not self.todo and self.next_point < self.spec.trials:
            self._ask(self.next_point)
            self.next_point += 1
        return self.todo.popleft() if self.todo else None

    def report(self, trial, value):
        info = self.points[trial["point"]]
        info["values"][trial["seed"]] = value
        info["left"] -= 1
        if info["left"] == 0:
            finite = [v for v in info["values"].values() if v is not None and math.isfinite(v)]
            if finite:
                self.study.tell(info["trial"], sum(finite) / len(finite))
            else:
                self.study.tell(info["trial"], state=self.optuna.trial.TrialState.FAIL)


def make_search(spec):
    return OptunaSearch(spec) if spec.method == "optuna" else PlannedSearch(spec)
