"""Module-level trial functions for the map_trials tests: other processes import them by name."""

import os
from pathlib import Path


def square(config):
    return {"y": config["x"] ** 2, "seed": config.get("seed"), "pid": os.getpid()}


def fails_on_two(config):
    if config["x"] == 2:
        raise ValueError("x=2 is not allowed here")
    return {"y": config["x"]}


def dies_once(config):
    """Kills its own worker process the first time (as the OOM killer would), then succeeds."""
    marker = Path(config["marker"])
    if not marker.exists():
        marker.touch()
        os._exit(3)
    return {"ok": True}


def always_dies(config):
    os._exit(4)
