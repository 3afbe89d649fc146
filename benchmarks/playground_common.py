"""What the playground benchmarks share: the server started through the real command, and how a result file
records the machine it was measured on (the load average too: on a shared machine the numbers move with it)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import chainrule


def start_playground(*args: str):
    """``chainrule playground --no-browser ARGS``; (process, url) once the URL is printed (every worker runs)."""
    here = str(Path(chainrule.__file__).parents[1])  # the server runs the chainrule this process imports
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "playground", "--no-browser", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+/", line)
    if not match:
        proc.kill()
        raise SystemExit(f"`chainrule playground` printed no URL: {line!r}")
    return proc, match.group(0)


def stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "platform": platform.platform()}


def write_results(path: str, result: dict):
    result = {**result, "date": time.strftime("%Y-%m-%d %H:%M")}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
