"""A sweep's trial: one ``chainrule train`` run, on whichever worker got it.

``train_trial({"config": resolved_train_config, "plots": false})`` trains exactly as ``chainrule train``
does (the same code, the same run folder) and returns plain data: the summary (final train/val/test
metrics), every epoch's logs, and the run folder. A run whose loss became NaN/Inf returns its error and
the epochs it completed (a learning rate that diverges is a result of the sweep, not a crash).
"""

from __future__ import annotations

import io
import os
import shutil

from ..train.callbacks import Callback, DivergenceError
from ..train.config import resolve
from ..train.run import train_run

__all__ = ["train_trial", "TRIAL_FUNCTION"]

TRIAL_FUNCTION = "chainrule.sweeps.trial:train_trial"


class _Epochs(Callback):
    def __init__(self):
        self.rows = []

    def on_epoch_end(self, epoch, logs):
        self.rows.append({"epoch": int(epoch), **logs})


def train_trial(payload):
    """Train one trial; ``payload``: ``{"config": {...}, "plots": bool}``. Returns
    ``{"summary": ..., "epochs": [...], "dir": ...}`` or ``{"error": ..., "epochs": [...], "dir": ...}``."""
    cfg = resolve(payload["config"], source="the trial's config")  # checked again where it runs
    out = cfg["out"]
    if out and os.path.exists(os.path.join(out, "config.json")):
        shutil.rmtree(out)  # what an earlier attempt (a killed worker) left: start clean
    epochs, log = _Epochs(), io.StringIO()
    try:
        summary, run_dir = train_run(cfg, stream=log, callbacks=[epochs], plots=bool(payload.get("plots")))
    except DivergenceError as e:
        return {"error": f"DivergenceError: {e}", "epochs": epochs.rows, "dir": out}
    return {"summary": summary, "epochs": epochs.rows, "dir": run_dir}
