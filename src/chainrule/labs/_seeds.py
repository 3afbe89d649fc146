"""The labs' seed loop: one *trial* per (arm, seed), run here or on the sweep executor.

A trial is a module-level function of a plain dict (its arm's settings plus ``"seed"``) that returns a plain
dict — so it can run in this process or in a worker process (``chainrule.sweeps``: local processes or a Dask
cluster) and give the same numbers either way::

    @trial
    def one_seed(config):                       # in the lab's module
        rng = seeded(config)                    # chainrule's and NumPy's streams from config["seed"]
        ...
        return {"final_loss": loss}

    results = map_seeds(one_seed, [{"act": "relu"}, {"act": "tanh"}], seeds=[0, 1, 2], executor=None)
    results[1][2]                               # tanh, seed 2

With ``executor=None`` the trials run here, one after another (live mode). The full mode passes the sweep
executor (``make_executor``) when ``chainrule.sweeps`` is installed; without it the same loop runs here.
Either way every config and result goes through JSON, so a lab cannot depend on where its trials ran.
"""

from __future__ import annotations

import functools
import json

import numpy as np

import chainrule as cr

__all__ = ["trial", "seeded", "map_seeds", "make_executor", "have_sweeps"]


def have_sweeps() -> bool:
    """Is the sweep executor (``chainrule.sweeps.map_trials``) installed?"""
    try:
        from ..sweeps import map_trials  # noqa: F401
    except ImportError:
        return False
    return True


def make_executor(workers=None):
    """The sweep executor for the full mode: ``workers`` local processes (None: one per CPU), or None when
    ``chainrule.sweeps`` is not installed (then the trials run in this process)."""
    if not have_sweeps():
        return None
    from ..sweeps import make_executor as sweeps_executor

    return sweeps_executor(workers=workers)


def trial(fn):
    """Make ``fn(config) -> dict`` a lab trial: float32 default dtype while it runs (the caller's comes back),
    the global random stream restored after it, the result made plain JSON data."""
    from ._common import _plain

    @functools.wraps(fn)
    def run_trial(config):
        old_dtype = cr.get_default_dtype()
        state = _rng_state()
        try:
            cr.set_default_dtype(cr.float32)
            return _plain(fn(config))
        finally:
            cr.set_default_dtype(old_dtype)
            _set_rng_state(state)

    return run_trial


def seeded(config, offset: int = 0) -> np.random.Generator:
    """Seed chainrule's default generator from ``config["seed"]`` and ``offset`` and return a NumPy generator
    seeded the same way. Arms of one comparison that pass the same offset start from the same weights and draw
    the same batches, so what differs between them is what the arm changes."""
    s = int(config["seed"]) * 1000 + int(offset)
    cr.manual_seed(s)
    return np.random.default_rng(s)


def _rng_state():
    from ..engine.rng import default_generator

    return default_generator.kind, default_generator.initial_seed(), default_generator.get_state()


def _set_rng_state(state):
    from ..engine.rng import default_generator

    kind, seed, st = state
    if default_generator.kind == kind:
        default_generator.manual_seed(seed)
        default_generator.set_state(st)


def _here(fn, config):
    return json.loads(json.dumps(fn(json.loads(json.dumps(config))), allow_nan=False))


def map_seeds(fn, configs, seeds, executor=None) -> list[list[dict]]:
    """``[[fn({**config, "seed": s}) for s in seeds] for config in configs]``, on ``executor`` if given."""
    configs, seeds = list(configs), [int(s) for s in seeds]
    trials = [{**c, "seed": s} for c in configs for s in seeds]
    if executor is None:
        flat = [_here(fn, t) for t in trials]
    else:
        from ..sweeps import map_trials

        flat = map_trials(fn, trials, executor=executor)
    k = len(seeds)
    return [flat[i * k:(i + 1) * k] for i in range(len(configs))]
