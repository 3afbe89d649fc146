"""Writing files atomically: every format chainrule writes (checkpoints, safetensors, ONNX) goes through here.

``atomic_write(path, write)`` lets ``write(fileobj)`` fill a temporary file in the target's directory, then
flushes it, fsyncs it and renames it over ``path`` (and fsyncs the directory where the platform allows).
A reader never sees half a file, and a crash or an exception mid-write leaves the old file as it was and
no temporary file behind. The new file gets the usual permissions (0o666 less the umask).
"""

from __future__ import annotations

import os
import secrets


def atomic_write(path, write, who: str, example: str = "model.pt") -> None:
    """Write ``path`` atomically with ``write(binary_fileobj)``. ``who`` names the caller in error messages
    (e.g. ``"chainrule.save"``); ``example`` is the file name suggested when ``path`` is a directory."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"{who}: cannot write {path!r}: the directory {directory!r} does not exist (create it "
            f"first, e.g. os.makedirs({directory!r}, exist_ok=True))"
        )
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"{who}: {path!r} is a directory; give a file name such as {os.path.join(path, example)!r}"
        )
    fd, tmp = _create_temp(directory, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _create_temp(directory, base):
    """A new temporary file next to the target, created with the permissions ``open(path, "w")`` would give
    (0o666 less the umask; ``tempfile.mkstemp`` makes 0o600 files, which other users could not read)."""
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
