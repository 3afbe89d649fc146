"""Sweeps: many ``chainrule train`` runs over a search space, on local processes or a Dask cluster, each
recorded in the run store.

    import chainrule as cr
    result = cr.sweep(train={"epochs": 20, "hidden": [64]},
                      space={"lr": [1e-3, 1e-2, 1e-1], "activation": ["relu", "tanh"]},
                      seeds=3, workers=2)                       # or scheduler="tcp://host:8786"
    result.best            # the best point: its params, mean and spread of the metric over seeds
    result.runs()          # every trial as the store records it

``chainrule sweep CONFIG.toml`` does the same from a file (``spec.py`` documents the format).
``map_trials(fn, configs, seeds=...)`` is the bare executor for code with its own trials (the labs):
a module-level function over plain configs, in this process, local processes or on Dask.

Modules: ``spec`` (the file and its checks), ``space`` (points), ``search`` (grid, random, Optuna),
``executors`` (where trials run), ``worker`` (what runs there), ``trial`` (one training run),
``runner`` (the loop, retries, resume), ``api`` (``sweep``), ``mapping`` (``map_trials``), ``flags``, ``cli``.
"""

import importlib

_WHERE = {"sweep": "api", "SweepResult": "api", "map_trials": "mapping", "TrialError": "mapping",
          "make_executor": "executors", "add_executor_arguments": "flags", "executor_from_args": "flags"}
__all__ = list(_WHERE)


def __getattr__(name):  # imported on first use: `chainrule --help` stays instant
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
