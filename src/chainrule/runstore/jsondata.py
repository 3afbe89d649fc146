"""What the run store keeps, as plain JSON: the helpers every table shares."""

from __future__ import annotations

import json
import math

STATUSES = ("pending", "running", "finished", "failed", "interrupted")
DONE = ("finished", "failed")  # a trial in one of these is never run again by a resumed sweep


class StoreError(RuntimeError):
    """The store file cannot be used (not a database, made by a newer chainrule, an unknown run...)."""


def plain(value):
    """``value`` as plain JSON data: NumPy scalars → numbers, tuples → lists, NaN/±inf → None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()  # a NumPy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    raise TypeError(f"{type(value).__name__} is not JSON data (expected numbers, strings, lists, dicts)")


def dumps(value, what):
    """JSON text of ``value`` (made plain first); ``StoreError`` naming ``what`` if it cannot be."""
    try:
        return json.dumps(plain(value), allow_nan=False)  # key order kept: a sweep's options stay in order
    except TypeError as e:
        raise StoreError(f"{what}: {e}") from None


def loads(text):
    return None if text is None else json.loads(text)
