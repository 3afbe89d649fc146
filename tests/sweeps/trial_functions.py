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


def tiny_training(config):
    """A lab-style trial: a seeded 2-4-1 tanh net on XOR for a few SGD steps; returns its losses."""
    import chainrule as cr
    from chainrule import nn, optim

    cr.manual_seed(config["seed"])
    model = nn.Sequential(nn.Linear(2, 4), getattr(nn, config["act"])(), nn.Linear(4, 1))
    opt = optim.SGD(model.parameters(), lr=config["lr"])
    x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])
    losses = []
    for _ in range(config["steps"]):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses}
