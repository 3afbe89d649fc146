"""Comparing runs: group them by the values that differ (a sweep's swept options), with the mean and the
spread of each metric over the seeds of a group.

    table = compare_table(runs, metric="val_accuracy")
    table.params    ["lr", "activation"]
    table.rows      [{"lr": 0.01, "activation": "relu", "n": 3, "failed": 0, "run_ids": [4, 5, 6],
                      "val_accuracy": 0.963, "val_accuracy_sd": 0.005, "test_accuracy": ..., ...}, ...]  best first

The spread is the sample standard deviation over seeds (0 for a single seed). A failed run counts in
``failed`` and in no mean. ``compare_plots.py`` draws from exactly these numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .records import flatten, metric_direction

__all__ = ["compare_table", "CompareTable", "swept_params", "mean_sd"]

NOT_PARAMS = ("seed", "out")  # differ between runs without being what is compared


def mean_sd(values):
    """(mean, sample standard deviation) of the finite values; (None, None) if there are none."""
    vals = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not vals:
        return None, None
    mean = sum(vals) / len(vals)
    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
    return mean, sd


def _key(value):
    return json.dumps(value, sort_keys=True)


def swept_params(runs):
    """The names that tell the runs apart: a sweep's swept options, else the config keys that differ."""
    names = {}
    for run in runs:
        names.update(dict.fromkeys(run.get("params") or {}))
    if names:
        return list(names)
    configs = [run.get("config") or {} for run in runs]
    keys = {}
    for c in configs:
        keys.update(dict.fromkeys(c))
    return [k for k in keys if k not in NOT_PARAMS and len({_key(c.get(k)) for c in configs}) > 1]


def _params_of(run, params):
    own = run.get("params") or {}
    config = run.get("config") or {}
    return {p: own[p] if p in own else config.get(p) for p in params}


@dataclass
class CompareTable:
    metric: str
    params: list
    metrics: list
    rows: list = field(default_factory=list)
    levels: dict = field(default_factory=dict)  # param -> its values, in the order the runs have them

    def to_json(self):
        return {"metric": self.metric, "params": self.params, "metrics": self.metrics, "rows": self.rows,
                "levels": self.levels}

    def shown_metrics(self):
        """The table's metric and its counterpart on the other split (val_accuracy → test_accuracy)."""
        part, _, name = self.metric.partition("_")
        other = f"{'test' if part != 'test' else 'val'}_{name}"
        return [self.metric] + ([other] if other in self.metrics else [])

    def text(self, limit=None, metrics=None):
        """The table as aligned text: params, n, then ``mean ± sd`` of ``metrics`` (default: the metric
        and its counterpart; the CSV and JSON have them all)."""
        from .records import format_value, text_table

        metrics = metrics or self.shown_metrics()
        head = [*self.params, "n", *metrics]
        lines = []
        for row in self.rows[:limit]:
            cells = [format_value(row[p]) for p in self.params]
            cells.append(f"{row['n']}" + (f" ({row['failed']} failed)" if row["failed"] else ""))
            for m in metrics:
                mean, sd = row.get(m), row.get(m + "_sd")
                cells.append("-" if mean is None else f"{mean:.4f} ± {sd:.4f}" if row["n"] > 1 else f"{mean:.4f}")
            lines.append(cells)
        return text_table(head, lines)


def _metric_columns(flat_rows, metric):
    """The metric first, then the other final metrics the runs have (val before test, losses last)."""
    have = {}
    for r in flat_rows:
        have.update(dict.fromkeys(k for k, v in r.items() if metric_direction(k) and isinstance(v, (int, float))))
    order = [metric] + [k for part in ("val", "test", "train") for k in have if k.startswith(part + "_")]
    return list(dict.fromkeys(m for m in order if m in have or m == metric))


def compare_table(runs, metric=None, params=None):
    """Group ``runs`` (store records) by ``params`` (default: ``swept_params``); best first by ``metric``
    (default: val_accuracy, else val_loss)."""
    if not runs:
        raise ValueError("no runs to compare")
    params = list(params) if params is not None else swept_params(runs)
    flat = [flatten(r) for r in runs]
    if metric is None:
        metric = "val_accuracy" if any("val_accuracy" in r for r in flat) else "val_loss"
    if metric_direction(metric) is None:
        raise ValueError(f"metric {metric!r}: expected a final metric such as val_accuracy, test_accuracy, val_loss, "
                         f"test_rmse")
    metrics = _metric_columns(flat, metric)
    groups, levels = {}, {p: {} for p in params}
    for run, row in zip(runs, flat):
        values = _params_of(run, params)
        for p in params:
            levels[p].setdefault(_key(values[p]), values[p])
        g = groups.setdefault(tuple(_key(values[p]) for p in params), {"values": values, "runs": []})
        g["runs"].append((run, row))
    out = []
    for g in groups.values():
        ok = [(run, row) for run, row in g["runs"] if run["status"] == "finished"]
        entry = {**g["values"], "n": len(ok), "failed": sum(run["status"] == "failed" for run, _ in g["runs"]),
                 "run_ids": [run["id"] for run, _ in g["runs"]], "seeds": [row.get("seed") for _, row in ok]}
        for m in metrics:
            entry[m], entry[m + "_sd"] = mean_sd(row.get(m) for _, row in ok)
        out.append(entry)
    sign = -1 if metric_direction(metric) == "max" else 1
    out.sort(key=lambda e: (e[metric] is None, sign * (e[metric] or 0.0)))
    return CompareTable(metric=metric, params=params, metrics=metrics, rows=out,
                        levels={p: list(v.values()) for p, v in levels.items()})
