"""``chainrule.sweep(...)``: a sweep from Python, with the same options as ``chainrule sweep``."""

from __future__ import annotations

import os

from .spec import SweepSpec, make_spec, read_spec

__all__ = ["sweep", "SweepResult"]


class SweepResult:
    """A sweep in the store: ``id``, ``runs()`` (its trials), ``table()`` (points, best first), ``best``."""

    def __init__(self, sweep_id, store, spec):
        self.id, self.store, self.spec = sweep_id, store, spec

    def runs(self):
        return self.store.runs(sweep=self.id)

    def table(self, metric=None):
        """``CompareTable`` of the sweep's points: mean ± sd of each metric over seeds, best first."""
        from ..runstore.compare import compare_table

        return compare_table(self.runs(), metric=metric or self.spec.metric, params=list(self.spec.space))

    @property
    def best(self):
        """The best point's row: its swept values, ``n`` seeds, the metric's mean and ``<metric>_sd``."""
        rows = self.table().rows
        return rows[0] if rows and rows[0][self.spec.metric] is not None else None

    def __repr__(self):
        return f"SweepResult({self.id!r}, {len(self.runs())} trials, store={self.store.path!r})"


def sweep(config=None, *, train=None, space=None, workers=None, scheduler=None, dask_local=None, executor=None,
          store=None, resume=False, stream=None, **options):
    """Run a sweep and return its ``SweepResult``.

    ``config``: a sweep TOML file (or a ``SweepSpec``); otherwise ``train`` (the base ``chainrule train``
    config) and ``space`` (``{option: [values]}`` or distributions) with ``options``: name, method, seeds,
    trials, metric, direction, retries, sampler, seed, out, plots (see ``chainrule.sweeps.spec``).
    Where: ``workers`` local processes (default one per CPU; 0 = this process), or a Dask cluster at
    ``scheduler`` ("tcp://host:port"), or ``dask_local=N`` workers started here; or an ``executor``.
    ``store``: the run store (a path or ``RunStore``; default ``$CHAINRULE_STORE`` or runs/runs.db).
    ``resume``: True (the latest unfinished sweep of this spec) or a sweep id.

    Processes are started with ``spawn``: a script that calls ``sweep`` runs it under
    ``if __name__ == "__main__":``.
    """
    from ..runstore.store import RunStore, open_store
    from .executors import make_executor
    from .runner import run_sweep

    if isinstance(config, SweepSpec):
        spec = config
    elif config is not None:
        spec = read_spec(os.fspath(config), **options)
    elif resume and resume is not True and train is None and space is None:
        spec = None  # resume a sweep by id: its spec is in the store
    else:
        spec = make_spec(train, space, **options)
    db = store if isinstance(store, RunStore) else open_store(store)
    if db is None:
        raise ValueError("a sweep records its trials in the run store; it is switched off (CHAINRULE_STORE=off): "
                         "give store=PATH")
    own = executor is None
    executor = executor or make_executor(workers=workers, scheduler=scheduler, dask_local=dask_local)
    try:
        sweep_id = run_sweep(spec, db, executor, resume=resume, stream=stream)
    finally:
        if own:
            executor.close()
    return SweepResult(sweep_id, db, SweepSpec.from_json(db.sweep(sweep_id)["spec"]))
