"""A sweep's specification: a base ``chainrule train`` config, a search space, seeds, a metric — read
from a TOML file or given in Python, and checked before any trial starts.

    [sweep]
    name = "lr-activation"       # the sweep id is NAME-<date>-<time>
    method = "grid"              # grid | random | optuna
    seeds = 3                    # repeats of every point (seeds 0, 1, 2), or a list: seeds = [0, 7]
    trials = 20                  # random / optuna: how many points to draw (the budget)
    metric = "val_accuracy"      # what "best" means (default val_accuracy, or val_loss for regression)
    direction = "max"            # default: max for accuracy/r2, min for losses and errors
    retries = 2                  # extra attempts of a trial whose worker died
    sampler = "tpe"              # optuna: tpe | random | qmc | cmaes | gp
    seed = 0                     # of the random / optuna sampler
    out = "runs/sweeps"          # the trials' run folders go to OUT/<sweep id>/<trial>/
    plots = false                # per-trial PNGs (chainrule runs compare draws the sweep's)

    [train]                      # any chainrule train option (as in chainrule train --config)
    epochs = 20

    [space]                      # any chainrule train option: a list of values, or a distribution
    lr = [0.001, 0.01, 0.1]
    activation = ["relu", "tanh"]
    hidden = [[64], [128, 128]]              # list-valued options: a list of lists
    weight_decay = { log_uniform = [1e-5, 1e-2] }   # random/optuna: uniform, log_uniform, int, log_int
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field

from ..train.config import DEFAULTS, ConfigError, check_value, load_toml, resolve

__all__ = ["SweepSpec", "Dimension", "SpecError", "read_spec", "make_spec", "METHODS", "SAMPLERS"]

METHODS = ("grid", "random", "optuna")
SAMPLERS = ("tpe", "random", "qmc", "cmaes", "gp")
DISTRIBUTIONS = ("uniform", "log_uniform", "int", "log_int")
SWEEP_KEYS = ("name", "method", "seeds", "trials", "metric", "direction", "retries", "sampler", "seed", "out",
              "plots")
NOT_SWEPT = ("out", "seed")  # the sweep places each trial's folder and sets its seed


class SpecError(ConfigError):
    """A bad sweep specification; the message names the field, the value and what is allowed."""


@dataclass
class Dimension:
    """One swept option: ``kind`` "choice" (``values``) or a distribution over ``[low, high]``."""

    name: str
    kind: str
    values: list | None = None
    low: float | None = None
    high: float | None = None

    def describe(self):
        if self.kind == "choice":
            return f"{self.name} ({len(self.values)})"
        return f"{self.name} ~ {self.kind}[{self.low:g}, {self.high:g}]"


@dataclass
class SweepSpec:
    name: str
    method: str
    base: dict
    space: dict  # name -> Dimension, in the file's order
    seeds: list
    trials: int | None = None
    metric: str = "val_accuracy"
    direction: str = "max"
    retries: int = 2
    sampler: str = "tpe"
    sampler_seed: int = 0
    out: str = os.path.join("runs", "sweeps")
    plots: bool = False
    source: str = "the sweep"  # where it came from, for messages
    task: str | None = field(default=None, repr=False)

    def to_json(self):
        d = asdict(self)
        d["space"] = {k: asdict(v) for k, v in self.space.items()}
        return d

    @classmethod
    def from_json(cls, d):
        d = dict(d)
        d["space"] = {k: Dimension(**v) for k, v in d["space"].items()}
        return cls(**d)

    def hash(self):
        """What identifies the trials: a resumed sweep must have the same (retries, out... may change)."""
        d = self.to_json()
        keep = {k: d[k] for k in ("method", "base", "space", "seeds", "trials", "metric", "direction", "sampler",
                                  "sampler_seed")}
        return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def n_points(self):
        if self.method == "grid":
            return math.prod(len(d.values) for d in self.space.values())
        return self.trials

    @property
    def n_trials(self):
        return self.n_points * len(self.seeds)

    def describe(self):
        dims = " × ".join(d.describe() for d in self.space.values()) or "the base config"
        how = {"grid": "grid over", "random": f"random search ({self.trials} points) over",
               "optuna": f"optuna {self.sampler} ({self.trials} points) over"}[self.method]
        seeds = f"{len(self.seeds)} seed{'s' * (len(self.seeds) != 1)}"
        return (f"{how} {dims}, {seeds} = {self.n_trials} trials; metric {self.metric} "
                f"({self.direction})")

    def trial_config(self, params, seed, out=None):
        """The resolved ``chainrule train`` config of one trial (``SpecError`` if the values clash)."""
        values = {**self.base, **params, "seed": seed, "out": out}
        try:
            return resolve(values, source=self.source)
        except ConfigError as e:
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            raise SpecError(f"{self.source}: the trial {shown or '(base config)'}, seed {seed}: {e}") from None


def _task_of(dataset):
    from ..data.datasets import MULTICLASS, PLAYGROUND, REAL

    if dataset in MULTICLASS:
        return "classification"
    return {**PLAYGROUND, **REAL}.get(dataset, (None, None))[1]


def _metrics(task):
    names = {"classification": ["loss", "accuracy"], "regression": ["loss", "rmse", "r2"],
             None: ["loss", "accuracy", "rmse", "r2"]}[task]
    return [f"{part}_{m}" for part in ("val", "test", "train") for m in names]


def _dimension(key, value, source):
    where = f"{key} (in {source}'s [space])"
    if isinstance(value, list):
        if not value:
            raise SpecError(f"{where}: an empty list; give the values to try, e.g. {key} = [0.001, 0.01]")
        return Dimension(key, "choice", values=list(value))
    if isinstance(value, dict) and len(value) == 1:
        (kind, bounds), = value.items()
        if kind == "choice":
            return _dimension(key, bounds, source)
        if kind in DISTRIBUTIONS:
            ok = (isinstance(bounds, list) and len(bounds) == 2
                  and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
                  and bounds[0] < bounds[1] and (not kind.startswith("log") or bounds[0] > 0)
                  and (not kind.endswith("int") or all(float(b).is_integer() for b in bounds)))
            if not ok:
                need = "two integers" if kind.endswith("int") else "two numbers"
                need += " low < high" + (", low > 0" if kind.startswith("log") else "")
                raise SpecError(f"{where}: {kind} needs [low, high] ({need}), got {bounds!r}")
            lo, hi = bounds
            return Dimension(key, kind, low=int(lo) if kind.endswith("int") else float(lo),
                             high=int(hi) if kind.endswith("int") else float(hi))
    raise SpecError(f"{where}: expected a list of values to try (e.g. {key} = [0.01, 0.1]) or one distribution "
                    f"table ({{ {' | '.join(DISTRIBUTIONS)} = [low, high] }}), got {value!r}")


def _int(value, where, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SpecError(f"{where}: expected an integer >= {low}, got {value!r}")
    return value


def make_spec(train=None, space=None, *, name=None, method="grid", seeds=1, trials=None, metric=None,
              direction=None, retries=2, sampler="tpe", seed=0, out=None, plots=False, source=None):
    """A checked ``SweepSpec`` (the Python form of the TOML file; see the module docstring)."""
    source = source or "the sweep"
    base = {k.replace("-", "_"): v for k, v in (train or {}).items()}
    raw_space = {k.replace("-", "_"): v for k, v in (space or {}).items()}
    for table, keys in (("[train]", base), ("[space]", raw_space)):
        for key in keys:
            if key not in DEFAULTS:
                raise SpecError(f"{key} (in {source}'s {table}): not a chainrule train option; allowed: "
                                f"{', '.join(k for k in DEFAULTS if k not in NOT_SWEPT)}")
            if key in NOT_SWEPT:
                why = ("the sweep sets each trial's seed: use seeds = N (or a list) in [sweep]" if key == "seed"
                       else "the sweep places each trial's run folder: use out = DIR in [sweep]")
                raise SpecError(f"{key} (in {source}'s {table}): {why}")
    both = sorted(set(base) & set(raw_space))
    if both:
        raise SpecError(f"{source}: {', '.join(both)} in both [train] and [space]; keep each option in one")
    if name is not None and (not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name)):
        raise SpecError(f"name (in {source}): {name!r}; expected letters, digits, '_', '.', '-' (it names the "
                        f"sweep's id and folder)")
    if method not in METHODS:
        raise SpecError(f"method (in {source}): {method!r}; allowed: {', '.join(METHODS)}")
    dims = {k: _dimension(k, v, source) for k, v in raw_space.items()}
    if method == "grid":
        dist = [d.name for d in dims.values() if d.kind != "choice"]
        if dist:
            raise SpecError(f"{', '.join(dist)} (in {source}'s [space]): a grid needs a list of values; a "
                            f"distribution needs method = \"random\" or \"optuna\" (with trials = N)")
        if trials is not None:
            raise SpecError(f"trials (in {source}): a grid runs every combination; trials = N is the budget of "
                            f"method = \"random\" or \"optuna\"")
    elif trials is None:
        raise SpecError(f"{source}: method = \"{method}\" needs trials = N (how many points to draw)")
    else:
        _int(trials, f"trials (in {source})", 1)
    if method == "optuna" and sampler not in SAMPLERS:
        raise SpecError(f"sampler (in {source}): {sampler!r}; allowed: {', '.join(SAMPLERS)}")
    if isinstance(seeds, list):
        if not seeds or len(set(seeds)) != len(seeds):
            raise SpecError(f"seeds (in {source}): expected distinct seeds, got {seeds!r}")
        seed_list = [_int(s, f"seeds (in {source})", 0) for s in seeds]
    else:
        seed_list = list(range(_int(seeds, f"seeds (in {source})", 1)))
    task = _task_of(base.get("dataset", DEFAULTS["dataset"])) if "dataset" not in raw_space else None
    metric = metric or ("val_loss" if task == "regression" else "val_accuracy")
    if metric not in _metrics(task):
        raise SpecError(f"metric (in {source}): {metric!r}; allowed: {', '.join(_metrics(task))}")
    from ..runstore.records import metric_direction

    direction = direction or metric_direction(metric)
    if direction not in ("max", "min"):
        raise SpecError(f"direction (in {source}): {direction!r}; allowed: max, min")
    if not isinstance(plots, bool):
        raise SpecError(f"plots (in {source}): expected true or false, got {plots!r}")
    spec = SweepSpec(name=name or "sweep", method=method, base=base, space=dims, seeds=seed_list, trials=trials,
                     metric=metric, direction=direction, retries=_int(retries, f"retries (in {source})", 0),
                     sampler=sampler, sampler_seed=_int(seed, f"seed (in {source})", 0),
                     out=out or os.path.join("runs", "sweeps"), plots=plots, source=source, task=task)
    _check_values(spec)
    return spec


def _check_values(spec):
    """Every value of the space must be a valid ``chainrule train`` value (combinations are checked when
    the trials are planned, before any runs)."""
    for dim in spec.space.values():
        values = dim.values if dim.kind == "choice" else [dim.low, dim.high]
        for v in values:
            check_value(dim.name, v, source=f"{spec.source}'s [space]")  # a ConfigError names the option


def read_spec(path, **overrides):
    """The ``SweepSpec`` of a TOML file (``[sweep]``, ``[train]``, ``[space]``); ``overrides`` win."""
    try:
        data = load_toml(path, flag="sweep file")
    except ConfigError as e:
        raise SpecError(str(e)) from None
    unknown = [k for k in data if k not in ("sweep", "train", "space")]
    if unknown:
        raise SpecError(f"{path}: unexpected {', '.join(map(repr, unknown))}; a sweep file has the tables [sweep], "
                        f"[train] (the base config) and [space] (what to vary)")
    sweep = dict(data.get("sweep", {}))
    bad = [k for k in sweep if k not in SWEEP_KEYS]
    if bad:
        raise SpecError(f"{path} [sweep]: unknown key {bad[0]!r}; allowed: {', '.join(SWEEP_KEYS)}")
    for k, v in data.get("train", {}).items():
        if isinstance(v, dict):
            raise SpecError(f"{path} [train]: unexpected table {k!r}; the keys are flat, e.g. lr = 0.01")
    sweep.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    sweep.update({k: v for k, v in overrides.items() if v is not None})
    return make_spec(data.get("train"), data.get("space"), source=path, **sweep)
