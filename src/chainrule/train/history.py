"""``History``: what ``fit`` returns — one row per epoch of losses, metrics, learning rate and wall time.

Keys follow Keras: ``loss`` and each metric (``accuracy``, ``rmse``, ...) on the training batches as they
were seen during the epoch (so with dropout active), ``val_loss``/``val_<metric>`` on the validation data
after the epoch (eval mode), ``lr`` (the first parameter group's learning rate during the epoch) and
``time`` (seconds the epoch took, validation included).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import KeysView
from typing import Any

__all__ = ["History", "metric_mode"]


def metric_mode(key):
    """``"min"`` for losses and errors, ``"max"`` for accuracy-like metrics (by the key's name)."""
    base = key[4:] if key.startswith("val_") else key
    return "max" if base in ("accuracy", "acc", "r2") else "min"


class History:
    """Per-epoch logs: ``history["val_loss"]`` is a list with one value per epoch; ``epoch`` the epoch
    numbers (1-based). ``stop_reason`` says why training ended early (None if it ran all epochs)."""

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None

    def append(self, epoch, logs) -> None:
        n = len(self.epoch)
        for key in logs:
            if key not in self.history:
                self.history[key] = [math.nan] * n  # a key that appears late (e.g. after a resume)
        for key, values in self.history.items():
            values.append(float(logs.get(key, math.nan)))
        self.epoch.append(int(epoch))

    def __getitem__(self, key) -> list[float]:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no {key!r} in the history; it has: {', '.join(self.history) or 'nothing yet'}") from None

    def __contains__(self, key) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def keys(self) -> KeysView[str]:
        return self.history.keys()

    def last(self) -> dict[str, float]:
        """The last epoch's logs as a dict (empty before the first epoch)."""
        return {k: v[-1] for k, v in self.history.items()} if self.epoch else {}

    def best(self, monitor="val_loss", mode="auto") -> tuple[int, float]:
        """``(epoch, value)`` of the best value of ``monitor`` (NaNs skipped)."""
        mode = metric_mode(monitor) if mode == "auto" else mode
        pairs = [(e, v) for e, v in zip(self.epoch, self[monitor]) if not math.isnan(v)]
        if not pairs:
            raise ValueError(f"history has no finite {monitor!r} value yet")
        return (min if mode == "min" else max)(pairs, key=lambda ev: ev[1])

    # ----------------------------------------------------------------------------- serialisation
    def state_dict(self) -> dict[str, Any]:
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()},
                "stop_reason": self.stop_reason}

    def load_state_dict(self, state) -> None:
        self.epoch = [int(e) for e in state["epoch"]]
        self.history = {k: [float(x) for x in v] for k, v in state["history"].items()}
        self.stop_reason = state.get("stop_reason")

    def to_csv(self, path=None) -> None:
        """Write ``epoch,<keys...>`` rows (values with full float precision, ``repr``) to ``path``
        atomically; returns the CSV text. ``path=None`` only returns it."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        keys = list(self.history)
        w.writerow(["epoch", *keys])
        for i, e in enumerate(self.epoch):
            w.writerow([e, *(repr(self.history[k][i]) for k in keys)])
        text = buf.getvalue()
        if path is not None:
            atomic_write_text(path, text)
        return text

    @classmethod
    def from_csv(cls, path) -> History:
        h = cls()
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if not rows or rows[0][:1] != ["epoch"]:
            raise ValueError(f"{path}: not a history CSV (expected a header starting with 'epoch')")
        keys = rows[0][1:]
        for r in rows[1:]:
            h.append(int(r[0]), {k: float(v) for k, v in zip(keys, r[1:])})
        return h

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v:.4g}" for k, v in self.last().items())
        return f"History({len(self)} epochs{': ' + last if last else ''})"

    def _repr_html_(self) -> str:
        """In Jupyter: the last epoch's numbers, the best validation epoch and the learning curves inline
        (a PNG in the page; just the numbers without matplotlib)."""
        import base64
        import html

        from .. import plotting

        if not self.epoch:
            return "<p><b>History</b>: no epoch yet</p>"
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v:.4g}</td></tr>" for k, v in self.last().items()
                       if k != "time")
        best = ""
        for monitor in ("val_loss", "loss"):
            if monitor in self and not all(math.isnan(v) for v in self[monitor]):
                e, v = self.best(monitor)
                best = f"; best {monitor} {v:.4g} at epoch {e}"
                break
        stop = f"; stopped: {html.escape(self.stop_reason)}" if self.stop_reason else ""
        head = f"<p><b>History</b>: {len(self)} epochs{best}{stop}</p>"
        table = f"<table><tr><th>last epoch ({self.epoch[-1]})</th><th></th></tr>{rows}</table>"
        if not plotting.have_matplotlib():
            return head + table
        from .plots import learning_curves

        png = base64.b64encode(plotting.png_bytes(learning_curves(self), dpi=80)).decode("ascii")
        img = f'<img alt="learning curves" src="data:image/png;base64,{png}"/>'
        return f'{head}<div style="display:flex;gap:1em;align-items:flex-start">{table}{img}</div>'


def atomic_write_text(path, text):
    """Write to a temporary file next to ``path``, then rename: a reader never sees half a file."""
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
