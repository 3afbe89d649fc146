"""Training checkpoints: everything needed to stop after any epoch and continue bit for bit.

A checkpoint is one ``chainrule.save`` file (no pickle; written atomically by ``chainrule.save``) holding
a dict:

    format      "chainrule.train.checkpoint", version 1
    epoch       the last completed epoch (1-based)
    model       model.state_dict()
    optimizer   optimizer.state_dict()           (None if there was no optimizer)
    scheduler   scheduler.state_dict()           (None if there was no scheduler)
    history     History.state_dict()
    rng         JSON text: the state of chainrule's default generator and of every generator the training
                data draws from (the loader's shuffling, augmentation transforms)
    callbacks   [{"type": class name, "state": callback.state_dict()}, ...] (early-stopping counters ...)

Why the random state: the next epoch's shuffle and dropout masks are drawn from these generators; with
their state restored, a resumed run draws exactly the numbers the uninterrupted run would have drawn.
"""

from __future__ import annotations

import json
import os

import numpy as np

FORMAT = "chainrule.train.checkpoint"
VERSION = 1

__all__ = ["save_checkpoint", "restore_checkpoint", "load_checkpoint", "FORMAT"]


def _generators(loader):
    """The random generators a data loader draws from, in a fixed order: the loader's own, then any
    transform's (following ``.dataset`` through Subsets and ``.transforms`` through Compose)."""
    from ..engine.rng import Generator

    found, seen = [], set()

    def add(g):
        if isinstance(g, (Generator, np.random.Generator)) and id(g) not in seen:
            seen.add(id(g))
            found.append(g)

    def walk_transform(t, depth=0):
        if t is None or depth > 8:
            return
        add(getattr(t, "generator", None))
        for sub in getattr(t, "transforms", None) or ():
            walk_transform(sub, depth + 1)

    add(getattr(loader, "generator", None))
    ds, depth = getattr(loader, "dataset", None), 0
    while ds is not None and depth < 8:
        walk_transform(getattr(ds, "transform", None))
        ds, depth = getattr(ds, "dataset", None), depth + 1
    return found


def _state(g):
    return g.get_state() if hasattr(g, "get_state") else g.bit_generator.state


def _set_state(g, state):
    if hasattr(g, "set_state"):
        g.set_state(state)  # a chainrule.Generator, of either kind
    else:
        g.bit_generator.state = state


def rng_state(loader=None):
    """JSON text with the default generator's state and those of ``loader``'s generators."""
    from ..engine.rng import default_generator

    gens = [default_generator] + [g for g in _generators(loader) if g is not default_generator]
    return json.dumps([_state(g) for g in gens])


def set_rng_state(text, loader=None):
    from ..engine.rng import default_generator

    states = json.loads(text)
    gens = [default_generator] + [g for g in _generators(loader) if g is not default_generator]
    if len(states) != len(gens):
        raise ValueError(
            f"the checkpoint saved the state of {len(states)} random generators, but this training draws from "
            f"{len(gens)} (the default one, the loader's, the transforms'); build the data the same way as "
            f"in the checkpointed run"
        )
    for g, s in zip(gens, states):
        _set_state(g, s)


def save_checkpoint(path, trainer, extra=None):
    """Write ``trainer``'s complete state (see the module docstring) to ``path`` atomically; ``extra``
    (a dict of plain values and arrays) is stored under ``"extra"``, e.g. the preprocessing of a run."""
    from .. import save

    t = trainer
    state = {
        "format": FORMAT,
        "version": VERSION,
        "epoch": int(t.epoch),
        "model": t.model.state_dict(),
        "optimizer": None if t.optimizer is None else t.optimizer.state_dict(),
        "scheduler": None if t.scheduler is None else t.scheduler.state_dict(),
        "history": t.history.state_dict(),
        "rng": rng_state(t.train_loader),
        "callbacks": [{"type": type(cb).__name__, "state": cb.state_dict()} for cb in t.callbacks],
        "extra": extra or {},
    }
    save(state, os.fspath(path))


def load_checkpoint(path, model=None, optimizer=None, scheduler=None):
    """Read a training checkpoint; load its states into whichever of ``model``, ``optimizer`` and
    ``scheduler`` are given. Returns the checkpoint dict (``epoch``, ``history``, ...)."""
    from .. import load

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path} is not a chainrule training checkpoint (written by ModelCheckpoint); "
                         f"for a plain state dict use chainrule.load")
    if ckpt.get("version") != VERSION:
        raise ValueError(f"{path}: checkpoint version {ckpt.get('version')}, this chainrule reads version {VERSION}")
    if model is not None:
        model.load_state_dict(ckpt["model"])
    for obj, key in ((optimizer, "optimizer"), (scheduler, "scheduler")):
        if obj is None:
            continue
        if ckpt[key] is None:
            raise ValueError(f"{path} has no {key} state (the checkpointed run had no {key})")
        obj.load_state_dict(ckpt[key])
    return ckpt


def restore_checkpoint(path, trainer):
    """Put a checkpoint back into ``trainer`` (model, optimizer, scheduler, history, random generators,
    callback counters); returns the epoch it was taken after, so training continues with the next."""
    t = trainer
    ckpt = load_checkpoint(path, t.model, t.optimizer, t.scheduler)
    if t.scheduler is None and ckpt["scheduler"] is not None:
        raise ValueError(f"{path} was saved with a learning-rate scheduler; pass the same scheduler to resume")
    t.history.load_state_dict(ckpt["history"])
    set_rng_state(ckpt["rng"], t.train_loader)
    saved = list(ckpt.get("callbacks") or [])
    for cb in t.callbacks:
        for i, entry in enumerate(saved):
            if entry["type"] == type(cb).__name__:
                cb.load_state_dict(saved.pop(i)["state"])
                break
    return int(ckpt["epoch"])
