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

The loop is the sweep executor's ``chainrule.sweeps.map_trials``: with ``executor=None`` the trials run here,
one after another (live mode); the full mode passes local worker processes or a Dask cluster
(``chainrule.sweeps.make_executor``). Either way every config and result goes through JSON, so a lab cannot
depend on where its trials ran.
"""

from __future__ import annotations

import functools

import numpy as np

import chainrule as cr

__all__ = ["trial", "seeded", "map_seeds", "make_executor"]


def make_executor(workers=None, scheduler=None, dask_local=None):
    """Where the full mode's trials run (``chainrule.sweeps.make_executor``): ``workers`` local processes
    (None: one per CPU; 0: this process), or a Dask cluster (``scheduler`` address, ``dask_local`` workers)."""
    from ..sweeps import make_executor as sweeps_executor

    return sweeps_executor(workers=workers, scheduler=scheduler, dask_local=dask_local)


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


def map_seeds(fn, configs, seeds, executor=None) -> list[list[dict]]:
    """``[[fn({**config, "seed": s}) for s in seeds] for config in configs]``, on ``executor`` (None: here)."""
    from ..sweeps import map_trials

    configs, seeds = list(configs), [int(s) for s in seeds]
    flat = map_trials(fn, configs, seeds=seeds, executor=executor)
    k = len(seeds)
    return [flat[i * k:(i + 1) * k] for i in range(len(configs))]
