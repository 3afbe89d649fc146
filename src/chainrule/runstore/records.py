"""A run as one flat row of columns, and the filters and sorts ``chainrule runs ls`` applies to rows.

    flatten(run)   {"id": 7, "status": "finished", "lr": 0.01, "activation": "relu", ...config,
                    "val_accuracy": 0.96, "test_loss": 0.12, "epochs_run": 20, ...final metrics}
    parse_where("lr<0.1 and activation=relu")   -> a predicate on rows (names what is wrong if malformed)
    sort_rows(rows, "test_accuracy")            -> best first for a metric, ascending for anything else

The ``--where`` language is deliberately tiny and is evaluated in Python (never spliced into SQL):
``KEY OP VALUE`` joined by ``and``; OP one of ``= == != < <= > >=``; VALUE a number, true/false, null, a
JSON list (``hidden=[64, 64]``) or a word.
"""

from __future__ import annotations

import json
import math
import re

from ..train.history import metric_mode

__all__ = ["flatten", "parse_where", "sort_rows", "metric_direction", "columns_of", "WhereError", "format_value",
           "format_params", "text_table"]

_METRICS = ("loss", "accuracy", "acc", "rmse", "mae", "r2", "mse")  # what train's metrics are called
_PARTS = ("train", "val", "test")
_SKIP_SUMMARY = ("files",)


class WhereError(ValueError):
    """A malformed ``--where`` condition or an unknown column; the message says what is allowed."""


def flatten(run):
    """One row: the run's own columns, then its config, then its final metrics (``val_accuracy``...)."""
    config = run.get("config") or {}
    row = {"id": run["id"], "kind": run["kind"], "sweep": run.get("sweep"), "trial": run.get("trial_key"),
           "status": run["status"]}
    for key, value in config.items():
        if key != "out":
            row.setdefault(key, value)
    if run.get("seed") is not None:
        row["seed"] = run["seed"]
    for key, value in (run.get("summary") or {}).items():
        if key in _SKIP_SUMMARY:
            continue
        if isinstance(value, dict):
            for sub, v in value.items():
                if not isinstance(v, (dict, list)):
                    row[f"{key}_{sub}"] = v
        elif not isinstance(value, list):
            row.setdefault(key, value)
    row.update(attempts=run.get("attempts"), seconds=run.get("seconds"), host=run.get("host"),
               worker=run.get("worker"), dir=run.get("dir"), created=run.get("created"), error=run.get("error"))
    return row


def format_value(v):
    """A value as a table shows it: 0.001, 64,64 (a list), relu, - (missing)."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ",".join(format_value(x) for x in v) or "[]"
    return str(v)


def format_params(params):
    """``lr=0.01 activation=relu``."""
    return " ".join(f"{k}={format_value(v)}" for k, v in params.items()) or "(base config)"


def text_table(head, rows):
    """Aligned plain-text table: a header line, then one line per row (cells already strings)."""
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)] if head else []
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*r).rstrip() for r in [head, *rows])


def columns_of(rows):
    """Every column name some row has, in first-seen order."""
    seen = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def metric_direction(key):
    """``"max"``/``"min"`` for a metric column (``val_accuracy``, ``test_loss``, ``loss``...), else None."""
    base = key
    for part in _PARTS:
        if key.startswith(part + "_"):
            base = key[len(part) + 1:]
    if base not in _METRICS:
        return None
    return metric_mode(base)


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text.strip("'\"")


_COND = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|!=|==|=|<|>)\s*(.*?)\s*$")
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def parse_where(expr, columns=None):
    """A predicate ``row -> bool`` for ``expr``; ``columns`` (if given) are the names that may be used."""
    conds = []
    for part in re.split(r"\s+and\s+", expr.strip(), flags=re.IGNORECASE):
        m = _COND.match(part)
        if not m or not m.group(3):
            raise WhereError(f"--where {part!r}: expected KEY OP VALUE, e.g. lr<0.1, activation=relu, "
                             f"test_accuracy>=0.9 (OP: = != < <= > >=; join conditions with 'and')")
        key, op, raw = m.groups()
        if columns is not None and key not in columns:
            close = [c for c in columns if key in c or c in key][:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise WhereError(f"--where {part!r}: no column {key!r}{hint}; columns: {', '.join(columns)}")
        value = _value(raw)
        if op in _OPS and not _number(value):
            raise WhereError(f"--where {part!r}: {op} compares numbers, got {raw!r}")
        conds.append((key, op, value))

    def predicate(row):
        for key, op, value in conds:
            have = row.get(key)
            if op in ("=", "=="):
                ok = have == value or (isinstance(value, str) and str(have) == value)
            elif op == "!=":
                ok = not (have == value or (isinstance(value, str) and str(have) == value))
            else:
                ok = _number(have) and _OPS[op](have, value)
            if not ok:
                return False
        return True

    return predicate


def sort_rows(rows, key, reverse=False):
    """Rows sorted by ``key``: best first for a metric (``metric_direction``), ascending otherwise; rows
    without a value (a failed run's metrics) go last either way."""
    descending = metric_direction(key) == "max"
    if reverse:
        descending = not descending
    have = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]

    def order(row):
        v = row[key]
        return (0, v, "") if _number(v) else (1, 0, json.dumps(v, sort_keys=True) if not isinstance(v, str) else v)

    return sorted(have, key=order, reverse=descending) + missing
