"""Exports: the trained model as a chainrule checkpoint, the data as CSV, and the Python script that
reproduces the run (script.py), replaying what was changed while it trained (replay.py)."""

from __future__ import annotations

import base64
import io

import chainrule as cr

from .protocol import ProtocolError
from .script import script_text


def checkpoint_bytes(model) -> bytes:
    """``chainrule.save(model.state_dict(), ...)`` as bytes (a zip of arrays; no pickle)."""
    buf = io.BytesIO()
    cr.save(model.state_dict(), buf)
    return buf.getvalue()


def data_csv(train, test) -> str:
    lines = ["x1,x2,label,split"]
    lines += [f"{x:.4f},{y:.4f},{t:g},train" for x, y, t in train]
    lines += [f"{x:.4f},{y:.4f},{t:g},test" for x, y, t in test]
    return "\n".join(lines) + "\n"


def session_script(session) -> str:
    """The script for a session's run: from the setup its network was built with, replaying its changes."""
    replay = session.replay
    start = replay.start_cfg
    key = {"classification": "dataset", "regression": "regDataset", "multiclass": "mcDataset"}[start["problem"]]
    points = (session.train_pts, session.test_pts) if start[key] == "custom" else None
    return script_text(start, max(session.epoch, 1), replay.resets, points, replay,
                       shown=(session.train_loss, session.test_loss))


def export_file(session, what: str) -> dict:
    """The ``file`` message for an export request (``notReplayed``: what the script leaves out, in words)."""
    extra = {}
    if what == "checkpoint":
        if not hasattr(cr, "save"):
            raise ProtocolError("exporting a checkpoint needs chainrule.save, which this chainrule lacks", "what")
        data, name, mime = checkpoint_bytes(session.net.model), "playground.crpt", "application/octet-stream"
    elif what == "script":
        data, name, mime = session_script(session).encode(), "playground_run.py", "text/x-python"
        extra = {"notReplayed": list(session.replay.skipped)}
    else:
        data, name, mime = data_csv(session.train_pts, session.test_pts).encode(), "playground_data.csv", "text/csv"
    return {"type": "file", "name": name, "mime": mime, "base64": base64.b64encode(data).decode("ascii"), **extra}
