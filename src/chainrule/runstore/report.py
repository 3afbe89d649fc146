"""``chainrule runs compare``'s output folder: the table (text, CSV, JSON with every number plotted) and
the plots (learning curves, the metric against each swept option, a heatmap for two options)."""

from __future__ import annotations

import csv
import io
import json
import os

from ..train.history import atomic_write_text
from .compare import compare_table
from .jsondata import plain

__all__ = ["write_comparison", "csv_text"]


def csv_text(head, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for row in rows:
        w.writerow(["" if v is None else json.dumps(v) if isinstance(v, (list, dict)) else v for v in row])
    return buf.getvalue()


def _curve_key(metric, epochs_by_run):
    """The per-epoch counterpart of a final metric: val_accuracy → val_accuracy, test_loss → val_loss."""
    name = metric.split("_", 1)[1] if metric.startswith(("train_", "val_", "test_")) else metric
    have = {k for rows in epochs_by_run.values() for e in rows for k in e}
    for key in (f"val_{name}", name, "val_loss", "loss"):
        if key in have:
            return key
    return None


def write_comparison(store, runs, out, metric=None, heatmap=None, plots=True, title=None):
    """Write the comparison of ``runs`` into folder ``out``; returns ``(table, {what: path})``.

    ``heatmap``: the two options of the heatmap (default: the first two swept options).
    """
    table = compare_table(runs, metric=metric)
    os.makedirs(out, exist_ok=True)
    files = {}
    head = [*table.params, "n", "failed"] + [c for m in table.metrics for c in (m, m + "_sd")]
    rows = [[r[p] for p in table.params] + [r["n"], r["failed"]] + [r[c] for m in table.metrics
                                                                       for c in (m, m + "_sd")] for r in table.rows]
    files["table.csv"] = os.path.join(out, "table.csv")
    atomic_write_text(files["table.csv"], csv_text(head, rows))
    files["table.txt"] = os.path.join(out, "table.txt")
    atomic_write_text(files["table.txt"], table.text() + "\n")
    numbers = {"table": table.to_json(), "plots": {}}
    if plots:
        from . import compare_plots as cp

        epochs = {r["id"]: store.epochs(r["id"]) for r in runs}
        key = _curve_key(table.metric, epochs)
        prefix = f"{title}: " if title else ""
        if key:
            path = files["curves"] = os.path.join(out, "learning_curves.png")
            cp.curves(table, epochs, key, path, title=f"{prefix}{key} per epoch, every run")
            numbers["plots"]["learning_curves.png"] = {"key": key, "runs": {
                str(i): [[e["epoch"], e.get(key)] for e in rows] for i, rows in epochs.items()}}
        for param in table.params:
            if len({json.dumps(r[param]) for r in table.rows}) > 1:
                name = f"{table.metric}_vs_{param}.png"
                path = files[f"vs {param}"] = os.path.join(out, name)
                cp.versus(table, param, path, title=f"{prefix}{table.metric} vs {param}")
                numbers["plots"][name] = {"param": param, "series": cp._series(table, param, table.metric)}
        readable = [p for p in table.params if len(table.levels.get(p, [])) <= 12]  # not a continuous draw
        pair = heatmap or (readable[:2] if len(readable) >= 2 else None)
        if pair and (len(pair) != 2 or not set(pair) <= set(table.params)):
            raise ValueError(f"--heatmap {','.join(pair)}: expected two of the compared options: "
                             f"{', '.join(table.params) or '(none differ)'}")
        if pair:
            a, b = pair
            name = f"{table.metric}_heatmap_{a}_{b}.png"
            path = files["heatmap"] = os.path.join(out, name)
            cp.heatmap(table, a, b, path, title=f"{prefix}{table.metric}, mean over seeds")
            rv, cv, matrix = cp.heatmap_values(table, a, b)
            numbers["plots"][name] = {"rows": {a: rv}, "columns": {b: cv}, "values": matrix}
    files["compare.json"] = os.path.join(out, "compare.json")
    atomic_write_text(files["compare.json"], json.dumps(plain(numbers), indent=1) + "\n")
    return table, files

